"""Grouping cut short by a deterministic work budget: valid groups, reported."""

from __future__ import annotations

import numpy as np

from deploy_opt import (
    SolveParams,
    build_problem,
    build_travel_model,
    check_plan,
    load_scenario,
    solve_plan,
)
from deploy_opt.solvers.grouping import _cell_lower_bound, _cluster
from deploy_opt.solvers.stages import grouping_record
from deploy_opt.solvers.work_budget import WorkBudget


def _times(n: int, seed: int) -> np.ndarray:
    xy = np.random.default_rng(seed).uniform(0, 3000, (n, 2))
    d = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
    return np.ceil(d / 2).astype(np.int64)


def _assert_valid(times, anchors, assignment, capacity, limit):
    assert (assignment >= 0).all() and (assignment < len(anchors)).all()
    for g in range(len(anchors)):
        members = np.flatnonzero(assignment == g)
        assert 1 <= len(members) <= capacity
        assert times[np.ix_(members, members)].max() <= limit
        assert anchors[g] in members


def test_no_budget_still_gives_valid_groups_and_says_what_it_skipped():
    times, capacity, limit = _times(40, 7), 4, 600
    bound = _cell_lower_bound(times, capacity, limit)
    budget = WorkBudget(units=0)
    anchors, assignment = _cluster(times, capacity, limit, bound, budget)
    _assert_valid(times, anchors, assignment, capacity, limit)
    assert budget.cut_short
    assert "assignment of stations to anchors" in budget.skipped
    assert "cut short by its work budget" in budget.reason()


def test_partial_budget_is_deterministic_and_between_none_and_all():
    times, capacity, limit = _times(60, 11), 5, 700
    bound = _cell_lower_bound(times, capacity, limit)
    full = WorkBudget()
    _cluster(times, capacity, limit, bound, full)
    assert not full.cut_short and full.used > 0
    runs = []
    for _ in range(2):
        half = WorkBudget(units=full.used / 2)
        anchors, assignment = _cluster(times, capacity, limit, bound, half)
        _assert_valid(times, anchors, assignment, capacity, limit)
        assert half.cut_short
        runs.append((anchors.tolist(), assignment.tolist(), half.skipped))
    assert runs[0] == runs[1]


def test_a_plan_whose_grouping_is_cut_short_reports_it(make_scenario):
    stations = [{"id": f"T{i:02d}", "x": 150 * i, "y": 0} for i in range(12)]
    bases = [{"id": "PS", "kind": "polsek", "x": 800, "y": 300, "polri": 40}]
    scenario = load_scenario(make_scenario(stations, bases))
    data = build_problem(scenario, build_travel_model(scenario.spec.travel))
    params = SolveParams(time_limit_s=1e-9, reproducible=True)
    result = solve_plan(data, params)
    assert check_plan(data, result).passed
    record = result.stages[0]
    assert record.stage == "grouping" and not record.proven
    assert record.note.startswith("cut short by its work budget")
    assert result.status == "feasible"
    assert any("cut short" in reason for reason in result.status_reasons)
    again = solve_plan(data, params)
    assert [m.tolist() for m in again.grouping.members] == [
        m.tolist() for m in result.grouping.members
    ]
    # with the default limit the same tiny plan is not cut
    assert "cut short" not in solve_plan(data, SolveParams()).stages[0].note


def test_record_of_an_uncut_grouping_has_no_cut_note():
    from deploy_opt.solvers.grouping import Grouping

    grouping = Grouping(
        station_group=np.zeros(2, dtype=np.int64),
        group_category=np.zeros(1, dtype=np.int64),
        group_kecamatan=np.zeros(1, dtype=np.int64),
        group_anchor=np.zeros(1, dtype=np.int64),
        members=(np.arange(2),),
        lower_bound=1,
        spread_s=0,
    )
    assert grouping_record(grouping).proven
    cut = grouping_record(grouping, cut_short="cut short by its work budget (x)")
    assert not cut.proven and cut.note.startswith("cut short")
