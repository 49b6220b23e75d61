"""Lagrangian branch and bound for the uncapacitated p-median (Beasley 1993 style).

It works on the pairs that survive root reduced-cost fixing: every solution at
least as good as the threshold uses only those pairs, so the search is exact for
them. Each node fixes some sites open or closed, bounds by subgradient
optimisation of the relaxation of the assignment constraints (warm-started from
its parent's multipliers), applies the same reduced-cost fixing to the sites,
and branches on the most attractive free site of its relaxed solution (open
first, then closed). The search is depth first; the bound reported when the time
limit stops it is the smallest bound among the unexplored nodes.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

#: Subgradient iterations per node, and iterations without progress before the
#: step is halved. Long node runs cost less than the nodes they save.
_ITER = 300
_STALL = 15
#: Relative slack of the multiplier caps used to filter pairs inside a node.
_SLACK = 0.3


FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]


@dataclass
class _Node:
    fixed_open: BoolArray
    closed: BoolArray
    lam: FloatArray
    parent_bound: float
    active: IntArray


@dataclass(frozen=True)
class SearchOutcome:
    """Result of the tree search."""

    sites: IntArray
    cost: float
    bound: float
    complete: bool
    nodes: int


class _Pairs:
    """The pairs (demand, site, weighted cost) still usable at a node, by site."""

    def __init__(
        self, rows: IntArray, cols: IntArray, costs: FloatArray, n: int, m: int
    ) -> None:
        self.rows, self.cols, self.costs, self.n, self.m = rows, cols, costs, n, m

    def subset(self, keep: IntArray) -> _Pairs:
        return _Pairs(
            self.rows[keep], self.cols[keep], self.costs[keep], self.n, self.m
        )

    def relax(
        self, lam: FloatArray, p: int, fixed_open: BoolArray, closed: BoolArray
    ) -> tuple[float, FloatArray, IntArray]:
        reduced = np.minimum(self.costs - lam[self.rows], 0.0)
        rho = np.bincount(self.cols, weights=reduced, minlength=self.m)
        free = np.flatnonzero(~fixed_open & ~closed)
        k = p - int(fixed_open.sum())
        if k > 0:
            part = np.argpartition(rho[free], k - 1)[:k] if k < free.size else None
            picked = free if part is None else free[part]
            chosen = np.sort(np.concatenate([np.flatnonzero(fixed_open), picked]))
        else:
            chosen = np.flatnonzero(fixed_open)
        return float(lam.sum() + rho[chosen].sum()), rho, chosen.astype(np.intp)

    def served(self, lam: FloatArray, chosen: IntArray) -> npt.NDArray[np.int64]:
        # Pairs are sorted by site, so the chosen sites' pairs are p slices.
        lo = np.searchsorted(self.cols, chosen, side="left")
        hi = np.searchsorted(self.cols, chosen, side="right")
        idx = np.concatenate([np.arange(a, b) for a, b in zip(lo, hi, strict=True)])
        rows = self.rows[idx]
        hit = self.costs[idx] < lam[rows]
        return np.bincount(rows[hit], minlength=self.n)


def branch_and_bound(
    pairs_rows: IntArray,
    pairs_cols: IntArray,
    pairs_costs: FloatArray,
    shape: tuple[int, int],
    p: int,
    fixed_open: BoolArray,
    closed: BoolArray,
    lam: FloatArray,
    root_bound: float,
    incumbent: IntArray,
    incumbent_cost: float,
    evaluate: Callable[[IntArray], tuple[IntArray, float]],
    *,
    integral: bool,
    deadline: float | None,
    node_iterations: int = _ITER,
) -> SearchOutcome:
    """Prove (or improve on) the incumbent by Lagrangian branch and bound.

    Parameters
    ----------
    pairs_rows, pairs_cols, pairs_costs
        Kept pairs and their weighted costs.
    shape
        ``(n, m)``.
    p
        Sites to open.
    fixed_open, closed
        Root site fixings (required sites are fixed open).
    lam
        Root multipliers.
    root_bound
        Root Lagrangian bound.
    incumbent, incumbent_cost
        Best known solution.
    evaluate
        Maps a site set to an improved site set and its true cost.
    integral
        Whether costs are integers (prune at ``ceil(bound) >= incumbent``).
    deadline
        ``time.perf_counter()`` value after which to stop.
    node_iterations
        Subgradient iterations per node.

    Returns
    -------
    SearchOutcome
        Best solution, proven bound, and whether the search finished.
    """
    n, m = shape
    by_site = np.lexsort((pairs_rows, pairs_cols))
    pairs = _Pairs(pairs_rows[by_site], pairs_cols[by_site], pairs_costs[by_site], n, m)
    best_sites, best = incumbent, incumbent_cost
    seen: set[bytes] = set()

    def threshold() -> float:
        if integral:
            return best - 1.0 + 1e-6
        return best - 1e-9 * max(1.0, abs(best))

    everything = np.arange(pairs.rows.size, dtype=np.intp)
    stack = [
        _Node(fixed_open.copy(), closed.copy(), lam.copy(), root_bound, everything)
    ]
    nodes = 0
    complete = True
    while stack:
        if deadline is not None and time.perf_counter() > deadline:
            complete = False
            break
        node = stack.pop()
        if node.parent_bound > threshold():
            continue
        nodes += 1
        local = pairs.subset(node.active)
        bound, lam_n, rho, chosen = _node_bound(
            local, p, node, best, node_iterations, threshold
        )
        if bound > threshold():
            continue
        key = chosen.tobytes()
        if key not in seen:
            seen.add(key)
            sites, cost = evaluate(chosen)
            if cost < best:
                best_sites, best = sites, cost
                if bound > threshold():
                    continue
        fo, cl = node.fixed_open.copy(), node.closed.copy()
        _fix_sites(rho, chosen, bound, threshold(), p, fo, cl)
        n_open = int(fo.sum())
        n_free = int((~fo & ~cl).sum())
        if n_open > p or n_open + n_free < p:
            continue
        if n_open == p or n_free == 0:
            sites, cost = evaluate(np.flatnonzero(fo).astype(np.intp))
            if cost < best:
                best_sites, best = sites, cost
            continue
        active = node.active[
            _keep_pairs(local, lam_n, rho, chosen, bound, threshold(), cl)
        ]
        if not np.all(np.bincount(pairs.rows[active], minlength=n) > 0):
            continue
        candidates = chosen[~fo[chosen] & ~cl[chosen]]
        if candidates.size == 0:
            candidates = np.flatnonzero(~fo & ~cl)
        j = int(candidates[np.argmin(rho[candidates])])
        closed_child = _Node(fo.copy(), cl.copy(), lam_n, bound, active)
        closed_child.closed[j] = True
        closed_child.active = active[pairs.cols[active] != j]
        open_child = _Node(fo.copy(), cl.copy(), lam_n, bound, active)
        open_child.fixed_open[j] = True
        # Depth first, opening first: its bound usually rises fastest.
        stack.append(closed_child)
        stack.append(open_child)
    if complete:
        proven = best
    else:
        pending = [nd.parent_bound for nd in stack if nd.parent_bound <= threshold()]
        proven = min([best, *pending])
        if integral and np.isfinite(proven):
            proven = min(best, float(math.ceil(proven - 1e-6)))
    return SearchOutcome(np.sort(best_sites), best, proven, complete, nodes)


def _node_bound(
    pairs: _Pairs,
    p: int,
    node: _Node,
    ub: float,
    iterations: int,
    threshold: Callable[[], float],
) -> tuple[float, FloatArray, FloatArray, IntArray]:
    lam = node.lam
    best = (-np.inf, lam, np.zeros(pairs.m), np.zeros(0, dtype=np.intp))
    theta = 1.0
    stall = 0
    target = ub if np.isfinite(ub) else None
    # Only pairs with cost below their row's multiplier count; iterate on those
    # under a cap with slack and re-filter when a multiplier passes its cap.
    cap = np.full(pairs.n, -np.inf)
    near = pairs
    for _ in range(iterations):
        if bool((lam > cap).any()):
            cap = lam + _SLACK * np.abs(lam) + 1e-9
            near = pairs.subset(np.flatnonzero(pairs.costs < cap[pairs.rows]))
        value, rho, chosen = near.relax(lam, p, node.fixed_open, node.closed)
        if value > best[0] + 1e-6 * max(1.0, abs(best[0])):
            stall = 0
        else:
            stall += 1
        if value > best[0]:
            best = (value, lam, rho, chosen)
        if value > threshold():
            break
        if stall >= _STALL:
            theta /= 2.0
            stall = 0
            if theta < 1e-3:
                break
        grad = 1.0 - near.served(lam, chosen)
        norm = float(grad @ grad)
        if norm == 0.0:
            break
        goal = target if target is not None else abs(value) * 1.05 + 1.0
        lam = lam + theta * max(goal - value, 1e-9 * max(1.0, abs(goal))) / norm * grad
    return best


def _fix_sites(
    rho: FloatArray,
    chosen: IntArray,
    bound: float,
    threshold: float,
    p: int,
    fixed_open: BoolArray,
    closed: BoolArray,
) -> None:
    """Close or open free sites whose flip would push the bound past the threshold."""
    free = ~fixed_open & ~closed
    in_chosen = np.zeros(rho.size, dtype=bool)
    in_chosen[chosen] = True
    free_in = free & in_chosen
    free_out = free & ~in_chosen
    if not free_in.any() or int(fixed_open.sum()) >= p:
        return
    rho_last = rho[free_in].max()
    closed |= free_out & (bound + rho - rho_last > threshold)
    if free_out.any():
        rho_next = rho[free_out].min()
        fixed_open |= free_in & (bound + rho_next - rho > threshold)


def _keep_pairs(
    local: _Pairs,
    lam: FloatArray,
    rho: FloatArray,
    chosen: IntArray,
    bound: float,
    threshold: float,
    closed: BoolArray,
) -> npt.NDArray[np.bool_]:
    """Pairs that may still appear below the threshold in this subtree."""
    in_chosen = np.zeros(rho.size, dtype=bool)
    in_chosen[chosen] = True
    free_in = in_chosen & ~closed
    rho_last = rho[free_in].max() if free_in.any() else 0.0
    open_penalty = np.where(in_chosen, 0.0, np.maximum(rho - rho_last, 0.0))
    pair_bound = (
        bound
        + np.maximum(local.costs - lam[local.rows], 0.0)
        + open_penalty[local.cols]
    )
    return (pair_bound <= threshold) & ~closed[local.cols]
