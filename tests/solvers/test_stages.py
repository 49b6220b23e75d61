"""Whole-plan status from the stage records: optimal only when all are proven."""

from __future__ import annotations

import dataclasses

from deploy_opt import SolveParams, build_problem, build_travel_model, load_scenario
from deploy_opt.result import StageRecord
from deploy_opt.solvers import solve_plan
from deploy_opt.solvers.stages import grouping_record, plan_status


def record(stage: str, proven: bool, note: str = "") -> StageRecord:
    return StageRecord(
        stage, "optimal" if proven else "feasible", proven, 1.0, 1.0, "u", "m", note
    )


def test_all_proven_is_optimal_without_reasons():
    assert plan_status((record("polri", True), record("tni", True))) == ("optimal", ())


def test_each_unproven_stage_gives_its_reason():
    status, reasons = plan_status(
        (
            record("polri", True),
            record("tni", False, "CP-SAT stopped at its limit, gap 0.40%"),
            record("medical_teams", False, "exact model cut short; greedy used"),
        )
    )
    assert status == "feasible"
    assert reasons == (
        "tni: CP-SAT stopped at its limit, gap 0.40%",
        "medical teams: exact model cut short; greedy used",
    )


def test_more_groups_than_the_bound_is_not_proven(make_scenario):
    stations = [{"id": "A", "x": 0, "y": 0}, {"id": "B", "x": 100, "y": 0}]
    bases = [{"id": "PS", "kind": "polsek", "x": 0, "y": 0, "polri": 2}]
    scenario = load_scenario(make_scenario(stations, bases))
    data = build_problem(scenario, build_travel_model(scenario.spec.travel))
    result = solve_plan(data, SolveParams(time_limit_s=5))
    assert result.status == "optimal" and result.stages[0].proven
    # the same groups against a lower bound one below (as on a road network)
    looser = dataclasses.replace(
        result.grouping, lower_bound=result.grouping.lower_bound - 1
    )
    stage = grouping_record(looser)
    assert not stage.proven and stage.status == "feasible"
    assert stage.note.startswith("1 groups against a lower bound of 0")
    assert plan_status((stage,))[0] == "feasible"
