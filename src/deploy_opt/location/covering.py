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

All are solved exactly by HiGHS (branch and cut; the models are small and their
LP relaxations tight). The bound is HiGHS' dual bound: lower for LSCP, upper for
MCLP. Without capacities, points are assigned to their cheapest open covering
site (``-1`` if none, MCLP only).
"""

from __future__ import annotations

import time

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from deploy_opt.location._mip import MipOutcome, solve_mip
from deploy_opt.location._problem import (
    Instance,
    check_p,
    check_time_limit,
    prepare,
)
from deploy_opt.location.errors import LocationInputError
from deploy_opt.location.result import LocationResult, Status, finish

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]


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
    cost: object,
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
    cover = _cover_mask(inst, radius)
    if not cover.any(axis=1).all():
        return _result(
            inst, "set_cover", None, None, f, np.inf, "infeasible", seed, start
        )
    rows, cols = np.nonzero(cover)
    out = _solve(inst, rows, cols, f, None, mode="cover", time_limit=time_limit)
    sites, assign = _decode(inst, out, rows, cols, cover)
    status, bound = _status(out, sites)
    return _result(inst, "set_cover", sites, assign, f, bound, status, seed, start)


def mclp(
    cost: object,
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
    cover = _cover_mask(inst, radius)
    rows, cols = np.nonzero(cover)
    out = _solve(
        inst, rows, cols, np.zeros(inst.m), p, mode="max", time_limit=time_limit
    )
    sites, assign = _decode(inst, out, rows, cols, cover)
    if sites is not None:
        sites = _pad(sites, p, inst.m)
    status, bound = _status(out, sites)
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


def _cover_mask(inst: Instance, radius: float) -> BoolArray:
    cover = inst.allowed & (np.where(inst.allowed, inst.cost, np.inf) <= radius)
    if inst.capacities is not None:
        cover &= inst.demands[:, None] <= inst.capacities[None, :]
    return cover


def _pad(sites: IntArray, p: int, m: int) -> IntArray:
    """Open unused sites (lowest index first) up to ``p``; they change nothing."""
    if sites.size >= p:
        return sites
    rest = np.setdiff1d(np.arange(m), sites)[: p - sites.size]
    return np.sort(np.concatenate([sites, rest])).astype(np.intp)


def _solve(
    inst: Instance,
    rows: IntArray,
    cols: IntArray,
    site_cost: FloatArray,
    p: int | None,
    *,
    mode: str,
    time_limit: float | None,
) -> MipOutcome:
    """Build and solve a covering MIP; columns are ``[x or z..., y...]``.

    ``mode == "cover"``: every point covered, minimise site cost.
    ``mode == "max"``: maximise covered weight with ``p`` sites (as a minimisation
    of its negative).
    """
    n, m = inst.n, inst.m
    capacitated = inst.capacities is not None
    npair = rows.size
    n_first = npair if capacitated else (n if mode == "max" else 0)
    nv = n_first + m
    ys = n_first + np.arange(m)
    c = np.zeros(nv)
    c[ys] = site_cost
    integrality = np.ones(nv, dtype=np.int8)
    lower, upper = np.zeros(nv), np.ones(nv)
    lower[n_first + inst.required] = 1.0
    blocks: list[sp.csr_array] = []
    lo: list[FloatArray] = []
    hi: list[FloatArray] = []
    if capacitated:
        caps = inst.capacities
        assert caps is not None
        xs = np.arange(npair)
        if mode == "max":
            c[xs] = -inst.weights[rows]
        # each point assigned at most once (max) or exactly once (cover)
        blocks.append(sp.csr_array((np.ones(npair), (rows, xs)), shape=(n, nv)))
        lo.append(np.zeros(n) if mode == "max" else np.ones(n))
        hi.append(np.ones(n))
        # capacity of open sites
        blocks.append(
            sp.csr_array(
                (
                    np.concatenate([inst.demands[rows], -caps]),
                    (np.concatenate([cols, np.arange(m)]), np.concatenate([xs, ys])),
                ),
                shape=(m, nv),
            )
        )
        lo.append(np.full(m, -np.inf))
        hi.append(np.zeros(m))
        # x_ij <= y_j
        blocks.append(
            sp.csr_array(
                (
                    np.concatenate([np.ones(npair), -np.ones(npair)]),
                    (np.concatenate([xs, xs]), np.concatenate([xs, n_first + cols])),
                ),
                shape=(npair, nv),
            )
        )
        lo.append(np.full(npair, -np.inf))
        hi.append(np.zeros(npair))
    elif mode == "max":
        c[:n] = -inst.weights
        integrality[:n] = 0  # z is integral at an optimum once y is
        # z_i <= sum_{j in N_i} y_j
        blocks.append(
            sp.csr_array(
                (
                    np.concatenate([np.ones(n), -np.ones(npair)]),
                    (
                        np.concatenate([np.arange(n), rows]),
                        np.concatenate([np.arange(n), n + cols]),
                    ),
                ),
                shape=(n, nv),
            )
        )
        lo.append(np.full(n, -np.inf))
        hi.append(np.zeros(n))
    else:
        # sum_{j in N_i} y_j >= 1
        blocks.append(sp.csr_array((np.ones(npair), (rows, cols)), shape=(n, nv)))
        lo.append(np.ones(n))
        hi.append(np.full(n, np.inf))
    if p is not None:
        blocks.append(
            sp.csr_array((np.ones(m), (np.zeros(m, dtype=np.intp), ys)), shape=(1, nv))
        )
        lo.append(np.array([float(p)]))
        hi.append(np.array([float(p)]))
    a = sp.vstack(blocks, format="csr")
    return solve_mip(
        c,
        integrality,
        lower,
        upper,
        a,
        np.concatenate(lo),
        np.concatenate(hi),
        time_limit,
    )


def _decode(
    inst: Instance, out: MipOutcome, rows: IntArray, cols: IntArray, cover: BoolArray
) -> tuple[IntArray | None, IntArray | None]:
    if out.x is None:
        return None, None
    m = inst.m
    y = out.x[-m:] > 0.5
    sites = np.flatnonzero(y).astype(np.intp)
    assign = np.full(inst.n, -1, dtype=np.intp)
    if inst.capacities is not None:
        chosen = out.x[: rows.size] > 0.5
        assign[rows[chosen]] = cols[chosen]
    else:
        reach = np.where(cover[:, sites], inst.cost[:, sites], np.inf)
        if sites.size:
            pos = np.argmin(reach, axis=1)
            ok = np.isfinite(reach[np.arange(inst.n), pos])
            assign[ok] = sites[pos[ok]]
    return sites, assign


def _status(out: MipOutcome, sites: IntArray | None) -> tuple[Status, float]:
    if out.status == "infeasible":
        return "infeasible", np.inf
    if out.status == "optimal" and sites is not None:
        return "optimal", out.objective
    status: Status = "time_limit" if out.status == "time_limit" else "feasible"
    return status, out.bound


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
        sites = np.zeros(0, dtype=np.intp)
        assign = np.full(inst.n, -1, dtype=np.intp)
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
