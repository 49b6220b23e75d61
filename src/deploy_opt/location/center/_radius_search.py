"""p-center by binary search over the radii, each decided by a set-cover MIP."""

from __future__ import annotations

import time

import numpy as np
import numpy.typing as npt

from deploy_opt.location._arrays import FloatArray, IntArray
from deploy_opt.location._problem import Instance
from deploy_opt.location.covering._model import covering_mip, decode
from deploy_opt.location.result import LocationResult, Status, finish, no_solution


def search_radii(
    inst: Instance, p: int, time_limit: float | None, seed: int, start: float
) -> LocationResult:
    """Solve the p-center for validated input (see
    :func:`~deploy_opt.location.p_center`); ``start`` is the
    :func:`time.perf_counter` reading taken when the call began."""
    deadline = None if time_limit is None else start + time_limit
    weighted = np.asarray(inst.weighted)
    usable = inst.allowed.copy()
    if inst.capacities is not None:
        usable &= inst.demands[:, None] <= inst.capacities[None, :]
    if not usable.any(axis=1).all():
        return _result(inst, None, None, np.inf, "infeasible", "presolve", seed, start)
    values = np.where(usable, weighted, np.inf)
    low = float(values.min(axis=1).max())
    radii = np.unique(values[np.isfinite(values) & (values >= low)])
    best: tuple[IntArray, IntArray] | None = None
    # Search radii[lo:hi]; hi == radii.size means "no solution known yet". Every
    # radius below radii[lo] is proven infeasible.
    lo, hi = 0, radii.size
    if inst.capacities is None:
        sites = _farthest_first(values, p, inst.required)
        pos = np.argmin(values[:, sites], axis=1)
        high = float(values[np.arange(inst.n), sites[pos]].max())
        # The greedy may leave a point without any usable open site (inf).
        if np.isfinite(high):
            best = (sites, sites[pos].astype(np.intp))
            hi = int(np.searchsorted(radii, high))
    status: Status = "optimal"
    tested = 0
    while lo < hi:
        mid = (lo + hi) // 2
        left = None if deadline is None else deadline - time.perf_counter()
        if left is not None and left <= 0:
            status = "time_limit"
            break
        verdict, found = _feasible(inst, values <= radii[mid], p, left)
        tested += 1
        if verdict == "yes":
            best, hi = found, mid
        elif verdict == "no":
            lo = mid + 1
        else:
            status = "time_limit"
            break
    if best is None:
        if status == "time_limit":
            return _result(
                inst,
                None,
                None,
                float(radii[min(lo, radii.size - 1)]),
                status,
                "",
                seed,
                start,
            )
        # Even the largest radius (every usable pair) needs more than p sites.
        return _result(inst, None, None, np.inf, "infeasible", "", seed, start)
    bound = float(radii[min(lo, radii.size - 1)])
    method = f"binary search over radii, {tested} covering MIPs (HiGHS)"
    return _result(inst, best[0], best[1], bound, status, method, seed, start)


def _farthest_first(values: FloatArray, p: int, required: IntArray) -> IntArray:
    """Greedy: repeatedly serve the worst-served point by its cheapest site."""
    sites = list(required)
    if not sites:
        sites.append(int(np.argmin(values.max(axis=0))))
    while len(sites) < p:
        current = values[:, sites].min(axis=1)
        worst = int(np.argmax(current))
        order = np.argsort(values[worst], kind="stable")
        new = next((int(j) for j in order if j not in sites), None)
        if new is None:
            break
        sites.append(new)
    return np.sort(np.asarray(sites, dtype=np.intp))


def _feasible(
    inst: Instance, cover: npt.NDArray[np.bool_], p: int, time_limit: float | None
) -> tuple[str, tuple[IntArray, IntArray] | None]:
    """Can at most ``p`` sites cover every point within ``cover``?"""
    if not cover.any(axis=1).all():
        return "no", None
    rows, cols = np.nonzero(cover)
    out = covering_mip(
        inst, rows, cols, np.ones(inst.m), None, mode="cover", time_limit=time_limit
    )
    if out.status == "infeasible":
        return "no", None
    sites, assign = decode(inst, out, rows, cols, cover)
    if out.status == "optimal" and sites is not None and assign is not None:
        if sites.size <= p:
            return "yes", (sites, assign)
        return "no", None
    if sites is not None and assign is not None and sites.size <= p:
        return "yes", (sites, assign)
    if out.bound > p + 1e-6:
        return "no", None
    return "unknown", None


def _result(
    inst: Instance,
    sites: IntArray | None,
    assign: IntArray | None,
    bound: float,
    status: Status,
    method: str,
    seed: int,
    start: float,
) -> LocationResult:
    if sites is None or assign is None:
        sites, assign = no_solution(inst.n)
        objective = float("inf")
    else:
        objective = float(np.max(inst.weighted[np.arange(inst.n), assign]))
    return finish(
        "p_center", objective, bound, status, sites, assign, start, method, seed
    )
