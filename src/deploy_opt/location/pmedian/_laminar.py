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

from deploy_opt.location._arrays import BoolArray, FloatArray, IntArray

_FLAT = True


@dataclass(frozen=True)
class Cluster:
    """Sites ``mask`` of which between ``low`` and ``high`` must be open."""

    mask: BoolArray
    low: int
    high: int


def laminar_with(sites: IntArray, clusters: Sequence[Cluster]) -> bool:
    """Whether the set ``sites`` is disjoint from or nested with every cluster."""
    for c in clusters:
        inter = int(np.count_nonzero(c.mask[sites]))
        if inter and inter != sites.size and inter != int(c.mask.sum()):
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
        # Per-cluster lists for the Python loop of :meth:`select`.
        in_any = np.zeros(m, dtype=bool)
        for mk in masks:
            in_any |= mk
        self.members = np.flatnonzero(in_any & usable & ~fixed_open)
        position = {int(j): q for q, j in enumerate(self.members)}
        self.fixed_list = [f.tolist() for f in self.fixed]
        self.free_items = [[(position[int(j)], int(j)) for j in f] for f in self.free]
        flat = _FLAT and masks and not any(self.children)
        self.flat = self._flat_tables() if flat else None

    def _flat_tables(self) -> tuple[IntArray, BoolArray, BoolArray, IntArray]:
        """Tables of a vectorised select for disjoint clusters.

        The padded member table (pad ``m``), masks of the sorted positions each
        cluster must take and may take, and every site fixed open. Sets
        ``infeasible`` when the bounds cannot hold whatever ``rho`` is.
        """
        width = max(1, *(f.size for f in self.free))
        table = np.full((len(self.free), width), self.m, dtype=np.intp)
        for row, f in enumerate(self.free):
            table[row, : f.size] = f
        n_fixed = np.array([f.size for f in self.fixed], dtype=np.intp)
        n_free = np.array([f.size for f in self.free], dtype=np.intp)
        take = np.maximum(np.array(self.low) - n_fixed, 0)
        room = np.minimum(np.array(self.high) - n_fixed, n_free)
        if (take > n_free).any() or (room < take).any():
            self.infeasible = True
        col = np.arange(width)
        must = col < take[:, None]
        may = (col >= take[:, None]) & (col < room[:, None])
        fixed = np.concatenate([self.root_fixed, *self.fixed])
        self._extended = np.full(self.m + 1, np.inf)
        self._rows = np.arange(len(self.free))[:, None]
        return table, must, may, fixed

    infeasible = False

    def select(self, rho: FloatArray) -> IntArray | None:
        """The cheapest feasible set of ``p`` sites, or ``None`` if there is none."""
        if self.infeasible:
            return None
        if self.flat is not None:
            return self._select_flat(rho, self.flat)
        must: list[int] = []
        may: list[tuple[float, int]] = []
        if self.order:
            # Clusters are small: plain Python lists of (rho, site), ties by site.
            values = rho[self.members].tolist()
            mand: dict[int, list[int]] = {}
            opt: dict[int, list[tuple[float, int]]] = {}
            for k in self.order:
                kmust = list(self.fixed_list[k])
                kmay = [(values[q], j) for q, j in self.free_items[k]]
                for c in self.children[k]:
                    kmust += mand[c]
                    kmay += opt[c]
                kmay.sort()
                need = self.low[k] - len(kmust)
                if need > 0:
                    if need > len(kmay):
                        return None
                    kmust += [j for _, j in kmay[:need]]
                    kmay = kmay[need:]
                room = self.high[k] - len(kmust)
                if room < 0:
                    return None
                mand[k], opt[k] = kmust, kmay[:room]
            for c in self.root_children:
                must += mand[c]
                may += opt[c]
        need = self.p - self.root_fixed.size - len(must)
        free = self.root_free
        if need < 0 or need > free.size + len(may):
            return None
        if need and need < free.size:
            free = free[np.argpartition(rho[free], need - 1)[:need]]
        elif not need:
            free = free[:0]
        if may and need:
            pool = sorted([*zip(rho[free].tolist(), free.tolist(), strict=True), *may])
            picked = np.array([j for _, j in pool[:need]], dtype=np.intp)
        else:
            picked = free
        out = np.concatenate([self.root_fixed, np.asarray(must, dtype=np.intp), picked])
        return np.sort(out).astype(np.intp)

    def _select_flat(
        self,
        rho: FloatArray,
        flat: tuple[IntArray, BoolArray, BoolArray, IntArray],
    ) -> IntArray | None:
        """:meth:`select` for disjoint clusters (``flat``: the tables of
        :meth:`_flat_tables`), a few array operations."""
        table, must_at, may_at, fixed = flat
        self._extended[: self.m] = rho
        order = self._extended[table].argsort(axis=1, kind="stable")
        ranked = table[self._rows, order]
        must = np.concatenate([fixed, ranked[must_at]])
        may = np.concatenate([self.root_free, ranked[may_at]])
        need = self.p - must.size
        if need < 0 or need > may.size:
            return None
        if need < may.size:
            may = may[np.argpartition(rho[may], need - 1)[:need]] if need else may[:0]
        return np.sort(np.concatenate([must, may]))
