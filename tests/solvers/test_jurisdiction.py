"""Jurisdiction hard or penalised: who may help a neighbouring kecamatan, and why not.

Geometry as in test_plan_tiny: metres, detour 1.0, 10 m/s (a trip of d metres
takes ceil(d / 10) s); police travel limit 10 min (6 km).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from deploy_opt import (
    SolveParams,
    build_problem,
    build_travel_model,
    check_plan,
    load_scenario,
    solve_plan,
)
from deploy_opt.export.summary import build_summary
from deploy_opt.export.tables import roster_table
from deploy_opt.solvers.coverage_bound import coverage_bound

RAWAN = {"rawan": {"weight": 100, "police": 2, "tps": 1, "linmas": 0, "tni": 0}}
PENALISED = {"jurisdiction": "penalised", "cross_jurisdiction_penalty_minutes": 30}


def solve(path):
    scenario = load_scenario(path)
    data = build_problem(scenario, build_travel_model(scenario.spec.travel))
    result = solve_plan(data, SolveParams(time_limit_s=5))
    report = check_plan(data, result)
    assert report.passed, report.violations
    return data, result, report


def police_shortfalls(result):
    return [s for s in result.shortfalls if s.agency == "polri"]


def covered_ids(data, report):
    return {data.station_ids[i] for i in np.flatnonzero(report.station_covered)}


def arcs(data, result, agency="polri"):
    """(base id, first TPS id of the group, persons) of every allocation arc."""
    alloc = result.allocations[agency]
    members = result.grouping.members
    return {
        (data.base_ids[b], data.station_ids[members[g][0]], int(c))
        for b, g, c in zip(alloc.base, alloc.group, alloc.count, strict=True)
    }


def short_in_a(make_scenario, **solver):
    """Kec A: two rawan TPS, its Polsek PA has police for one. Kec B: one rawan
    TPS, its Polsek PB has 2 police to spare and reaches A2 in 285 s."""
    stations = [
        {"id": "A1", "x": 0, "y": 0, "category": "rawan"},
        {"id": "A2", "x": 200, "y": 0, "category": "rawan"},
        {"id": "B1", "x": 3000, "y": 0, "category": "rawan", "kecamatan": "Kec B"},
    ]
    bases = [
        {"id": "PA", "kind": "polsek", "x": 0, "y": 500, "polri": 2},
        {"id": "PB", "kind": "polsek", "x": 3000, "y": 500, "polri": 4},
    ]
    bases[0]["jurisdiction"] = "Kec A"
    bases[1]["jurisdiction"] = "Kec B"
    extra = {"solver": {"time_limit_s": 5, "seed": 0, **solver}}
    return make_scenario(
        stations, bases, categories=RAWAN, limits={"polri": 10}, extra=extra
    )


def test_penalised_lets_a_neighbour_help_exactly_where_the_own_polsek_is_short(
    make_scenario,
):
    data, result, report = solve(short_in_a(make_scenario, **PENALISED))
    assert covered_ids(data, report) == {"A1", "A2", "B1"}
    # PA keeps A1 (nearer); PB staffs its own B1 and crosses only for A2
    assert arcs(data, result) == {("PA", "A1", 2), ("PB", "A2", 2), ("PB", "B1", 2)}
    alloc = result.allocations["polri"]
    crossing = {
        data.station_ids[result.grouping.members[g][0]]
        for g in alloc.group[alloc.outside]
    }
    assert crossing == {"A2"}
    assert report.extra["cross_jurisdiction"] == {"polri": 2, "tni": 0}
    assert not [s for s in result.shortfalls if s.agency == "polri"]
    roster = roster_table(data, result)
    assert int(roster["outside_jurisdiction"].sum()) == 2
    assert set(roster.loc[roster["outside_jurisdiction"], "unit_id"]) == {"PB"}
    summary = build_summary(data, result, report, scenario_name="tiny")
    assert summary["jurisdiction"] == {
        "mode": "penalised",
        "penalty_minutes": 30.0,
        "outside_persons": {"polri": 2, "tni": 0},
    }


def test_the_penalty_is_paid_in_the_objective_below_coverage(make_scenario):
    _data, result, _ = solve(short_in_a(make_scenario, **PENALISED))
    alloc = result.allocations["polri"]
    # 2 x 50 s (PA->A1), 2 x 50 s (PB->B1), 2 x (285 s + 1,800 s) (PB->A2)
    assert int((alloc.travel_s * alloc.count).sum()) == 2 * (50 + 50 + 285)
    assert alloc.objective == 2 * (50 + 50 + 285) + 2 * 1800
    assert alloc.status == "optimal"


def test_hard_leaves_it_short_and_names_the_neighbour_with_spare(make_scenario):
    data, result, report = solve(short_in_a(make_scenario))
    assert covered_ids(data, report) == {"A1", "B1"}
    assert report.extra["cross_jurisdiction"] == {"polri": 0, "tni": 0}
    (short,) = police_shortfalls(result)
    assert short.station_ids == ("A2",)
    assert short.reason.startswith("PA has 2 police for 4 needed by the 2 groups")
    assert short.reason.endswith(
        "; outside their jurisdiction, PB reaches them with 2 spare "
        "(solver.jurisdiction: penalised would let them help)"
    )
    assert "outside_jurisdiction" not in roster_table(data, result).columns


def far_own_polsek(make_scenario, **solver):
    """A1's own Polsek PA is 20 km away; PB (Kec B) is 1 km from A1."""
    stations = [
        {"id": "A1", "x": 0, "y": 0, "category": "rawan"},
        {"id": "B1", "x": 1500, "y": 0, "category": "rawan", "kecamatan": "Kec B"},
    ]
    bases = [
        {"id": "PA", "kind": "polsek", "x": 20000, "y": 0, "polri": 2},
        {"id": "PB", "kind": "polsek", "x": 1000, "y": 0, "polri": 4},
    ]
    bases[0]["jurisdiction"] = "Kec A"
    bases[1]["jurisdiction"] = "Kec B"
    extra = {"solver": {"time_limit_s": 5, "seed": 0, **solver}}
    return make_scenario(
        stations, bases, categories=RAWAN, limits={"polri": 10}, extra=extra
    )


