"""Solve a whole plan: groups, police and TNI allocation, Linmas, medical links."""

from __future__ import annotations

import logging
import re
import time

import numpy as np

from deploy_opt.problem import ProblemData
from deploy_opt.result import Result, SolveParams
from deploy_opt.solvers.allocation import AgencyAllocation, allocate
from deploy_opt.solvers.coverage_bound import coverage_bound
from deploy_opt.solvers.grouping import Grouping
from deploy_opt.solvers.ladder import form_ladder_groups
from deploy_opt.solvers.linmas import allocate_linmas, uncovered_weight
from deploy_opt.solvers.medical import nearest_medical
from deploy_opt.solvers.medical_teams import site_teams
from deploy_opt.solvers.shortfalls import (
    group_shortfalls,
    linmas_shortfalls,
    medical_shortfalls,
    team_shortfalls,
)
from deploy_opt.solvers.stages import (
    allocation_record,
    grouping_record,
    linmas_record,
    plan_status,
    teams_record,
)
from deploy_opt.solvers.work_budget import WorkBudget

logger = logging.getLogger("deploy_opt")

#: Share of the time limit grouping may spend (work units, see WorkBudget).
GROUPING_SHARE = 0.25
SOLVER_NAME = "deploy_opt.plan v1 (groups: capacitated p-median heuristic; allocation: min-cost flow + CP-SAT)"


def group_labels(data: ProblemData, grouping: Grouping) -> tuple[str, ...]:
    """Readable, stable, unique group ids: ``<category>-<PLACE>-<nnn>``.

    ``PLACE`` is the kecamatan's name in ASCII capitals (accents dropped, any
    other run of characters as ``_``). Where that leaves nothing (a name in
    Javanese or another non-Latin script) the place is ``kec<k>``, ``k`` being
    the kecamatan's 1-based number in the scenario; where two kecamatan share
    the ASCII form, both get ``_kec<k>`` appended. Places never contain ``-``
    and plain ones have no lower case, so every label is unique.
    """
    import unicodedata

    ascii_names = [
        re.sub(
            r"[^A-Za-z0-9]+",
            "_",
            unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode(),
        )
        .strip("_")
        .upper()
        for name in data.kecamatan_names
    ]
    uses: dict[str, int] = {}
    for name in ascii_names:
        uses[name] = uses.get(name, 0) + 1
    shared = {name for name, n in uses.items() if n > 1}
    places = [
        f"kec{k + 1}" if not name else f"{name}_kec{k + 1}" if name in shared else name
        for k, name in enumerate(ascii_names)
    ]
    counters: dict[tuple[int, int], int] = {}
    labels = []
    for c, k in zip(grouping.group_category, grouping.group_kecamatan, strict=True):
        key = (int(c), int(k))
        counters[key] = counters.get(key, 0) + 1
        labels.append(f"{data.categories[c].name}-{places[k]}-{counters[key]:03d}")
    return tuple(labels)


def solve_plan(data: ProblemData, params: SolveParams | None = None) -> Result:
    """Plan the deployment for ``data``.

    The time limit is split in fixed shares, not by the clock, so that a run
    is reproducible: police allocation 45 %, TNI 25 %, medical teams 20 %
    (at most their own limit), grouping refinement 50 % (if asked for; it runs
    first). Grouping gets a work budget of 25 % of the limit
    (:data:`GROUPING_SHARE`, counted in deterministic units, plus the clock
    outside reproducible runs); when it runs out, grouping keeps valid groups,
    skips its remaining improvements and its stage record says so.
    With ``params.reproducible`` no wall-clock limit decides anything: CP-SAT
    stops on deterministic time and the refinement (wall-clock only) is skipped.

    TNI join police groups: a group gets TNI only where its police are
    staffed, unless its category is in the scenario's ``tni_without_police``.
    ``status`` covers every stage (see :mod:`deploy_opt.solvers.stages`).
    """
    params = params or SolveParams()
    started = time.monotonic()
    # the optional p-median refinement shares the solve's time limit; it has
    # wall-clock limits only, so a reproducible run leaves it out (H7);
    # pattern ladders: each cell on the densest rule the police allow
    refine_s = min(params.grouping_refine_s, params.time_limit_s / 2)
    refine_skipped = params.reproducible and refine_s > 0
    grouping_budget = WorkBudget.for_seconds(
        GROUPING_SHARE * params.time_limit_s, reproducible=params.reproducible
    )
    grouping = form_ladder_groups(
        data, 0.0 if refine_skipped else refine_s, params.seed, grouping_budget
    )
    labels = group_labels(data, grouping)
    logger.info(
        "formed %d groups (lower bound %d) in %.1f s",
        grouping.n_groups,
        grouping.lower_bound,
        time.monotonic() - started,
    )
    allocations: dict[str, AgencyAllocation] = {}
    for agency, share in (("polri", 0.45), ("tni", 0.25)):
        allocations[agency] = allocate(
            data,
            grouping,
            agency,
            time_limit_s=share * params.time_limit_s,
            seed=params.seed,
            workers=params.workers,
            reproducible=params.reproducible,
            # TNI support police groups: only where the police are staffed
            eligible=None
            if agency == "polri"
            else allocations["polri"].covered
            | np.isin(grouping.group_category, data.tni_without_police),
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
            deterministic=params.reproducible,
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
    # whole-plan status: every deciding stage, each with its proof or reason
    stages = (
        grouping_record(grouping, refine_skipped, grouping_budget.reason()),
        allocation_record(allocations["polri"]),
        allocation_record(allocations["tni"], police=allocations["polri"]),
        linmas_record(data, linmas),
        *(() if teams is None else (teams_record(teams),)),
    )
    status, reasons = plan_status(stages)
    bound = sum(a.bound for a in allocations.values()) + int(
        stages[3].bound if stages[3].bound is not None else linmas_cost
    )
    for reason in reasons:
        logger.info("not proven: %s", reason)
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
        stages=stages,
        status_reasons=reasons,
        coverage_bound=coverage_bound(data),
    )
