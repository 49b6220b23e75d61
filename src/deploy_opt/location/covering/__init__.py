r"""Covering models: set covering (LSCP) and maximal covering (MCLP).

A demand point :math:`i` is *covered* by site :math:`j` when the pair is usable
and :math:`c_{ij} \le r` (the radius, e.g. a response-time threshold). With
:math:`N_i = \{j : c_{ij} \le r\}`:

LSCP (Toregas et al. 1971), optionally with site costs :math:`f_j`:

.. math::

    \min \sum_j f_j y_j \quad \text{s.t.} \quad
    \sum_{j \in N_i} y_j \ge 1 \;\; \forall i, \qquad y_j = 1 \;\; \forall j \in R.

MCLP (Church & ReVelle 1974), weights :math:`w_i`:

.. math::

    \max \sum_i w_i z_i \quad \text{s.t.} \quad
    z_i \le \sum_{j \in N_i} y_j \;\; \forall i, \quad \sum_j y_j = p, \quad
    y_j = 1 \;\; \forall j \in R, \quad 0 \le z_i \le 1.

With capacities :math:`Q_j` and demands :math:`d_i` each covered point is
assigned to one covering site: binaries :math:`x_{ij}, j \in N_i`, with
:math:`\sum_j x_{ij} = 1` (LSCP) or :math:`= z_i` (MCLP),
:math:`\sum_i d_i x_{ij} \le Q_j y_j` and :math:`x_{ij} \le y_j`.

Which method runs when: always one MIP (:mod:`~deploy_opt.location.covering._model`)
solved exactly by HiGHS through :func:`scipy.optimize.milp` (branch and cut; the
models are small and their LP relaxations tight); an uncoverable point makes
LSCP "infeasible" without it. The bound is HiGHS' dual bound: lower for LSCP,
upper for MCLP. Without capacities, points are assigned to their cheapest open
covering site (``-1`` if none, MCLP only).
"""

from __future__ import annotations

import time

import numpy as np
import numpy.typing as npt

from deploy_opt.location._arrays import FloatArray, IntArray
from deploy_opt.location._problem import (
    CostMatrix,
    Instance,
    check_p,
    check_time_limit,
    prepare,
)
from deploy_opt.location.covering._model import (
    cover_mask,
    covering_mip,
    decode,
    mip_status,
)
from deploy_opt.location.errors import LocationInputError
from deploy_opt.location.result import LocationResult, Status, finish, no_solution

__all__ = ["check_radius", "mclp", "set_cover"]


def check_radius(radius: float) -> float:
    """Validate a coverage radius.

    Raises
    ------
    LocationInputError
        When it is negative or not a finite number.
    """
    value = float(radius)
    if not np.isfinite(value) or value < 0:
        msg = f"`radius` must be a finite non-negative number, got {radius!r}"
        raise LocationInputError(msg)
    return value


def set_cover(
    cost: CostMatrix,
    radius: float,
    *,
    demands: npt.ArrayLike | None = None,
    capacities: npt.ArrayLike | None = None,
    required: npt.ArrayLike | None = None,
    site_costs: npt.ArrayLike | None = None,
    time_limit: float | None = None,
    seed: int = 0,
) -> LocationResult:
    """Open the fewest (or cheapest) sites so every point is within ``radius``.

    Parameters
    ----------
    cost
        ``(n, m)`` cost matrix, dense or sparse (see
        :func:`~deploy_opt.location.p_median`).
    radius
        A point is covered by a site when their cost is at most this.
    demands
        Capacity each point consumes. Default 1; used with ``capacities``.
    capacities
        Capacity of each site; each point is then assigned to one covering site.
    required
        Sites that must be open.
    site_costs
        Cost of opening each site. Default 1 (minimise the number of sites).
    time_limit
        Seconds. Default: until proven optimal.
    seed
        Recorded in the result (the method is deterministic). Default 0.

    Returns
    -------
    LocationResult
        ``objective`` is the total opening cost; ``bound`` a lower bound;
        ``status`` is ``infeasible`` when some point cannot be covered.

    Raises
    ------
    LocationInputError
        On malformed input.
    """
    start = time.perf_counter()
    inst = prepare(cost, demands=demands, capacities=capacities, required=required)
    radius = check_radius(radius)
    time_limit = check_time_limit(time_limit)
    f = _site_costs(site_costs, inst.m)
    cover = cover_mask(inst, radius)
    if not cover.any(axis=1).all():
        return _result(
            inst, "set_cover", None, None, f, np.inf, "infeasible", seed, start
        )
    rows, cols = np.nonzero(cover)
    out = covering_mip(inst, rows, cols, f, None, mode="cover", time_limit=time_limit)
    sites, assign = decode(inst, out, rows, cols, cover)
    status, bound = mip_status(out, sites)
    return _result(inst, "set_cover", sites, assign, f, bound, status, seed, start)


