r"""p-median: open ``p`` sites minimising the weighted cost of serving every point.

Formulation (uncapacitated; Hakimi 1964, ReVelle & Swain 1970), for demand
points :math:`i \in I`, candidate sites :math:`j \in J`, weights :math:`w_i`,
costs :math:`c_{ij}` (:math:`+\infty` where a pair is forbidden) and required
sites :math:`R \subseteq J`:

.. math::

    \min \; & \sum_{i \in I} \sum_{j \in J} w_i c_{ij} x_{ij} \\
    \text{s.t.} \; & \sum_{j} x_{ij} = 1 & \forall i        \quad (1)\\
    & x_{ij} \le y_j & \forall i, j                          \quad (2)\\
    & \sum_{j} y_j = p                                       \quad (3)\\
    & y_j = 1 & \forall j \in R                              \quad (4)\\
    & x_{ij} \ge 0,\; y_j \in \{0, 1\}.

With capacities :math:`Q_j` and demands :math:`d_i` the model becomes the
capacitated p-median of :mod:`deploy_opt.location.capacitated`.

Method (uncapacitated)
----------------------
1. Greedy construction, then best-improvement interchange
   (:mod:`~deploy_opt.location._swap`, the moves of
   :func:`~deploy_opt.location.heuristics.fast_swap` on sorted pairs): the
   first incumbent.
2. Lagrangian relaxation of (1) by subgradient optimisation
   (:mod:`~deploy_opt.location.lagrangian`), with the interchange applied to
   the relaxed site sets on the way: a lower bound (at best the LP bound) and
   usually a better incumbent. With integer costs, ``ceil(bound) == incumbent``
   proves optimality here.
3. Otherwise Lagrangian reduced-cost fixing removes every ``x_ij`` and ``y_j``
   that cannot appear in a solution better than the incumbent, and a
   Lagrangian branch and bound (:mod:`~deploy_opt.location._bnb`) searches
   the rest. It branches on the total opening of *balls* of neighbouring sites
   (:mod:`~deploy_opt.location._branching`), which moves the bound far more
   than fixing single sites when the LP spreads its openings, chosen by strong
   branching in pseudo-cost order; each node's bound is a warm-started
   Lagrangian whose site subproblem respects the branching bounds exactly
   (:mod:`~deploy_opt.location._node_dual`,
   :mod:`~deploy_opt.location._laminar`). When the time limit stops it, the
   bound is the smallest among the open nodes, so it is always valid.

The algorithm is deterministic: ``seed`` is recorded in the result and used
only by randomised components (the capacitated heuristic).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from deploy_opt.location._bnb import branch_and_bound
from deploy_opt.location._branching import BallFamily
from deploy_opt.location._pairs import Pairs
from deploy_opt.location._problem import (
    Instance,
    check_p,
    check_time_limit,
    median_objective,
    nearest_assignment,
    prepare,
)
from deploy_opt.location._swap import pair_swap
from deploy_opt.location.heuristics import (
    assignment_cost,
    greedy_add,
    penalised,
)
from deploy_opt.location.lagrangian import SubgradientOutcome, subgradient
from deploy_opt.location.result import LocationResult, Status, finish

IntArray = npt.NDArray[np.intp]

#: Share of the time limit the Lagrangian phase may use before the exact phase.
_LAGRANGIAN_SHARE = 0.4


def p_median(
    cost: object,
    p: int,
    *,
    weights: npt.ArrayLike | None = None,
    demands: npt.ArrayLike | None = None,
    capacities: npt.ArrayLike | None = None,
    required: npt.ArrayLike | None = None,
    time_limit: float | None = None,
    seed: int = 0,
) -> LocationResult:
    """Solve the (capacitated) p-median problem with a proven bound.

    Parameters
    ----------
    cost
        ``(n, m)`` cost from each demand point (row) to each candidate site
        (column): dense array (``inf`` or, for integer arrays,
        :data:`~deploy_opt.units.UNREACHABLE` forbids a pair) or SciPy sparse
        matrix (missing entries are forbidden pairs).
    p
        Number of sites to open, required ones included.
    weights
        Multiplier of each demand point's cost (for example voters). Default 1.
    demands
        Capacity each demand point consumes at its site. Default 1. Only used
        with ``capacities``.
    capacities
        Capacity of each site; when given the problem is capacitated and each
        point is served by exactly one site (single sourcing).
    required
        Sites that must be open (pre-opened facilities).
    time_limit
        Seconds for the whole call. Default: until proven optimal.
    seed
        Seed of the randomised components. Default 0.

    Returns
    -------
    LocationResult
        ``objective`` is ``sum_i weights[i] * cost[i, assignment[i]]``;
        ``bound`` is a proven lower bound.

    Raises
    ------
    LocationInputError
        On malformed input: bad shapes, negative or NaN values, ``p`` out of
        range, invalid required sites or time limit.
    """
    start = time.perf_counter()
    inst = prepare(
        cost,
        weights=weights,
        demands=demands,
        capacities=capacities,
        required=required,
    )
    p = check_p(p, inst)
    time_limit = check_time_limit(time_limit)
    if inst.capacities is not None:
        from deploy_opt.location.capacitated import solve_capacitated

        return solve_capacitated(inst, p, time_limit=time_limit, seed=seed, start=start)
    return _solve_uncapacitated(inst, p, time_limit, seed, start)


def _solve_uncapacitated(
    inst: Instance, p: int, time_limit: float | None, seed: int, start: float
) -> LocationResult:
    weighted = inst.weighted
    if not inst.allowed.any(axis=1).all():
        return _finish(inst, None, np.inf, "infeasible", "presolve", seed, start)
    deadline = None if time_limit is None else start + time_limit
    dist, _ = penalised(weighted)
    req = inst.required
    dist_pairs = Pairs.from_dense(dist)

    def swap(candidate: IntArray) -> IntArray:
        return pair_swap(dist, dist_pairs, candidate, req)

    sites = swap(greedy_add(dist, p, req))
    ub = assignment_cost(weighted, sites)

    def improve(candidate: IntArray) -> tuple[IntArray, float]:
        better = swap(candidate)
        return better, assignment_cost(weighted, better)

    lr_deadline = None if time_limit is None else start + _LAGRANGIAN_SHARE * time_limit
    lr = subgradient(
        weighted,
        p,
        req,
        sites,
        ub,
        integral=inst.integral,
        deadline=lr_deadline,
        improve=improve,
        pairs=dist_pairs if bool(inst.allowed.all()) else None,
    )
    sites, ub = lr.incumbent, lr.incumbent_cost
    bound = _round_bound(lr.bound, inst.integral)
    method = f"greedy+swap, lagrangian ({lr.iterations} it)"
    if np.isfinite(ub) and bound >= ub - _tol(ub):
        return _finish(inst, sites, ub, "optimal", method, seed, start)
    remaining = None if deadline is None else max(deadline - time.perf_counter(), 0.0)
    found, ub, bound, status, note = _exact_phase(
        inst, p, lr, sites, ub, remaining, swap
    )
    bound = max(bound, _round_bound(lr.bound, inst.integral))
    return _finish(inst, found, bound, status, f"{method}, {note}", seed, start)


def _tol(value: float) -> float:
    return 1e-9 * max(1.0, abs(value))


def _round_bound(bound: float, integral: bool) -> float:
    if integral and np.isfinite(bound):
        return float(math.ceil(bound - 1e-6))
    return float(bound)


def _exact_phase(
    inst: Instance,
    p: int,
    lr: SubgradientOutcome,
    sites: IntArray,
    ub: float,
    time_limit: float | None,
    swap: Callable[[IntArray], IntArray],
) -> tuple[IntArray | None, float, float, Status, str]:
    """Reduced-cost fixing, then the Lagrangian branch and bound on what is left.

    Returns sites, objective, bound, status and a note for ``method``.
    """
    weighted = inst.weighted
    n, m = weighted.shape
    has_ub = bool(np.isfinite(ub))
    # Keep only what can appear in a solution strictly better than the incumbent
    # (integer costs) or at least as good (float costs, incumbent stays feasible).
    if has_ub:
        threshold = ub - 1.0 + 1e-6 if inst.integral else ub + 1e-7 * max(1.0, ub)
    else:
        threshold = np.inf
    lam, rho, chosen = lr.multipliers, lr.rho, lr.chosen
    free = np.ones(m, dtype=bool)
    free[inst.required] = False
    in_chosen = np.zeros(m, dtype=bool)
    in_chosen[chosen] = True
    free_chosen = free & in_chosen
    free_other = free & ~in_chosen
    rho_last = rho[free_chosen].max() if free_chosen.any() else np.inf
    rho_next = rho[free_other].min() if free_other.any() else np.inf
    open_penalty = np.where(in_chosen, 0.0, np.maximum(rho - rho_last, 0.0))
    close_penalty = np.where(free_chosen, np.maximum(rho_next - rho, 0.0), 0.0)
    closed = free_other & (lr.bound + open_penalty > threshold)
    fixed_open = ~free | (free_chosen & (lr.bound + close_penalty > threshold))
    with np.errstate(invalid="ignore"):
        pair_bound = (
            lr.bound + np.maximum(weighted - lam[:, None], 0.0) + open_penalty[None, :]
        )
    keep = inst.allowed & (pair_bound <= threshold) & ~closed[None, :]
    if fixed_open.sum() > p:
        # The incumbent cannot be beaten: every improving solution would need more
        # than p sites.
        return sites, ub, ub, "optimal", "fixing proves optimality"
    rows, cols = np.nonzero(keep)
    if not np.all(np.bincount(rows, minlength=n) > 0):
        # Some point has no pair of a solution at most the threshold: with an
        # incumbent (whose own pairs pass the test up to rounding) it is optimal.
        if has_ub:
            return sites, ub, ub, "optimal", "fixing proves optimality"
        return None, np.inf, np.inf, "infeasible", "fixing proves infeasibility"

    def evaluate(candidate: IntArray) -> tuple[IntArray, float]:
        cost = assignment_cost(weighted, candidate)
        # Polish only promising sets: the swap costs far more than a node.
        if cost < ub * 1.01:
            better = swap(candidate)
            return better, assignment_cost(weighted, better)
        return candidate, cost

    deadline = None if time_limit is None else time.perf_counter() + time_limit
    out = branch_and_bound(
        rows.astype(np.intp),
        cols.astype(np.intp),
        weighted[rows, cols],
        (n, m),
        p,
        fixed_open,
        closed,
        lam,
        lr.bound,
        sites,
        ub,
        evaluate,
        BallFamily(inst.cost),
        integral=inst.integral,
        deadline=deadline,
    )
    note = (
        f"lagrangian B&B on {rows.size} of {n * m} pairs, "
        f"{int((~closed & ~fixed_open).sum())} free sites, {out.nodes} nodes"
    )
    if out.complete:
        if not np.isfinite(out.cost):
            return None, np.inf, np.inf, "infeasible", note
        return out.sites, out.cost, out.cost, "optimal", note
    return out.sites, out.cost, out.bound, "time_limit", note


def _finish(
    inst: Instance,
    sites: IntArray | None,
    bound: float,
    status: Status,
    method: str,
    seed: int,
    start: float,
) -> LocationResult:
    if sites is None or len(sites) == 0:
        assignment = np.full(inst.n, -1, dtype=np.intp)
        objective = float("inf")
        sites = np.zeros(0, dtype=np.intp)
    else:
        sites = np.sort(np.asarray(sites, dtype=np.intp))
        assignment, _ = nearest_assignment(inst, sites)
        objective = median_objective(inst, assignment)
    return finish(
        "p_median", objective, bound, status, sites, assignment, start, method, seed
    )
