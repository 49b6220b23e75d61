"""The exact team models, through :mod:`deploy_opt.location`, on reduced data.

The location models take dense matrices, so each instance is shrunk first:
for uncapacitated covering, TPS reached by the same candidates become one
weighted row and candidates that reach nothing are left out. An instance still
larger than :data:`MAX_CELLS` (or, in a reproducible run, :data:`DETERMINISTIC_CELLS`)
is not sent; the caller keeps its greedy answer and says why.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from deploy_opt.location import mclp, p_center, p_median, set_cover
from deploy_opt.problem import IntArray
from deploy_opt.solvers.team_greedy import ones
from deploy_opt.solvers.team_pool import TeamPool

#: Dense cells (rows x columns) the exact model may take under a time limit.
MAX_CELLS = 4_000_000
#: Cells in a reproducible run, where the model runs without a clock to its end.
DETERMINISTIC_CELLS = 40_000


@dataclass(frozen=True)
class Exact:
    """What an exact model gave: pool rows of its teams and its proof.

    ``rows`` is empty when it found no solution; ``assign`` (capacitated only)
    gives each TPS's team as an index into ``rows``.
    """

    rows: IntArray
    assign: IntArray | None
    proven: bool
    bound: float | None
    runtime_s: float
    status: str
    method: str = ""


def _patterns(
    pool: TeamPool, allowed: npt.NDArray[np.bool_]
) -> tuple[IntArray, sp.csr_array, npt.NDArray[np.float64]]:
    """Candidate rows used, distinct cover patterns (patterns x used) and their weight."""
    rows = np.flatnonzero(allowed)
    tps_by_row = ones(pool.cover[rows]).T.tocsr()  # TPS x allowed rows
    keys: dict[bytes, int] = {}
    pattern_of = np.full(tps_by_row.shape[0], -1, dtype=np.int64)
    for t in np.flatnonzero(np.diff(tps_by_row.indptr) > 0):
        key = tps_by_row.indices[tps_by_row.indptr[t] : tps_by_row.indptr[t + 1]]
        pattern_of[t] = keys.setdefault(key.tobytes(), len(keys))
    reached = pattern_of >= 0
    first = np.zeros(len(keys), dtype=np.int64)
    first[pattern_of[reached][::-1]] = np.flatnonzero(reached)[::-1]
    patterns = tps_by_row[first]
    weight = np.zeros(len(keys))
    np.add.at(weight, pattern_of[reached], pool.weights[reached])
    used = np.unique(patterns.indices)
    col = np.full(len(rows), -1, dtype=np.int64)
    col[used] = np.arange(len(used))
    reduced = sp.csr_array(
        (patterns.data, col[patterns.indices], patterns.indptr),
        shape=(len(keys), len(used)),
    )
    return rows[used], reduced, weight


def _dense_cover(matrix: sp.csr_array) -> npt.NDArray[np.float64]:
    out = np.full(matrix.shape, np.inf)
    coo = matrix.tocoo()
    out[coo.row, coo.col] = 0.0
    return out


def too_large(cells: int, deterministic: bool) -> str | None:
    """Why an instance of ``cells`` is not sent to the exact model, if it is not."""
    cap = DETERMINISTIC_CELLS if deterministic else MAX_CELLS
    if cells <= cap:
        return None
    where = " in a reproducible run" if deterministic else ""
    return f"{cells:,} cells > {cap:,}{where}"


def exact_cover(
    pool: TeamPool,
    allowed: npt.NDArray[np.bool_],
    p: int | None,
    time_limit: float | None,
    seed: int,
    deterministic: bool,
) -> Exact | str:
    """MCLP with ``p`` teams, or set cover when ``p`` is ``None`` (uncapacitated).

    Returns a reason string when the model is not run.
    """
    rows, reduced, weight = _patterns(pool, allowed)
    if len(rows) == 0:
        return Exact(rows, None, True, 0.0, 0.0, "optimal")
    if p is not None and p >= len(rows):
        return Exact(rows, None, True, float(weight.sum()), 0.0, "optimal")
    why = too_large(reduced.shape[0] * reduced.shape[1], deterministic)
    if why:
        return why
    cost = _dense_cover(reduced)
    if p is None:
        result = set_cover(cost, 0.0, time_limit=time_limit, seed=seed)
    else:
        result = mclp(cost, 0.0, p, weights=weight, time_limit=time_limit, seed=seed)
    return Exact(
        rows[np.asarray(result.sites, dtype=np.int64)],
        None,
        result.status == "optimal",
        float(result.bound) if np.isfinite(result.bound) else None,
        result.runtime_s,
        result.status,
        result.method,
    )


def exact_capacitated(
    pool: TeamPool,
    allowed: npt.NDArray[np.bool_],
    capacity: float,
    p: int | None,
    time_limit: float | None,
    seed: int,
    deterministic: bool,
) -> Exact | str:
    """Capacitated MCLP with ``p`` teams, or capacitated set cover (``p=None``).

    A candidate fielding several teams appears once per team it may field.
    """
    rows = np.flatnonzero(allowed)
    cover = pool.cover[rows]
    fits = pool.demands <= capacity
    load = ones(cover) @ np.where(fits, pool.demands, 0.0)
    copies = np.minimum(pool.cap[rows], np.ceil(load / capacity).astype(np.int64))
    if p is not None:
        copies = np.minimum(copies, p)
    slot_row = np.repeat(np.arange(len(rows)), copies)
    points = np.flatnonzero(fits & (ones(cover).sum(axis=0) > 0))
    if len(slot_row) == 0 or len(points) == 0:
        return Exact(np.zeros(0, dtype=np.int64), None, True, 0.0, 0.0, "optimal")
    why = too_large(len(points) * len(slot_row), deterministic)
    if why:
        return why
    block = cover.T.tocsr()[points].toarray().astype(np.float64)  # points x rows
    present = ones(cover).T.tocsr()[points].toarray() > 0
    cost = np.where(present, block, np.inf)[:, slot_row]
    caps = np.full(len(slot_row), float(capacity))
    demands = pool.demands[points]
    radius = float(pool.threshold_s)
    if p is None:
        result = set_cover(
            cost,
            radius,
            demands=demands,
            capacities=caps,
            time_limit=time_limit,
            seed=seed,
        )
    else:
        result = mclp(
            cost,
            radius,
            min(p, len(slot_row)),
            weights=pool.weights[points],
            demands=demands,
            capacities=caps,
            time_limit=time_limit,
            seed=seed,
        )
    sites = np.asarray(result.sites, dtype=np.int64)
    position = np.full(len(slot_row), -1, dtype=np.int64)
    position[sites] = np.arange(len(sites))
    assign = np.full(len(pool.weights), -1, dtype=np.int64)
    picked = np.asarray(result.assignment, dtype=np.int64)
    ok = picked >= 0
    assign[points[ok]] = position[picked[ok]]
    return Exact(
        rows[slot_row[sites]],
        assign if len(sites) else None,
        result.status == "optimal",
        float(result.bound) if np.isfinite(result.bound) else None,
        result.runtime_s,
        result.status,
        result.method,
    )


def exact_median_center(
    pool: TeamPool,
    allowed: npt.NDArray[np.bool_],
    model: str,
    p: int,
    time_limit: float | None,
    seed: int,
    deterministic: bool,
) -> Exact | str:
    """p-median (voter- and risk-weighted) or p-center on the TPS any allowed
    candidate reaches."""
    rows = np.flatnonzero(allowed)
    reach = pool.reach[rows]
    points = np.flatnonzero(ones(reach).sum(axis=0) > 0)
    if len(points) == 0:
        return Exact(rows[:p], None, True, 0.0, 0.0, "optimal")
    why = too_large(len(points) * len(rows), deterministic)
    if why:
        return why
    cost = sp.csr_array(reach.T.tocsr()[points]).astype(np.float64)
    p = min(p, len(rows))
    if model == "p_median":
        result = p_median(
            cost, p, weights=pool.weights[points], time_limit=time_limit, seed=seed
        )
    else:
        result = p_center(cost, p, time_limit=time_limit, seed=seed)
    return Exact(
        rows[np.asarray(result.sites, dtype=np.int64)],
        None,
        result.status == "optimal",
        float(result.bound) if np.isfinite(result.bound) else None,
        result.runtime_s,
        result.status,
        result.method,
    )