def mclp(
    cost: CostMatrix,
    radius: float,
    p: int,
    *,
    weights: npt.ArrayLike | None = None,
    demands: npt.ArrayLike | None = None,
    capacities: npt.ArrayLike | None = None,
    required: npt.ArrayLike | None = None,
    time_limit: float | None = None,
    seed: int = 0,
) -> LocationResult:
    """Open ``p`` sites covering the most demand weight within ``radius``.

    Parameters
    ----------
    cost
        ``(n, m)`` cost matrix, dense or sparse.
    radius
        A point is covered by a site when their cost is at most this.
    p
        Number of sites to open, required ones included.
    weights
        Value of covering each point (e.g. voters x risk weight). Default 1.
    demands
        Capacity each covered point consumes. Default 1; used with ``capacities``.
    capacities
        Capacity of each site.
    required
        Sites that must be open.
    time_limit
        Seconds. Default: until proven optimal.
    seed
        Recorded in the result (the method is deterministic). Default 0.

    Returns
    -------
    LocationResult
        ``sense == "max"``: ``objective`` is the covered weight and ``bound`` an
        upper bound; ``assignment`` is ``-1`` for uncovered points.

    Raises
    ------
    LocationInputError
        On malformed input.
    """
    start = time.perf_counter()
    inst = prepare(
        cost, weights=weights, demands=demands, capacities=capacities, required=required
    )
    radius = check_radius(radius)
    p = check_p(p, inst)
    time_limit = check_time_limit(time_limit)
    cover = cover_mask(inst, radius)
    rows, cols = np.nonzero(cover)
    out = covering_mip(
        inst, rows, cols, np.zeros(inst.m), p, mode="max", time_limit=time_limit
    )
    sites, assign = decode(inst, out, rows, cols, cover)
    if sites is not None:
        sites = _pad(sites, p, inst.m)
    status, bound = mip_status(out, sites)
    bound = -bound if np.isfinite(bound) else float(inst.weights.sum())
    return _result(
        inst, "mclp", sites, assign, None, bound, status, seed, start, sense="max"
    )


def _site_costs(site_costs: npt.ArrayLike | None, m: int) -> FloatArray:
    if site_costs is None:
        return np.ones(m)
    f = np.asarray(site_costs, dtype=np.float64)
    if f.shape != (m,) or not np.all(np.isfinite(f)) or (f < 0).any():
        msg = f"`site_costs` must be {m} finite non-negative numbers"
        raise LocationInputError(msg)
    return f


def _pad(sites: IntArray, p: int, m: int) -> IntArray:
    """Open unused sites (lowest index first) up to ``p``; they change nothing."""
    if sites.size >= p:
        return sites
    rest = np.setdiff1d(np.arange(m), sites)[: p - sites.size]
    return np.sort(np.concatenate([sites, rest])).astype(np.intp)


def _result(
    inst: Instance,
    model: str,
    sites: IntArray | None,
    assign: IntArray | None,
    site_cost: FloatArray | None,
    bound: float,
    status: Status,
    seed: int,
    start: float,
    *,
    sense: str = "min",
) -> LocationResult:
    if sites is None or assign is None:
        sites, assign = no_solution(inst.n)
        objective = float("inf") if sense == "min" else float("-inf")
    elif site_cost is not None:
        objective = float(site_cost[sites].sum())
    else:
        objective = float(inst.weights[assign >= 0].sum())
    return finish(
        model,
        objective,
        bound,
        status,
        sites,
        assign,
        start,
        "HiGHS",
        seed,
        "max" if sense == "max" else "min",
    )
