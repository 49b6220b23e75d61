r"""p-center: open ``p`` sites minimising the largest weighted cost of service.

.. math::

    \min \; r \quad \text{s.t.} \quad \text{every point } i \text{ is served by an
    open site } j \text{ with } w_i c_{ij} \le r, \quad \sum_j y_j \le p,
    \quad y_j = 1 \;\; \forall j \in R,

plus, with capacities, :math:`\sum_i d_i x_{ij} \le Q_j y_j` for single-sourced
assignments :math:`x`.

Method: the optimal :math:`r` is one of the distinct weighted costs. A greedy
(farthest-point) solution gives an upper end, the largest "cost to the nearest
usable site" a lower end, and a binary search over the distinct values in
between decides each radius exactly with the set-covering model of
:mod:`deploy_opt.location.covering` (minimum number of sites covering everyone,
compared with ``p``). The bound is the smallest radius not proven infeasible, so
it stays valid when the time limit cuts the search. Opening extra sites never
hurts, so fewer than ``p`` sites may be returned.

Which method runs when: the binary search of
:mod:`~deploy_opt.location.center._radius_search` always; the greedy upper end
only without capacities (with them the search starts from the largest radius).
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
from deploy_opt.location.center._radius_search import search_radii
from deploy_opt.location.result import LocationResult

__all__ = ["p_center"]


def p_center(
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
    """Minimise the largest weighted cost from a point to its site.

    Parameters
    ----------
    cost
        ``(n, m)`` cost matrix, dense or sparse (see
        :func:`~deploy_opt.location.p_median`).
    p
        Most sites to open, required ones included.
    weights
        Multiplier of each point's cost. Default 1.
    demands
        Capacity each point consumes. Default 1; used with ``capacities``.
    capacities
        Capacity of each site (single sourcing).
    required
        Sites that must be open.
    time_limit
        Seconds. Default: until proven optimal.
    seed
        Recorded in the result (the method is deterministic). Default 0.

    Returns
    -------
    LocationResult
        ``objective`` is ``max_i weights[i] * cost[i, assignment[i]]`` and
        ``bound`` a lower bound on it.

    Raises
    ------
    LocationInputError
        On malformed input.
    """
    start = time.perf_counter()
    inst = prepare(
        cost, weights=weights, demands=demands, capacities=capacities, required=required
    )
    p = check_p(p, inst)
    time_limit = check_time_limit(time_limit)
    return search_radii(inst, p, time_limit, seed, start)
