"""The capacitated p-median as a MIP for HiGHS, on a chosen set of pairs.

Model (1)-(5) of :mod:`deploy_opt.location.capacitated` restricted to given
(point, site) pairs, its warm-start vector, decoding of a MIP solution, the
restricted matheuristic (each point limited to its cheapest sites) and the
single-source assignment (GAP) model for open sites.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from deploy_opt.location._arrays import BoolArray, FloatArray, IntArray
from deploy_opt.location._mip import MipOutcome, solve_mip
from deploy_opt.location._problem import Instance, median_objective
from deploy_opt.location.result import Status


def solve_model(
    inst: Instance,
    p: int,
    rows: IntArray,
    cols: IntArray,
    time_limit: float | None,
    cutoff: float = np.inf,
    start: IntArray | None = None,
) -> MipOutcome:
    """Model (1)-(5) on the given pairs; with a finite ``cutoff`` also the row
    ``objective <= cutoff`` (then "infeasible" means nothing at most ``cutoff``).

    ``start``: an assignment whose pairs are all among the given ones, handed to
    HiGHS as its first incumbent (ignored otherwise).
    """
    n, m = inst.n, inst.m
    caps = inst.require_capacities()
    nx = rows.size
    nv = nx + m
    weighted = inst.weighted[rows, cols]
    c = np.concatenate([weighted, np.zeros(m)])
    integrality = np.ones(nv, dtype=np.int8)
    lower = np.zeros(nv)
    upper = np.ones(nv)
    lower[nx + inst.required] = 1.0
    used = np.zeros(m, dtype=bool)
    used[cols] = True
    upper[nx + np.flatnonzero(~used)] = 0.0
    upper[nx + inst.required] = 1.0
    xs = np.arange(nx)
    # (1) each point served once
    a1 = sp.csr_array((np.ones(nx), (rows, xs)), shape=(n, nv))
    # (2) capacity of open sites
    a2 = sp.csr_array(
        (
            np.concatenate([inst.demands[rows], -caps]),
            (
                np.concatenate([cols, np.arange(m)]),
                np.concatenate([xs, nx + np.arange(m)]),
            ),
        ),
        shape=(m, nv),
    )
    # (3) x_ij <= y_j
    a3 = sp.csr_array(
        (
            np.concatenate([np.ones(nx), -np.ones(nx)]),
            (np.concatenate([xs, xs]), np.concatenate([xs, nx + cols])),
        ),
        shape=(nx, nv),
    )
    # (4) p sites (at most p when fewer can open: sites no pair may use are fixed
    # closed; extra open sites never lower the cost) and (5) enough capacity
    a4 = sp.csr_array(
        (
            np.concatenate([np.ones(m), caps]),
            (np.repeat([0, 1], m), np.concatenate([nx + np.arange(m)] * 2)),
        ),
        shape=(2, nv),
    )
    blocks = [a1, a2, a3, a4]
    total = float(inst.demands.sum())
    # "= p" where p sites can be open (tighter for HiGHS), else "<= p"
    at_least = min(p, int(np.count_nonzero(upper[nx:] > 0)))
    row_lower = np.concatenate(
        [np.ones(n), np.full(m + nx, -np.inf), [at_least, total]]
    )
    row_upper = np.concatenate([np.ones(n), np.zeros(m + nx), [p, np.inf]])
    if np.isfinite(cutoff):
        blocks.append(sp.csr_array(c[None, :]))
        row_lower = np.append(row_lower, -np.inf)
        row_upper = np.append(row_upper, cutoff)
    a = sp.vstack(blocks, format="csr")
    x0 = None if start is None else start_vector(inst, p, rows, cols, start)
    return solve_mip(
        c, integrality, lower, upper, a, row_lower, row_upper, time_limit, x0
    )


def start_vector(
    inst: Instance, p: int, rows: IntArray, cols: IntArray, assign: IntArray
) -> FloatArray | None:
    """Model (1)-(5) variables of ``assign`` (``None`` if a pair is missing)."""
    x = (assign[rows] == cols).astype(np.float64)
    if int(x.sum()) != inst.n:
        return None
    y = np.zeros(inst.m)
    y[np.unique(assign)] = 1.0
    y[inst.required] = 1.0
    usable = np.zeros(inst.m, dtype=bool)
    usable[cols] = True
    usable[inst.required] = True
    spare = np.flatnonzero(usable & (y == 0))
    need = min(p, int(usable.sum())) - int(y.sum())
    if need < 0:
        return None
    caps = inst.require_capacities()
    y[spare[np.lexsort((spare, -caps[spare]))][:need]] = 1.0
    return np.concatenate([x, y])


def decode(out: MipOutcome, rows: IntArray, cols: IntArray, n: int) -> IntArray | None:
    """Assignment from a MIP solution (``None`` without a complete one)."""
    if out.x is None:
        return None
    chosen = out.x[: rows.size] > 0.5
    assign = np.full(n, -1, dtype=np.intp)
    assign[rows[chosen]] = cols[chosen]
    if (assign < 0).any():
        return None
    return assign


def restricted_mip(
    inst: Instance,
    allowed: BoolArray,
    p: int,
    k: int,
    incumbent: IntArray | None,
    time_limit: float | None,
) -> IntArray | None:
    """Model (1)-(5) with each point limited to its ``k`` cheapest sites and its
    incumbent site, warm-started with the incumbent; its solution (or ``None``)."""
    rows, cols = k_cheapest(inst, allowed, k)
    if incumbent is not None:
        pairs = np.union1d(
            rows.astype(np.int64) * inst.m + cols,
            np.arange(inst.n, dtype=np.int64) * inst.m + incumbent,
        )
        rows = (pairs // inst.m).astype(np.intp)
        cols = (pairs % inst.m).astype(np.intp)
    out = solve_model(inst, p, rows, cols, time_limit, start=incumbent)
    return decode(out, rows, cols, inst.n)


def k_cheapest(inst: Instance, allowed: BoolArray, k: int) -> tuple[IntArray, IntArray]:
    cost = np.where(allowed, inst.cost, np.inf)
    k = min(k, inst.m)
    part = np.argpartition(cost, k - 1, axis=1)[:, :k]
    rows = np.repeat(np.arange(inst.n), k)
    cols = part.ravel()
    ok = allowed[rows, cols]
    # Required sites stay available to everyone who may use them.
    extra_r, extra_c = np.nonzero(allowed[:, inst.required])
    rows = np.concatenate([rows[ok], extra_r])
    cols = np.concatenate([cols[ok], inst.required[extra_c]])
    pairs = np.unique(rows.astype(np.int64) * inst.m + cols)
    return (pairs // inst.m).astype(np.intp), (pairs % inst.m).astype(np.intp)


def gap_model(
    inst: Instance, rows: IntArray, cols: IntArray, time_limit: float | None
) -> MipOutcome:
    """Single-source assignment on the given pairs (sites already open)."""
    caps = inst.require_capacities()
    n, m, nx = inst.n, inst.m, rows.size
    xs = np.arange(nx)
    a1 = sp.csr_array((np.ones(nx), (rows, xs)), shape=(n, nx))
    a2 = sp.csr_array((inst.demands[rows], (cols, xs)), shape=(m, nx))
    return solve_mip(
        inst.weighted[rows, cols],
        np.ones(nx, dtype=np.int8),
        np.zeros(nx),
        np.ones(nx),
        sp.vstack([a1, a2], format="csr"),
        np.concatenate([np.ones(n), np.full(m, -np.inf)]),
        np.concatenate([np.ones(n), caps]),
        time_limit,
    )


def mip_status(
    out: MipOutcome, assign: IntArray | None, inst: Instance
) -> tuple[Status, float]:
    if out.status == "optimal" and assign is not None:
        return "optimal", median_objective(inst, assign)
    if out.status == "infeasible":
        return "infeasible", np.inf
    status: Status = "time_limit" if out.status == "time_limit" else "feasible"
    return status, out.bound
