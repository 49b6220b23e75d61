"""Result, SolveParams and Shortfall: the reported quality of a plan."""

from __future__ import annotations

import dataclasses
import json

import pytest

from deploy_opt import (
    SolveParams,
    build_problem,
    build_travel_model,
    load_scenario,
    solve_plan,
)
from deploy_opt.result import Shortfall

PKM = {"id": "PKM", "kind": "puskesmas", "x": 0, "y": 0}


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    from scenario_builder import write_scenario

    path = write_scenario(
        tmp_path_factory.mktemp("result"),
        [{"id": "A", "x": 100, "y": 0, "category": "rawan"}],
        [{"id": "PS", "kind": "polsek", "x": 0, "y": 0, "polri": 2}, PKM],
    )
    scenario = load_scenario(path)
    data = build_problem(scenario, build_travel_model(scenario.spec.travel))
    return solve_plan(data, SolveParams(time_limit_s=5, reproducible=True))


def test_gap_is_relative_to_the_objective(result):
    assert result.bound <= result.objective
    assert dataclasses.replace(result, objective=200, bound=150).gap == 0.25
    assert dataclasses.replace(result, objective=7, bound=7).gap == 0.0
    # no division by zero when the objective is 0
    assert dataclasses.replace(result, objective=0, bound=-2).gap == 2.0


@pytest.mark.parametrize(
    ("status", "feasible"),
    [("optimal", True), ("feasible", True), ("infeasible", False)],
)
def test_is_feasible_follows_the_status(result, status, feasible):
    assert dataclasses.replace(result, status=status).is_feasible() is feasible


def test_solve_params_defaults():
    params = SolveParams()
    assert params.time_limit_s > 0 and params.seed == 0 and params.workers == 1
    assert not params.reproducible


@pytest.mark.parametrize(
    ("field", "value"),
    [("time_limit_s", 0), ("time_limit_s", -1.0), ("seed", -1), ("workers", 0)],
)
def test_solve_params_refuse_bad_values(field, value):
    with pytest.raises(ValueError, match=field):
        SolveParams(**{field: value})


def test_shortfall_as_dict_is_json_ready():
    shortfall = Shortfall(
        agency="polri",
        category="rawan",
        station_ids=("A", "B"),
        needed=2,
        assigned=0,
        reason="no base in reach",
        group_id="rawan-KEC_A-001",
    )
    record = shortfall.as_dict()
    assert record == {
        "agency": "polri",
        "category": "rawan",
        "group_id": "rawan-KEC_A-001",
        "station_ids": ["A", "B"],
        "needed": 2,
        "assigned": 0,
        "reason": "no base in reach",
    }
    assert json.loads(json.dumps(record)) == record
