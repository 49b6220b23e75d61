r"""Set partitioning over given clusters: the best solution of cost at most a cutoff.

Rows: each point in exactly one cluster, at most one cluster per site, at most
``p - |R|`` clusters at free sites (required sites are open anyway), and triple
cuts :math:`\sum_{c : |S_c \cap T| \ge 2} z_c \le 1` (valid for every
partition).

All clusters are known, so :func:`search` is a plain branch and cut over
them, with HiGHS solving the LPs warm (dual simplex): at the root, rounds of
triple cuts and reduced-cost fixing (a cluster whose reduced cost exceeds
``cutoff - LP`` is in no solution at most ``cutoff``); then best-bound search,
branching on the most fractional site (open / closed), else on the most
fractional (point, site) pair (assigned there / not), pruning nodes whose LP
exceeds the cutoff, which drops below each solution found. The node count is
limited, so the result does not depend on timing (only the deadline may cut
it).
"""

from __future__ import annotations

import heapq
import time

import numpy as np
import scipy.sparse as sp

from deploy_opt.location._arrays import BoolArray, FloatArray, IntArray
from deploy_opt.location._highs import INF, ModelStatus, check, pass_model, quiet_highs
from deploy_opt.location.capacitated.columns._triple_cuts import (
    cut_hits,
    separate_triples,
)

#: Rounds of cuts and fixing on the root LP.
ROOT_ROUNDS = 12
#: Triples added per round, and per point and round.
LP_CUTS = 80
LP_CUTS_PER_POINT = 3
#: Node limit of the search.
MAX_NODES = 20_000


#: A search node: closed sites, opened sites, banned and forced (point, site) pairs.
_Node = tuple[
    frozenset[int],
    frozenset[int],
    frozenset[tuple[int, int]],
    frozenset[tuple[int, int]],
]


class _Model:
    """The partitioning LP over the clusters in HiGHS."""

    def __init__(
        self,
        cost: FloatArray,
        sites: IntArray,
        members: BoolArray,
        required: IntArray,
        p: int,
        triples: IntArray,
    ) -> None:
        n, m = cost.shape
        k = sites.size
        self.n, self.m, self.k = n, m, k
        self.sites, self.members = sites, members
        self.col_cost = np.where(members, cost[:, sites].T, 0.0).sum(axis=1)
        free = np.ones(m, dtype=bool)
        free[required] = False
        r_pts, c_pts = np.nonzero(members.T)
        c_free = np.flatnonzero(free[sites])
        rows = np.concatenate([r_pts, n + sites, np.full(c_free.size, n + m)])
        cols = np.concatenate([c_pts, np.arange(k), c_free])
        a = sp.csc_array((np.ones(rows.size), (rows, cols)), shape=(n + m + 1, k))
        self.hs = quiet_highs()
        pass_model(
            self.hs,
            self.col_cost,
            np.zeros(k),
            np.ones(k),
            a,
            np.concatenate([np.ones(n), np.full(m + 1, -np.inf)]),
            np.concatenate([np.ones(n), np.ones(m), [float(p - required.size)]]),
        )
        self.known: set[tuple[int, int, int]] = set()
        self.upper = np.ones(k)
        self.site_lower = np.zeros(m)
        self.add_cuts(triples)

    def add_cuts(self, triples: IntArray) -> None:
        hits = cut_hits(self.members, triples)
        for t in range(triples.shape[0]):
            key = (int(triples[t, 0]), int(triples[t, 1]), int(triples[t, 2]))
            if key in self.known:
                continue
            self.known.add(key)
            c = np.flatnonzero(hits[:, t]).astype(np.int32)
            check(self.hs.addRow(-INF, 1.0, c.size, c, np.ones(c.size)), "cut")

    def set_bounds(self, upper: FloatArray, site_lower: FloatArray) -> None:
        """Column upper bounds (0 or 1) and lower bounds of the site rows."""
        diff = np.flatnonzero(upper != self.upper).astype(np.int32)
        if diff.size:
            check(
                self.hs.changeColsBounds(
                    diff.size, diff, np.zeros(diff.size), upper[diff]
                ),
                "column bounds",
            )
            self.upper = upper.copy()
        for j in np.flatnonzero(site_lower != self.site_lower).tolist():
            check(
                self.hs.changeRowBounds(self.n + j, float(site_lower[j]), 1.0),
                "row bounds",
            )
        self.site_lower = site_lower.copy()

    def solve(self) -> tuple[float, FloatArray, FloatArray] | None:
        """LP value, column values and reduced costs (``None`` if infeasible).

        Raises :class:`_LPFailed` for any other status than optimal or
        infeasible: nothing may be pruned on such an answer.
        """
        check(self.hs.run(), "a node LP")
        status = self.hs.getModelStatus()
        if status == ModelStatus.kInfeasible:
            return None
        if status != ModelStatus.kOptimal:
            raise _LPFailed(str(status))
        sol = self.hs.getSolution()
        value = float(self.hs.getInfo().objective_function_value)
        return value, np.asarray(sol.col_value), np.asarray(sol.col_dual)

    def assignment(self, z: FloatArray) -> IntArray | None:
        assign = np.full(self.n, -1, dtype=np.intp)
        for c in np.flatnonzero(z > 0.5):
            assign[self.members[c]] = self.sites[c]
        return None if (assign < 0).any() else assign


class _LPFailed(RuntimeError):
    """HiGHS ended a node LP neither optimal nor infeasible."""


