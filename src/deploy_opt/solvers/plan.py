"""Solve a whole plan: groups, police and TNI allocation, Linmas, medical links."""

from __future__ import annotations

import logging
import re
import time

from deploy_opt.problem import ProblemData
from deploy_opt.result import Result, SolveParams
from deploy_opt.solvers.allocation import allocate
from deploy_opt.solvers.grouping import Grouping, form_groups
from deploy_opt.solvers.linmas import allocate_linmas, uncovered_weight
from deploy_opt.solvers.medical import nearest_medical
from deploy_opt.solvers.medical_teams import site_teams
from deploy_opt.solvers.shortfalls import (
    group_shortfalls,
    linmas_shortfalls,
    medical_shortfalls,
    team_shortfalls,
)

logger = logging.getLogger("deploy_opt")

SOLVER_NAME = "deploy_opt.plan v1 (groups: capacitated p-median heuristic; allocation: min-cost flow + CP-SAT)"


def group_labels(data: ProblemData, grouping: Grouping) -> tuple[str, ...]:
    """Readable, stable group ids: ``<category>-<KECAMATAN>-<nnn>``."""
    counters: dict[tuple[int, int], int] = {}
    labels = []
    for c, k in zip(grouping.group_category, grouping.group_kecamatan, strict=True):
        key = (int(c), int(k))
        counters[key] = counters.get(key, 0) + 1
        place = (
            re.sub(r"[^A-Za-z0-9]+", "_", data.kecamatan_names[k]).strip("_").upper()
        )
        labels.append(f"{data.categories[c].name}-{place}-{counters[key]:03d}")
    return tuple(labels)


def solve_plan(data: ProblemData, params: SolveParams | None = None) -> Result:
    """Plan the deployment for ``data``.

    The time limit is split in fixed shares, not by the clock, so that a run
    is reproducible: police allocation 45 %, TNI 25 %, medical teams 20 %
    (at most their own limit), grouping refinement 50 % (if asked for; it runs
    first). Grouping itself is not time-limited (seconds at Polres scale).
    """
    params = params or SolveParams()
    started = time.monotonic()
    # the optional p-median refinement shares the solve's time limit
    grouping = form_groups(
        data, min(params.grouping_refine_s, params.time_limit_s / 2), params.seed
    )
    labels = group_labels(data, grouping)
    logger.info(
        "formed %d groups (lower bound %d) in %.1f s",
        grouping.n_groups,
        grouping.lower_bound,
        time.monotonic() - started,
    )
    allocations = {}
    for agency, share in (("polri", 0.45), ("tni", 0.25)):
        allocations[agency] = allocate(
            data,
            grouping,
            agency,
            time_limit_s=share * params.time_limit_s,
            seed=params.seed,
            workers=params.workers,
        )
        alloc = allocations[agency]
        logger.info(
            "%s: %d of %d groups staffed (%s, %s)",
            agency,
            int(alloc.covered.sum()),
            grouping.n_groups,
            alloc.method,
            alloc.status,
        )
    linmas = allocate_linmas(data)
    medical = nearest_medical(data)
    teams = (
        None
        if data.medical_teams is None
        else site_teams(
            data,
            data.medical_teams,
            params.seed,
            0.2 * params.time_limit_s,
        )
    )
    shortfalls = [
        *group_shortfalls(data, grouping, labels, allocations["polri"]),
        *group_shortfalls(data, grouping, labels, allocations["tni"]),
        *linmas_shortfalls(data, linmas),
        *medical_shortfalls(data, medical),
        *([] if teams is None else team_shortfalls(data, teams)),
    ]
    linmas_cost = uncovered_weight(data, linmas)
    objective = sum(a.objective for a in allocations.values()) + linmas_cost
    bound = sum(a.bound for a in allocations.values()) + linmas_cost
    status = (
        "optimal"
        if all(a.status == "optimal" for a in allocations.values())
        else "feasible"
    )
    return Result(
        status=status,
        objective=int(objective),
        bound=int(bound),
        grouping=grouping,
        group_ids=labels,
        allocations=allocations,
        linmas=linmas,
        medical=medical,
        shortfalls=tuple(shortfalls),
        runtime_s=time.monotonic() - started,
        params=params,
        solver=SOLVER_NAME,
        input_hash=data.input_hash,
        travel_model=data.travel_model,
        teams=teams,
    )
