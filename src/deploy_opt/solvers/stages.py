"""One record per plan stage, and the status of the whole plan from them.

The plan is ``optimal`` only when every stage that decides something proved
its result optimal for its model: the fewest groups (groups = lower bound),
police and TNI allocation (TNI after police: proven for the pair only when
every police-staffed group that needs TNI got them), Linmas and the medical
teams. Otherwise it is ``feasible`` and each unproven stage gives its reason.
"""

from __future__ import annotations

import math

import numpy as np

from deploy_opt.problem import ProblemData
from deploy_opt.result import StageRecord
from deploy_opt.solvers.allocation import AgencyAllocation
from deploy_opt.solvers.grouping import Grouping
from deploy_opt.solvers.linmas import LinmasAllocation, uncovered_weight
from deploy_opt.solvers.medical_teams import TeamSiting

ALLOCATION_UNITS = "risk-weighted uncovered TPS x M + travel seconds"
TEAM_UNITS = {
    "mclp": "voter- and risk-weighted TPS within the threshold",
    "p_median": "voter- and risk-weighted response seconds",
    "p_center": "worst response seconds",
}


def _pct(gap: float | None) -> str:
    return "unknown" if gap is None or math.isnan(gap) else f"{gap:.2%}"


def grouping_record(
    grouping: Grouping, refine_skipped: bool = False, cut_short: str = ""
) -> StageRecord:
    """Fewest groups: proven when the count meets the lower bound.

    ``cut_short`` says why grouping stopped improving early (its work budget,
    :class:`~deploy_opt.solvers.work_budget.WorkBudget`); such a stage is
    ``cut short`` and never proven, even when the count meets the bound.
    """
    proven = grouping.n_groups == grouping.lower_bound and not cut_short
    method = "capacitated p-median heuristic"
    if refine_skipped:
        method += (
            "; p-median refinement skipped in a reproducible run "
            "(it stops on wall-clock limits only)"
        )
    note = (
        ""
        if proven
        else (
            f"{grouping.n_groups} groups against a lower bound of {grouping.lower_bound}; "
            "the allocation gap covers these groups only"
        )
    )
    if cut_short:
        note = f"{cut_short}; {note}"
    return StageRecord(
        stage="grouping",
        status="optimal" if proven else "feasible",
        proven=proven,
        objective=float(grouping.n_groups),
        bound=float(grouping.lower_bound),
        units="groups",
        method=method,
        note=note,
    )


def allocation_record(
    alloc: AgencyAllocation, police: AgencyAllocation | None = None
) -> StageRecord:
    """Police or TNI allocation; TNI also says whether police lack their TNI."""
    proven = alloc.status == "optimal"
    notes = []
    record = StageRecord(
        alloc.agency,
        alloc.status,
        proven,
        float(alloc.objective),
        float(alloc.bound),
        ALLOCATION_UNITS,
        alloc.method,
    )
    if not proven:
        notes.append(f"CP-SAT stopped at its limit, gap {_pct(record.gap)}")
    if police is not None:
        offered = (
            np.ones(len(alloc.demand), dtype=bool)
            if alloc.held_back is None
            else ~alloc.held_back
        )
        lacking = offered & police.covered & (alloc.demand > 0) & ~alloc.covered
        if lacking.any():
            proven = False
            notes.append(
                f"{int(lacking.sum())} police-staffed groups lack TNI; police were "
                "placed before TNI, so the pair is not proven best together"
            )
    return StageRecord(
        record.stage,
        "optimal" if proven else "feasible",
        proven,
        record.objective,
        record.bound,
        record.units,
        record.method + ("" if police is None else " (TNI for police-staffed groups)"),
        "; ".join(notes),
    )


def linmas_record(data: ProblemData, linmas: LinmasAllocation) -> StageRecord:
    """Linmas: the greedy is optimal where every short kelurahan has equal needs.

    Elsewhere the bound is the fractional knapsack of each short kelurahan
    (TPS by weight per Linmas, the last one split), a valid lower bound on the
    uncovered weight.
    """
    objective = uncovered_weight(data, linmas)
    weights = np.array(
        [data.categories[c].weight for c in data.station_category], dtype=np.int64
    )
    bound = 0.0
    unequal = 0
    for kel in np.unique(data.station_kelurahan[~linmas.covered]):
        stations = np.flatnonzero((data.station_kelurahan == kel) & (linmas.demand > 0))
        needs = linmas.demand[stations]
        if len(np.unique(needs)) > 1:
            unequal += 1
        have = float(data.headcount["linmas"][data.base_kelurahan == kel].sum())
        order = stations[np.argsort(-weights[stations] / needs, kind="stable")]
        covered = 0.0
        for i in order:
            take = min(1.0, have / float(linmas.demand[i]))
            covered += take * float(weights[i])
            have -= take * float(linmas.demand[i])
            if have <= 0:
                break
        bound += float(weights[stations].sum()) - covered
    proven = unequal == 0
    return StageRecord(
        stage="linmas",
        status="optimal" if proven else "feasible",
        proven=proven,
        objective=float(objective),
        bound=float(objective) if proven else min(float(objective), bound),
        units="risk-weighted TPS without their Linmas",
        method="priority greedy per kelurahan",
        note=""
        if proven
        else f"{unequal} short kelurahan have unequal Linmas needs per TPS; greedy not proven",
    )


def teams_record(teams: TeamSiting) -> StageRecord:
    """Medical teams: the location model's own status, bound and gap."""
    proven = teams.status == "optimal"
    detail = getattr(teams, "reason", "") or teams.method
    if proven:
        note = ""
    elif teams.status == "infeasible":
        note = f"no teams placed ({detail})"
    else:
        gap = "" if teams.gap is None else f", gap {_pct(teams.gap)}"
        note = f"{detail}{gap}"
    return StageRecord(
        stage="medical_teams",
        status="optimal" if proven else "feasible",
        proven=proven,
        objective=None if teams.objective is None else float(teams.objective),
        bound=None if teams.bound is None else float(teams.bound),
        units=TEAM_UNITS.get(teams.model, teams.model),
        method=teams.method,
        note=note,
    )


def plan_status(stages: tuple[StageRecord, ...]) -> tuple[str, tuple[str, ...]]:
    """``optimal`` when every stage is proven, else ``feasible`` and the reasons."""
    reasons = tuple(
        f"{s.stage.replace('_', ' ')}: {s.note or 'not proven optimal'}"
        for s in stages
        if not s.proven
    )
    return ("feasible" if reasons else "optimal"), reasons
