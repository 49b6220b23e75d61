"""Capacitated instances beyond the full model: heuristics, then bound and fixing.

See :mod:`deploy_opt.location.capacitated` for the steps and their shares of
the time limit. Mid sizes (up to :data:`RESTRICTED_MAX_N` points) add a
restricted MIP and run the continuous-knapsack Lagrangian after POPMUSIC;
large ones run the Lagrangian first and give POPMUSIC all the time left.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from deploy_opt.location._arrays import BoolArray, IntArray
from deploy_opt.location._deadline import after, remaining
from deploy_opt.location._problem import Instance, median_objective
from deploy_opt.location.capacitated._cluster_pairs import pair_reoptimize
from deploy_opt.location.capacitated._continuous_lagrangian import (
    LagrangianOutcome,
    continuous_lagrangian,
)
from deploy_opt.location.capacitated._location_allocation import (
    KNN_GREEDY_K,
    balanced_sites,
    knn_greedy,
    locate_allocate,
)
from deploy_opt.location.capacitated._model import decode, restricted_mip, solve_model
from deploy_opt.location.capacitated._popmusic import popmusic_grow
from deploy_opt.location.capacitated._solution import capacitated_result
from deploy_opt.location.pmedian._heuristics import (
    assignment_cost,
    fast_swap,
    greedy_add,
    penalised,
)
from deploy_opt.location.pmedian._lagrangian import subgradient
from deploy_opt.location.result import LocationResult, Status

#: Most pairs handed to the reduced exact MIP.
REDUCED_MODEL_PAIRS = 120_000
#: Cheapest sites per point in the restricted (heuristic) MIP.
RESTRICTED_K = 8
#: Above this many points the restricted MIP is skipped for location-allocation.
RESTRICTED_MAX_N = 1000
#: Share of the time limit the uncapacitated start may use (mid sizes).
UNCAP_SHARE = 0.1
#: Share of the time left that location-allocation may use (all starts).
LA_SHARE = 0.1
#: Share of the time left after location-allocation that the pair
#: re-optimisation may use.
PAIRS_SHARE = 0.15
#: Share of the time left after the pairs that POPMUSIC may use on mid sizes
#: (the restricted MIP and the bound follow).
MID_POPMUSIC_SHARE = 0.75
#: Shares of the time left that the continuous-knapsack Lagrangian may use: on
#: large instances before POPMUSIC (which then runs to the end), on mid sizes
#: after the restricted MIP.
LARGE_LR_SHARE = 0.08
MID_LR_SHARE = 0.2
#: Mid sizes: share of the time left for the restricted MIP after POPMUSIC.
RESTRICTED_SHARE = 0.55


@dataclass
class _Incumbent:
    """The best assignment so far (``None``: none), its cost and what made it."""

    assign: IntArray | None = None
    cost: float = np.inf
    method: str = ""

    def offer(self, inst: Instance, found: IntArray | None) -> None:
        """Keep ``found`` if it is cheaper."""
        if found is not None and median_objective(inst, found) < self.cost:
            self.assign, self.cost = found, median_objective(inst, found)

    def proven_by(self, bound: float) -> bool:
        """Whether ``bound`` proves the incumbent optimal."""
        return self.assign is not None and bound >= self.cost - 1e-9 * max(
            1.0, self.cost
        )


def solve_large(
    inst: Instance,
    p: int,
    allowed: BoolArray,
    deadline: float | None,
    seed: int,
    start: float,
) -> LocationResult:
    """Solve a capacitated instance with more usable pairs (``allowed``) than
    the full model takes."""
    mid = inst.n <= RESTRICTED_MAX_N
    best, lr, uncap_bound = _heuristics(inst, allowed, p, mid, deadline, seed)
    k = _restricted(inst, allowed, p, best, deadline) if mid else RESTRICTED_K
    if lr is None:
        lr = continuous_lagrangian(
            inst, allowed, p, best.cost, after(remaining(deadline), MID_LR_SHARE)
        )
        best.method += f", lagrangian ({lr.iterations} it)"
    bound = max(lr.bound, uncap_bound)
    if best.proven_by(bound):
        return capacitated_result(
            inst, p, best.assign, best.cost, "optimal", best.method, seed, start
        )
    return _reduced(inst, allowed, p, best, lr, bound, k, mid, deadline, seed, start)


def _heuristics(
    inst: Instance,
    allowed: BoolArray,
    p: int,
    mid: bool,
    deadline: float | None,
    seed: int,
) -> tuple[_Incumbent, LagrangianOutcome | None, float]:
    """Location-allocation from each start (the cheaper result goes on), pair
    re-optimisation, on large instances the Lagrangian, then POPMUSIC.

    Returns the incumbent, the Lagrangian if it ran, and the bound of the
    uncapacitated start (``-inf`` on large instances).
    """
    starts, uncap_bound = _start_sites(
        inst, allowed, p, mid, after(remaining(deadline), UNCAP_SHARE)
    )
    best = _Incumbent()
    rounds, label = 0, ""
    la_deadline = after(remaining(deadline), LA_SHARE)
    for name, sites in starts:
        found, made = locate_allocate(inst, allowed, p, sites, la_deadline)
        cost = np.inf if found is None else median_objective(inst, found)
        if cost < best.cost:
            best.assign, best.cost, rounds, label = found, cost, made, name
    best.method = f"location-allocation from {label} sites ({rounds} rounds)"
    if best.assign is None:
        return best, None, uncap_bound
    # exact re-split of neighbouring cluster pairs (small clusters only)
    assign, moves = pair_reoptimize(
        inst, allowed, best.assign, after(remaining(deadline), PAIRS_SHARE)
    )
    best.method += f", pair re-optimisation ({moves} moves)"
    lr = None
    if not mid:
        # large instances: the bound first, in a fixed share, then POPMUSIC
        # for all the time left
        lr = continuous_lagrangian(
            inst,
            allowed,
            p,
            median_objective(inst, assign),
            after(remaining(deadline), LARGE_LR_SHARE),
        )
        best.method += f", lagrangian ({lr.iterations} it)"
    share = MID_POPMUSIC_SHARE if mid else 1.0
    assign, solved, r = popmusic_grow(
        inst, allowed, assign, after(remaining(deadline), share), seed=seed
    )
    best.method += f", POPMUSIC ({solved} sub-MIPs, up to {r} sites)"
    best.assign, best.cost = assign, median_objective(inst, assign)
    return best, lr, uncap_bound


def _restricted(
    inst: Instance,
    allowed: BoolArray,
    p: int,
    best: _Incumbent,
    deadline: float | None,
) -> int:
    """Restricted MIP (each point limited to its ``k`` cheapest sites and its
    incumbent site, warm-started), ``k`` doubled until it finds a solution;
    returns the last ``k``."""
    k = RESTRICTED_K
    until = after(remaining(deadline), RESTRICTED_SHARE)
    found = None
    while found is None and k <= inst.m:
        found = restricted_mip(inst, allowed, p, k, best.assign, remaining(until))
        if found is None:
            k *= 2
            if until is not None and time.perf_counter() > until:
                break
    best.offer(inst, found)
    best.method += f", restricted MIP (k={k})"
    return k


def _reduced(
    inst: Instance,
    allowed: BoolArray,
    p: int,
    best: _Incumbent,
    lr: LagrangianOutcome,
    bound: float,
    k: int,
    mid: bool,
    deadline: float | None,
    seed: int,
    start: float,
) -> LocationResult:
    """Reduced-cost fixing, then the exact MIP on the surviving pairs when few
    enough survive (its bound counts only then); otherwise, on mid sizes, a
    wider restricted MIP."""
    ub = best.cost
    threshold = ub + 1e-7 * max(1.0, abs(ub)) if np.isfinite(ub) else np.inf
    keep = allowed & (lr.pair_bound <= threshold)
    n_keep = int(keep.sum())
    out_of_time = deadline is not None and time.perf_counter() >= deadline - 0.05
    if n_keep <= REDUCED_MODEL_PAIRS and not out_of_time:
        rows, cols = np.nonzero(keep)
        out = solve_model(inst, p, rows, cols, remaining(deadline), start=best.assign)
        best.method += f", HiGHS on {n_keep} pairs"
        best.offer(inst, decode(out, rows, cols, inst.n))
        if out.status == "optimal":
            return capacitated_result(
                inst, p, best.assign, best.cost, "optimal", best.method, seed, start
            )
        if out.status == "infeasible" and best.assign is None:
            return capacitated_result(
                inst, p, None, np.inf, "infeasible", best.method, seed, start
            )
        if np.isfinite(out.bound):
            bound = max(bound, min(out.bound, best.cost))
    else:
        best.method += f", {n_keep} pairs survive fixing (too many for the exact MIP)"
        if mid and best.assign is not None and 2 * k <= inst.m:
            # use the rest on a wider restricted MIP from the incumbent
            found = restricted_mip(
                inst, allowed, p, 2 * k, best.assign, remaining(deadline)
            )
            best.offer(inst, found)
            best.method += f", restricted MIP (k={2 * k})"
    status: Status = "time_limit" if deadline is not None else "feasible"
    return capacitated_result(
        inst, p, best.assign, bound, status, best.method, seed, start
    )


def _start_sites(
    inst: Instance, allowed: BoolArray, p: int, polish: bool, deadline: float | None
) -> tuple[list[tuple[str, IntArray]], float]:
    """Site sets to start location-allocation from, and a proven bound.

    * Balanced regions
      (:func:`~deploy_opt.location.capacitated._location_allocation.balanced_sites`),
      topped up greedily: sites spread like the demand, best when capacities
      are tight.
    * A good uncapacitated p-median, best when they are loose: without
      ``polish`` (large instances) the greedy on each point's cheapest sites
      (:func:`~deploy_opt.location.capacitated._location_allocation.knn_greedy`);
      with it the
      dense greedy, the interchange and the subgradient of
      :mod:`~deploy_opt.location.pmedian._lagrangian`, which applies the interchange to
      the relaxed site sets on the way (iteration-limited, so deterministic
      unless ``deadline`` cuts it) and proves a bound of the uncapacitated
      problem, hence of the capacitated one (``-inf`` without ``polish``).
    """
    weighted = np.where(allowed, inst.weighted, np.inf)
    req = inst.required
    dist, _ = penalised(weighted)
    if polish:
        greedy = greedy_add(dist, p, req)
    else:
        greedy = knn_greedy(weighted, p, req, KNN_GREEDY_K)
    balanced = balanced_sites(dist, inst.demands, p, req)
    if balanced.size < p:
        extra = greedy[~np.isin(greedy, balanced)][: p - balanced.size]
        balanced = np.union1d(balanced, extra).astype(np.intp)
    if not polish:
        return [("balanced", balanced), ("greedy", greedy)], -np.inf
    sites = fast_swap(dist, greedy, req)

    def improve(candidate: IntArray) -> tuple[IntArray, float]:
        better = fast_swap(dist, candidate, req)
        return better, assignment_cost(weighted, better)

    lr = subgradient(
        weighted,
        p,
        req,
        sites,
        assignment_cost(weighted, sites),
        integral=inst.integral,
        deadline=deadline,
        improve=improve,
    )
    return [("balanced", balanced), ("uncapacitated", lr.incumbent)], float(lr.bound)