def test_hard_jurisdiction_short_names_jurisdiction_not_travel(make_scenario):
    data, result, report = solve(far_own_polsek(make_scenario))
    assert covered_ids(data, report) == {"B1"}
    (short,) = police_shortfalls(result)
    assert short.reason == (
        "no base with jurisdiction over Kecamatan Kec A reaches these TPS within "
        "10 min (PB outside its jurisdiction would, 1.7 min)"
    )
    # penalised: PB covers A1 too
    data, result, report = solve(far_own_polsek(make_scenario, **PENALISED))
    assert covered_ids(data, report) == {"A1", "B1"}
    assert report.extra["cross_jurisdiction"]["polri"] == 2


def test_travel_time_stays_the_reason_when_no_base_reaches(make_scenario):
    stations = [{"id": "A1", "x": 0, "y": 0, "category": "rawan"}]
    bases = [
        {"id": "PA", "kind": "polsek", "x": 20000, "y": 0, "polri": 2},
        {"id": "PB", "kind": "polsek", "x": 9000, "y": 0, "polri": 2},
    ]
    path = make_scenario(stations, bases, categories=RAWAN, limits={"polri": 10})
    _, result, _ = solve(path)
    (short,) = police_shortfalls(result)
    # police times are stored within the limit only: 15 min is out of reach
    assert short.reason == "no police base reaches every TPS of the group within 10 min"


@pytest.mark.parametrize("build", [short_in_a, far_own_polsek])
def test_coverage_bound_holds_under_penalised_jurisdiction(make_scenario, build):
    data, _result, report = solve(build(make_scenario, **PENALISED))
    weights = np.array([data.categories[c].weight for c in data.station_category])
    achieved = int(weights[report.station_covered].sum())
    bound = coverage_bound(data)
    assert bound.weight >= achieved
    # the hard bound of the same data excludes the neighbour's help
    hard = dataclasses.replace(data, cross_jurisdiction_s=None)
    assert coverage_bound(hard).weight < achieved


def test_checker_refuses_crossing_under_hard_jurisdiction(make_scenario):
    data, result, _ = solve(short_in_a(make_scenario, **PENALISED))
    hard = dataclasses.replace(data, cross_jurisdiction_s=None)
    report = check_plan(hard, result)
    assert "polri: PB serves rawan-KEC_A-002 outside its jurisdiction" in (
        report.violations
    )
