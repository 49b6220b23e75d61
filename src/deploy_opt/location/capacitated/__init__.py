r"""Capacitated p-median (single sourcing).

Formulation, with the notation of :mod:`deploy_opt.location.pmedian` plus
demands :math:`d_i` and capacities :math:`Q_j`:

.. math::

    \min \; & \sum_{i, j} w_i c_{ij} x_{ij} \\
    \text{s.t.} \; & \sum_j x_{ij} = 1 & \forall i           \quad (1)\\
    & \sum_i d_i x_{ij} \le Q_j y_j & \forall j                \quad (2)\\
    & x_{ij} \le y_j & \forall i, j                            \quad (3)\\
    & \sum_j y_j \le p, \quad y_j = 1 \; \forall j \in R      \quad (4)\\
    & \sum_j Q_j y_j \ge \textstyle\sum_i d_i                  \quad (5)\\
    & x_{ij}, y_j \in \{0, 1\}.

(3) and (5) are redundant for integers but tighten the LP relaxation.

Which method runs when
----------------------
* Obviously infeasible input (a point fits no usable site, or the ``p``
  largest capacities hold less than the total demand): "infeasible" at once.
* At most :data:`FULL_MODEL_PAIRS` usable pairs
  (:mod:`~deploy_opt.location.capacitated._small`):

  - below :data:`~deploy_opt.location.capacitated._small.HEURISTIC_MIN_PAIRS`
    pairs the full model goes to HiGHS;
  - otherwise location-allocation + POPMUSIC (below) give an incumbent; with
    integer demands and capacities (and a small enough DP) *column
    generation* with triple cuts on the set-partitioning master bounds the
    problem, fixes pairs and enumerates every cluster of a better solution
    for a partition search (:mod:`~deploy_opt.location.capacitated.columns`).
    When that does not finish, HiGHS solves the model on the pairs it left:
    "optimal" or "infeasible" there proves the best of the two solutions
    optimal. Where column generation does not apply (fractional demands or
    capacities, too large a DP) the full model is solved by HiGHS,
    warm-started with the incumbent.
* More pairs (:mod:`~deploy_opt.location.capacitated._large`; mid sizes up to
  :data:`~deploy_opt.location.capacitated._large.RESTRICTED_MAX_N` points,
  large above):

  1. *Starts*: demand-balanced regions (recursive bisection, one site per
     region; best when capacities are tight) and a good uncapacitated
     p-median (greedy, interchange and Lagrangian subgradient on mid sizes,
     whose bound also bounds this problem; a greedy on each point's cheapest
     sites on large ones). *Location-allocation* (Cooper's alternation,
     :mod:`~deploy_opt.location.capacitated._location_allocation`) from each:
     an optimal single-source assignment to the open sites (a small GAP MIP on
     mid sizes, a min-cost flow with repair on large ones) and a move of every
     site to the candidate that serves its own points cheapest, while the cost
     falls. The cheaper result is the first incumbent.
  2. *Pair re-optimisation*
     (:mod:`~deploy_opt.location.capacitated._cluster_pairs`): every split of
     two neighbouring small clusters over two sites, enumerated exactly; fixes
     most of a poor assignment in seconds when clusters hold a few points
     each.
  3. *POPMUSIC* (:mod:`~deploy_opt.location.capacitated._popmusic`) on growing
     sub-problems (4, 8, 12, ... neighbouring sites, then longer sub-MIP caps
     for what was cut short, then randomly shaped sub-problems), each
     re-solved by HiGHS warm-started with the current solution. On large
     instances the continuous-knapsack Lagrangian (4.) runs first, in a fixed
     share, and POPMUSIC takes all the time left.
  4. Mid sizes: a *restricted MIP* (each point limited to its ``k`` cheapest
     sites and its incumbent site, warm-started), then the *Lagrangian
     relaxation* of (1)
     (:mod:`~deploy_opt.location.capacitated._continuous_lagrangian`): for
     multipliers :math:`\lambda` each site solves a continuous knapsack over
     the points with :math:`w_i c_{ij} - \lambda_i < 0`, and the ``p`` best
     sites are opened. This gives a valid lower bound at any :math:`\lambda`
     and reduced costs that remove pairs which cannot improve on the
     incumbent.
  5. *Reduced MIP*: the full model on the surviving pairs, when they are few
     enough and time is left, warm-started and solved by HiGHS; its bound
     counts only then. When too many pairs survive, mid sizes spend the rest
     on a restricted MIP with ``2k`` sites per point instead.

The MIPs are built in :mod:`~deploy_opt.location.capacitated._model`; HiGHS
warm starts go through the official binding ``highspy``
(:func:`deploy_opt.location._mip.solve_mip`).

The reported bound is the best valid one found; the objective is recomputed
from the original costs. HiGHS is deterministic and every heuristic choice
here is iteration-based or seeded, but the POPMUSIC sub-MIP caps are
wall-clock seconds (HiGHS has no deterministic work limit that bounds its root
node), so the mid and large paths repeat exactly only where no sub-MIP reaches
its cap and no time limit cuts a search; on a loaded machine they get less
far.
"""

from __future__ import annotations

import numpy as np

from deploy_opt.location._arrays import FloatArray
from deploy_opt.location._problem import Instance
from deploy_opt.location.capacitated._large import solve_large
from deploy_opt.location.capacitated._small import solve_small
from deploy_opt.location.capacitated._solution import capacitated_result
from deploy_opt.location.result import LocationResult

__all__ = ["FULL_MODEL_PAIRS", "solve_capacitated"]


#: Up to this many usable (point, site) pairs the full model is solved.
FULL_MODEL_PAIRS = 45_000


def solve_capacitated(
    inst: Instance,
    p: int,
    *,
    time_limit: float | None,
    seed: int,
    start: float,
) -> LocationResult:
    """Solve the capacitated p-median for validated input (see
    :func:`~deploy_opt.location.p_median`); ``start`` is the
    :func:`time.perf_counter` reading taken when the call began.

    Raises
    ------
    LocationInputError
        When ``inst`` has no capacities.
    """
    caps = inst.require_capacities()
    deadline = None if time_limit is None else start + time_limit
    reason = _obviously_infeasible(inst, caps, p)
    if reason:
        return capacitated_result(
            inst, p, None, np.inf, "infeasible", reason, seed, start
        )
    allowed = inst.allowed & (inst.demands[:, None] <= caps[None, :])
    n_pairs = int(allowed.sum())
    if n_pairs <= FULL_MODEL_PAIRS:
        return solve_small(inst, p, allowed, n_pairs, deadline, seed, start)
    return solve_large(inst, p, allowed, deadline, seed, start)


def _obviously_infeasible(inst: Instance, caps: FloatArray, p: int) -> str:
    """Why no assignment can exist, found without a search ("" if none)."""
    fits = inst.allowed & (inst.demands[:, None] <= caps[None, :])
    if not fits.any(axis=1).all():
        bad = int(np.flatnonzero(~fits.any(axis=1))[0])
        return f"demand point {bad} fits no usable site"
    free = np.ones(inst.m, dtype=bool)
    free[inst.required] = False
    extra = np.sort(caps[free])[::-1][: p - inst.required.size]
    if caps[inst.required].sum() + extra.sum() < inst.demands.sum() - 1e-9:
        return "the p largest capacities are smaller than the total demand"
    return ""
