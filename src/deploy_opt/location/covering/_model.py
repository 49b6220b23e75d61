"""The covering MIPs (set cover and maximal covering, optionally capacitated),
built for HiGHS and read back; :mod:`deploy_opt.location.center` decides each
radius with the set-cover one.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from deploy_opt.location._arrays import BoolArray, FloatArray, IntArray
from deploy_opt.location._mip import MipOutcome, solve_mip
from deploy_opt.location._problem import Instance
from deploy_opt.location.result import Status


def cover_mask(inst: Instance, radius: float) -> BoolArray:
    """Usable pairs within ``radius`` (and, with capacities, that fit)."""
    cover = inst.allowed & (np.where(inst.allowed, inst.cost, np.inf) <= radius)
    if inst.capacities is not None:
        cover &= inst.demands[:, None] <= inst.capacities[None, :]
    return cover


def covering_mip(
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
        caps = inst.require_capacities()
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


def decode(
    inst: Instance, out: MipOutcome, rows: IntArray, cols: IntArray, cover: BoolArray
) -> tuple[IntArray | None, IntArray | None]:
    """Open sites and each point's site (``-1``: uncovered) from a MIP solution
    (``None`` without one)."""
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


def mip_status(out: MipOutcome, sites: IntArray | None) -> tuple[Status, float]:
    """The result status of a MIP outcome, and the bound that goes with it."""
    if out.status == "infeasible":
        return "infeasible", np.inf
    if out.status == "optimal" and sites is not None:
        return "optimal", out.objective
    status: Status = "time_limit" if out.status == "time_limit" else "feasible"
    return status, out.bound
