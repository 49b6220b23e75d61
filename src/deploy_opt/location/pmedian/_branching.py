r"""Branching candidates of the p-median B&B: balls of sites and their pseudo-costs.

The p-median LP spreads fractional openings over neighbouring sites, so fixing
one site barely moves the bound: a neighbour takes over. A *ball* :math:`B`
(the sites within some cost of a demand point) with fractional total opening
:math:`k < \bar y(B) < k + 1` splits the node into
:math:`\sum_{j \in B} y_j \le k` and :math:`\ge k + 1`; both sides move opening
across the ball's boundary, which costs much more. :math:`\bar y` is the
averaged relaxed solution of the node (see
:mod:`~deploy_opt.location.pmedian._node_bound`). Single sites are balls of size one.

Balls must be laminar with the node's earlier ones (disjoint or nested), so the
node subproblem stays exact. Candidates are ranked by *pseudo-costs*: the bound
gain per unit of opening moved that each side showed when strong branching
evaluated it at earlier nodes (Benichou et al. 1971), the average of its
direction when it was never evaluated; ties go to the most fractional ball.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from deploy_opt.location._arrays import BoolArray, FloatArray, IntArray
from deploy_opt.location.pmedian._laminar import Cluster, laminar_with

#: Largest ball (sites) considered, and most candidates returned per node.
_BALL_SITES = 20
_CANDIDATES = 12
#: Most fractional sites whose balls are considered.
_CENTRES = 1000
#: Averaged openings within this much of 0 or 1 count as integral.
_INTEGRAL = 0.02
_BALL_INTEGRAL = 0.05


class BallFamily:
    """Nested balls around each site: the sites within growing cost of the demand
    point nearest to it (the site itself when points and sites coincide).

    Costs are the unweighted ones, so weights do not distort the neighbourhoods.
    Each ball is returned as site indices, smallest ball first; ties in cost stay
    in the same ball.
    """

    def __init__(self, cost: FloatArray, max_sites: int = _BALL_SITES) -> None:
        self.cost = cost
        self.max_sites = max_sites
        self.cache: dict[int, list[IntArray]] = {}

    def __call__(self, site: int) -> list[IntArray]:
        if site not in self.cache:
            center = int(np.argmin(self.cost[:, site]))
            row = self.cost[center]
            order = np.argsort(row, kind="stable")[: self.max_sites + 1]
            near = row[order]
            steps = np.flatnonzero(np.isfinite(near[:-1]) & (near[1:] > near[:-1])) + 1
            ends = [int(e) for e in steps if 1 < e <= self.max_sites]
            if order.size <= self.max_sites and np.isfinite(near[-1]):
                ends.append(order.size)
            self.cache[site] = [order[:e] for e in ends if e > 1]
        return self.cache[site]


class PseudoCosts:
    """Bound gain per unit of opening moved, per ball side."""

    def __init__(self) -> None:
        self.table: dict[tuple[bytes, bool], tuple[float, int]] = {}
        self.total: dict[bool, tuple[float, int]] = {False: (0.0, 0), True: (0.0, 0)}

    def record(self, key: bytes, up: bool, gain: float, moved: float) -> None:
        """Note that moving ``moved`` opening raised the bound by ``gain``."""
        rate = max(gain, 0.0) / max(moved, _BALL_INTEGRAL)
        total, count = self.table.get((key, up), (0.0, 0))
        self.table[key, up] = (total + rate, count + 1)
        total, count = self.total[up]
        self.total[up] = (total + rate, count + 1)

    def estimate(self, key: bytes, up: bool, moved: float) -> float:
        """Expected gain of moving ``moved`` opening on that side."""
        total, count = self.table.get((key, up), self.total[up])
        return moved * (total / count if count else 1.0)


@dataclass(frozen=True)
class Split:
    """A branching candidate: two sides, the likely weaker one first."""

    sides: tuple[Cluster, Cluster]
    #: Pseudo-cost key of the ball.
    key: bytes
    #: Opening each side moves across the ball's boundary.
    moved: tuple[float, float]


def candidates(
    p: int,
    fixed_open: BoolArray,
    closed: BoolArray,
    clusters: tuple[Cluster, ...],
    average: FloatArray,
    chosen: IntArray,
    balls: BallFamily,
    costs: PseudoCosts,
) -> list[Split]:
    """Splits of a node, best pseudo-cost score first; never empty while a
    site is free.

    Parameters
    ----------
    p
        Sites to open.
    fixed_open, closed, clusters
        The node's fixings and cluster bounds.
    average, chosen
        Averaged relaxed openings and the best relaxed site set.
    balls
        Ball family of the instance.
    costs
        Pseudo-costs so far.
    """
    free = ~fixed_open & ~closed
    y = np.where(fixed_open, 1.0, np.where(closed, 0.0, average))
    centres = np.flatnonzero(free & (y > _INTEGRAL) & (y < 1 - _INTEGRAL))
    if centres.size > _CENTRES:
        # The most fractional sites: balls around them mix the most opening.
        centres = np.sort(
            centres[np.argsort(np.abs(y[centres] - 0.5), kind="stable")[:_CENTRES]]
        )
    if centres.size == 0:
        # The average looks integral but the node is open: split a chosen site.
        pick = chosen[free[chosen]]
        centres = (pick if pick.size else np.flatnonzero(free))[:1]
    scored: dict[bytes, tuple[IntArray, int, float]] = {}
    for j in centres:
        for ball in [np.array([j], dtype=np.intp), *balls(int(j))]:
            sites = np.sort(ball[~closed[ball]])
            key = sites.tobytes()
            if sites.size == 0 or key in scored:
                continue
            total = float(y[sites].sum())
            # a single site splits into closed / open even when it looks
            # integral (the fallback above), or the node would have no split
            low = min(math.floor(total + 1e-9), sites.size - 1)
            frac = total - low
            if sites.size > 1 and not _BALL_INTEGRAL < frac < 1 - _BALL_INTEGRAL:
                continue
            if low < int(fixed_open[sites].sum()) or low + 1 > min(p, sites.size):
                continue
            if laminar_with(sites, clusters):
                scored[key] = (sites, low, frac)
    if not scored and free.any():
        # never leave an open node without a split: one free site
        site = int(centres[0]) if centres.size else int(np.flatnonzero(free)[0])
        single = np.array([site], dtype=np.intp)
        scored[single.tobytes()] = (single, 0, float(y[site]))
    ranked = sorted(
        scored.items(),
        key=lambda kv: (
            -min(
                costs.estimate(kv[0], False, kv[1][2]),
                costs.estimate(kv[0], True, 1 - kv[1][2]),
            ),
            abs(kv[1][2] - 0.5),
            kv[1][0].size,
        ),
    )
    splits = []
    for key, (sites, low, frac) in ranked[:_CANDIDATES]:
        mask = np.zeros(free.size, dtype=bool)
        mask[sites] = True
        down, up = Cluster(mask, 0, low), Cluster(mask, low + 1, p)
        # The side that moves less opening first: more often the weaker one,
        # which lets strong branching drop the candidate early.
        if frac <= 0.5:
            splits.append(Split((down, up), key, (frac, 1 - frac)))
        else:
            splits.append(Split((up, down), key, (1 - frac, frac)))
    return splits