def search(
    cost: FloatArray,
    sites: IntArray,
    members: BoolArray,
    required: IntArray,
    p: int,
    triples: IntArray,
    cutoff: float,
    step: float,
    deadline: float | None,
) -> tuple[str, IntArray | None, float]:
    """Best partition of cost at most ``cutoff`` over the clusters.

    Parameters
    ----------
    cost
        Weighted costs ``(n, m)``.
    sites, members
        The clusters: sites ``(k,)`` and points ``(k, n)``.
    required, p
        Required sites and the number of sites.
    triples
        Triple cuts to start with.
    cutoff
        Only solutions of cost at most this count.
    step
        After a solution of cost ``v``, only those at most ``v - step`` count.
    deadline
        ``time.perf_counter()`` value at which to stop (``None``: none).

    Returns
    -------
    status, assignment, bound
        ``"optimal"`` (with its assignment), ``"infeasible"`` (no solution at
        most ``cutoff``) or ``"time_limit"`` (the best assignment found, if any,
        and a bound valid for solutions at most ``cutoff``: the smallest among
        the open nodes and the best solution found).
    """
    if sites.size == 0:
        return "infeasible", None, np.inf
    model = _Model(cost, sites, members, required, p, triples)
    tol = 1e-9 * max(1.0, abs(cutoff))
    try:
        alive = _root(model, cutoff, tol)
    except _LPFailed:
        return "time_limit", None, -np.inf
    if alive is None:
        return "infeasible", None, np.inf
    return _best_first(model, cost, alive, cutoff, step, tol, deadline)


def _root(model: _Model, cutoff: float, tol: float) -> BoolArray | None:
    """Rounds of triple cuts and reduced-cost fixing on the root LP: the
    clusters left (``None`` when nothing costs at most ``cutoff``)."""
    alive = np.ones(model.k, dtype=bool)
    for _ in range(ROOT_ROUNDS):
        root = model.solve()
        if root is None or root[0] > cutoff + tol:
            return None
        value, z, red = root
        alive &= ~(red > cutoff - value + tol)
        model.set_bounds(alive.astype(np.float64), model.site_lower)
        support = np.flatnonzero(z > 1e-9)
        new = separate_triples(
            z[support], model.members[support], model.known, LP_CUTS, LP_CUTS_PER_POINT
        )
        if new.shape[0] == 0:
            break
        model.add_cuts(new)
    return alive


def _best_first(
    model: _Model,
    cost: FloatArray,
    alive: BoolArray,
    cutoff: float,
    step: float,
    tol: float,
    deadline: float | None,
) -> tuple[str, IntArray | None, float]:
    """Best-bound branch and bound over the clusters ``alive`` (see
    :func:`search` for what it returns)."""
    n = model.n
    best: IntArray | None = None
    best_value = np.inf
    limit = cutoff
    on_site = [np.flatnonzero(model.sites == j) for j in range(model.m)]
    heap: list[tuple[float, int, _Node]] = [
        (-np.inf, 0, (frozenset(), frozenset(), frozenset(), frozenset()))
    ]
    count = 0
    nodes = 0
    while heap:
        if nodes >= MAX_NODES or (
            deadline is not None and time.perf_counter() > deadline
        ):
            # open nodes, and the subtree of the best solution found
            low = min([best_value, *(h[0] for h in heap)])
            return "time_limit", best, low
        parent_bound, _, node = heapq.heappop(heap)
        if parent_bound > limit + tol:
            continue
        nodes += 1
        model.set_bounds(*_node_bounds(model, alive, on_site, node))
        try:
            out = model.solve()
        except _LPFailed:
            low = min([parent_bound, best_value, *(h[0] for h in heap)])
            return "time_limit", best, low
        if out is None or out[0] > limit + tol:
            continue
        value, z, _ = out
        if np.minimum(z, 1.0 - z).max(initial=0.0) <= 1e-6:
            assign = model.assignment(z)
            if assign is not None:
                best = assign
                best_value = float(cost[np.arange(n), assign].sum())
                limit = best_value - max(step, 1e-9 * max(1.0, abs(best_value)))
            continue
        for child in _children(model, node, z):
            count += 1
            heapq.heappush(heap, (value, count, child))
    if best is not None:
        return "optimal", best, float(cost[np.arange(n), best].sum())
    return "infeasible", None, np.inf


def _node_bounds(
    model: _Model, alive: BoolArray, on_site: list[IntArray], node: _Node
) -> tuple[FloatArray, FloatArray]:
    """Column upper bounds and site-row lower bounds of a node."""
    sites, members = model.sites, model.members
    closed, opened, banned, forced = node
    upper = alive.astype(np.float64)
    for j in closed:
        upper[on_site[j]] = 0.0
    for i, j in banned:
        upper[on_site[j][members[on_site[j], i]]] = 0.0
    for i, j in forced:
        upper[members[:, i] & (sites != j)] = 0.0
        upper[on_site[j][~members[on_site[j], i]]] = 0.0
    site_lower = np.zeros(model.m)
    site_lower[list(opened)] = 1.0
    return upper, site_lower


def _children(model: _Model, node: _Node, z: FloatArray) -> list[_Node]:
    """Split on the most fractional site (closed / open), else on the most
    fractional (point, site) pair (banned / forced)."""
    closed, opened, banned, forced = node
    y = np.bincount(model.sites, weights=z, minlength=model.m)
    fy = np.minimum(y, 1.0 - y)
    if fy.max() > 1e-6:
        j = int(np.argmax(fy))
        return [
            (closed | {j}, opened, banned, forced),
            (closed, opened | {j}, banned, forced),
        ]
    x = np.zeros((model.n, model.m))
    np.add.at(x.T, model.sites, z[:, None] * model.members)
    fx = np.minimum(x, 1.0 - x)
    i, j = (int(v) for v in np.unravel_index(int(np.argmax(fx)), fx.shape))
    return [
        (closed, opened, banned | {(i, j)}, forced),
        (closed, opened | {j}, banned, forced | {(i, j)}),
    ]
