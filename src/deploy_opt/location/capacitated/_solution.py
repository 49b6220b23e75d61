"""The result of a capacitated p-median assignment: its open sites and objective."""

from __future__ import annotations

import numpy as np

from deploy_opt.location._arrays import IntArray
from deploy_opt.location._problem import Instance, median_objective
from deploy_opt.location.result import LocationResult, Status, finish, no_solution


def open_sites(inst: Instance, assign: IntArray, p: int) -> IntArray:
    """Used and required sites, padded to ``p`` with the largest unused capacities.

    Opening a site nobody uses costs nothing, so any padding is optimal; the
    largest capacities make the choice deterministic and useful as reserve.
    """
    sites = np.union1d(np.unique(assign), inst.required).astype(np.intp)
    if sites.size < p:
        caps = inst.require_capacities()
        rest = np.setdiff1d(np.arange(inst.m), sites)
        order = rest[np.lexsort((rest, -caps[rest]))]
        sites = np.sort(np.concatenate([sites, order[: p - sites.size]]))
    return sites


def capacitated_result(
    inst: Instance,
    p: int,
    assignment: IntArray | None,
    bound: float,
    status: Status,
    method: str,
    seed: int,
    start: float,
) -> LocationResult:
    """The :class:`LocationResult` of an assignment (``None``: no solution)."""
    if assignment is None:
        sites, assign = no_solution(inst.n)
        objective = float("inf")
    else:
        assign = np.asarray(assignment, dtype=np.intp)
        objective = median_objective(inst, assign)
        sites = open_sites(inst, assign, p)
    return finish(
        "capacitated_p_median",
        objective,
        bound,
        status,
        sites,
        assign,
        start,
        method,
        seed,
    )
