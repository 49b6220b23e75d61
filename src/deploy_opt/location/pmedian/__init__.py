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

Which method runs when
----------------------
* With ``capacities``: the capacitated p-median of
  :mod:`deploy_opt.location.capacitated` (single sourcing).
* Without (:mod:`~deploy_opt.location.pmedian._uncapacitated`):

  1. Greedy construction, then best-improvement interchange on sorted pairs
     (:mod:`~deploy_opt.location.pmedian._heuristics`): the first incumbent.
  2. Lagrangian relaxation of (1) by subgradient optimisation
     (:mod:`~deploy_opt.location.pmedian._lagrangian`), with the interchange
     applied to the relaxed site sets on the way: a lower bound (at best the LP
     bound) and usually a better incumbent. With integer costs,
     ``ceil(bound) == incumbent`` proves optimality here.
  3. Otherwise Lagrangian reduced-cost fixing removes every ``x_ij`` and
     ``y_j`` that cannot appear in a solution better than the incumbent, and a
     Lagrangian branch and bound
     (:mod:`~deploy_opt.location.pmedian._branch_and_bound`) searches the rest.
     It branches on the total opening of *balls* of neighbouring sites
     (:mod:`~deploy_opt.location.pmedian._branching`), which moves the bound far
     more than fixing single sites when the LP spreads its openings, chosen by
     strong branching in pseudo-cost order; each node's bound is a
     warm-started Lagrangian whose site subproblem respects the branching
     bounds exactly (:mod:`~deploy_opt.location.pmedian._node_bound`,
     :mod:`~deploy_opt.location.pmedian._laminar`). When the time limit stops
     it, the bound is the smallest among the open nodes, so it is always valid.

The uncapacitated algorithm is deterministic: ``seed`` is recorded in the
result and used only by randomised components (the capacitated heuristic).
"""

from __future__ import annotations

import time

import numpy.typing as npt

from deploy_opt.location._problem import (
    CostMatrix,
    check_p,
    check_time_limit,
    prepare,
)
from deploy_opt.location.pmedian._uncapacitated import solve_uncapacitated
from deploy_opt.location.result import LocationResult

__all__ = ["p_median"]


def p_median(
    cost: CostMatrix,
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
        # imported here: the capacitated solver builds on this package's heuristics
        from deploy_opt.location.capacitated import solve_capacitated

        return solve_capacitated(inst, p, time_limit=time_limit, seed=seed, start=start)
    return solve_uncapacitated(inst, p, time_limit, seed, start)
