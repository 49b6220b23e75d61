r"""Cheapest ``p`` sites under nested cardinality bounds (the B&B's subproblem).

Given a value :math:`\rho_j` per site, sites fixed open or closed, and clusters
:math:`S_k` with bounds :math:`a_k \le |Y \cap S_k| \le b_k` that form a laminar
family (any two are disjoint or nested), :class:`LaminarSelector` finds a set
:math:`Y` of exactly ``p`` sites of least :math:`\sum_{j \in Y} \rho_j`.

Method: the clusters form a tree (the whole site set is its root, with
:math:`a = b = p`). For a cluster, the cheapest choice of ``t`` sites is convex
in ``t``, so it is described by a *mandatory* set (what its lower bound forces)
and a sorted list of *optional* sites: the best ``t`` is the mandatory set plus
the first optional ones. A parent merges its children's lists with its own
sites, moves the cheapest optional sites into the mandatory set until its lower
bound holds and truncates the optional list at its upper bound. The result is
exact; the constraint matrix of a laminar family is totally unimodular, so
Lagrangian bounds with this subproblem equal the LP bound of the node.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Cluster:
    """Sites ``mask`` of which between ``low`` and ``high`` must be open."""

    mask: BoolArray
    low: int
    high: int


def laminar_with(mask: BoolArray, clusters: Sequence[Cluster]) -> bool:
    """Whether ``mask`` is disjoint from or nested with every cluster."""
    for c in clusters:
        inter = int(np.count_nonzero(mask & c.mask))
        if inter and inter != int(mask.sum()) and inter != int(c.mask.sum()):
            return False
    return True


class LaminarSelector:
    """Exact ``p`` cheapest sites under fixings and laminar cluster bounds.

    Parameters
    ----------
    p
        Sites to open.
    fixed_open, closed
        Site masks (required sites belong to ``fixed_open``).
    clusters
        Laminar clusters; closed sites inside them are ignored.
    """

    def __init__(
        self,
        p: int,
        fixed_open: BoolArray,
        closed: BoolArray,
        clusters: Sequence[Cluster] = (),
    ) -> None:
        m = fixed_open.size
        usable = ~closed
        merged: dict[bytes, list[int]] = {}
        masks: list[BoolArray] = []
        for c in clusters:
            mask = c.mask & usable
            key = np.packbits(mask).tobytes()
            if key in merged:
                entry = merged[key]
                entry[1], entry[2] = max(entry[1], c.low), min(entry[2], c.high)
                continue
            merged[key] = [len(masks), c.low, c.high]
            masks.append(mask)
        bounds = sorted(merged.values())
        sizes = np.array([int(mk.sum()) for mk in masks], dtype=np.intp)
        # Larger clusters first, so that each site ends up owned by its innermost.
        by_size = sorted(range(len(masks)), key=lambda k: (-sizes[k], k))
        owner = np.full(m, -1, dtype=np.intp)
        parent = np.full(len(masks), -1, dtype=np.intp)
        for k in by_size:
            inside = owner[masks[k]]
            if inside.size:
                parent[k] = inside[0]
                owner[masks[k]] = k
        self.p = p
        self.m = m
        self.order = by_size[::-1]
        self.low = [b[1] for b in bounds]
        self.high = [b[2] for b in bounds]
        self.children: list[list[int]] = [[] for _ in masks]
        self.root_children: list[int] = []
        for k in self.order:
            (self.children[parent[k]] if parent[k] >= 0 else self.root_children).append(
                k
            )
        self.fixed = [
            np.flatnonzero(fixed_open & (owner == k)) for k in range(len(masks))
        ]
        self.free = [
            np.flatnonzero(usable & ~fixed_open & (owner == k))
            for k in range(len(masks))
        ]
        self.root_fixed = np.flatnonzero(fixed_open & (owner == -1))
        self.root_free = np.flatnonzero(usable & ~fixed_open & (owner == -1))
        self.has_clusters = bool(masks)

    def select(self, rho: FloatArray) -> IntArray | None:
        """The cheapest feasible set of ``p`` sites, or ``None`` if there is none."""
        mand: dict[int, IntArray] = {}
        opt: dict[int, IntArray] = {}
        for k in self.order:
            parts_m = [self.fixed[k], *(mand[c] for c in self.children[k])]
            parts_o = [self.free[k], *(opt[c] for c in self.children[k])]
            must = np.concatenate(parts_m)
            may = np.concatenate(parts_o)
            may = may[np.argsort(rho[may], kind="stable")]
            need = self.low[k] - must.size
            if need > 0:
                if need > may.size:
                    return None
                must = np.concatenate([must, may[:need]])
                may = may[need:]
            room = self.high[k] - must.size
            if room < 0:
                return None
            mand[k], opt[k] = must, may[:room]
        must = np.concatenate([self.root_fixed, *(mand[c] for c in self.root_children)])
        may = np.concatenate([self.root_free, *(opt[c] for c in self.root_children)])
        need = self.p - must.size
        if need < 0 or need > may.size:
            return None
        if need < may.size:
            may = may[np.argpartition(rho[may], need - 1)[:need]] if need else may[:0]
        return np.sort(np.concatenate([must, may])).astype(np.intp)
