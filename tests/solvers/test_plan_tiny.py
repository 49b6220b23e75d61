"""Solver on tiny scenarios whose right answer is computed by hand.

Geometry: metres, detour 1.0, 10 m/s for every agency, so d metres = ceil(d/10) s.
"""

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
from deploy_opt.result import Result


def solve(path, **params):
    scenario = load_scenario(path)
    data = build_problem(scenario, build_travel_model(scenario.spec.travel))
    result = solve_plan(data, SolveParams(**params))
    report = check_plan(data, result)
    assert report.passed, report.violations
    return data, result, report


def groups_of(data, result: Result) -> set[frozenset[str]]:
    return {frozenset(data.station_ids[i] for i in m) for m in result.grouping.members}


def test_two_pairs_form_two_groups_and_are_staffed(make_scenario):
    # A,B 100 m apart; C,D 100 m apart; the pairs 5 km apart. tps=2, limit 10 min.
    stations = [
        {"id": "A", "x": 0, "y": 0},
        {"id": "B", "x": 100, "y": 0},
        {"id": "C", "x": 5000, "y": 0},
        {"id": "D", "x": 5100, "y": 0},
    ]
    bases = [
        {"id": "PS", "kind": "polsek", "x": 0, "y": 1000, "polri": 4},
        {
            "id": "KEL",
            "kind": "kelurahan",
            "x": 0,
            "y": 0,
            "kecamatan": "Kec A",
            "kelurahan": "Kel A",
            "linmas": 8,
        },
        {"id": "PKM", "kind": "puskesmas", "x": 0, "y": 0},
    ]
    data, result, report = solve(make_scenario(stations, bases))
    assert groups_of(data, result) == {frozenset("AB"), frozenset("CD")}
    assert result.grouping.lower_bound == 2
    assert result.status == "optimal" and result.gap == 0
    polri = result.allocations["polri"]
    assert polri.count.sum() == 4 and polri.covered.all()
    # Longest trip of each group: PS->B = ceil(sqrt(100^2+1000^2)/10) = 101 s;
    # PS->D = ceil(sqrt(5100^2+1000^2)/10) = 520 s.
    assert sorted(polri.travel_s.tolist()) == [101, 520]
    assert report.station_covered.all()
    assert not result.shortfalls


def test_spread_limit_splits_far_stations(make_scenario):
    # Two TPS 7 km apart = 700 s > 10 min: they cannot share a group.
    stations = [{"id": "A", "x": 0, "y": 0}, {"id": "B", "x": 7000, "y": 0}]
    bases = [{"id": "PS", "kind": "polsek", "x": 3500, "y": 0, "polri": 4}]
    data, result, _ = solve(make_scenario(stations, bases))
    assert groups_of(data, result) == {frozenset("A"), frozenset("B")}
    assert result.grouping.lower_bound == 2  # the two are pairwise in conflict


def test_shortage_serves_higher_risk_first_and_explains(make_scenario):
    # 2 officers; one rawan TPS (weight 100) and a kurang_rawan pair (weight 1 each).
    stations = [
        {"id": "R", "x": 0, "y": 0, "category": "rawan"},
        {"id": "K1", "x": 100, "y": 0},
        {"id": "K2", "x": 200, "y": 0},
    ]
    bases = [
        {
            "id": "PS",
            "name": "Polsek Ciledug",
            "kind": "polsek",
            "x": 0,
            "y": 0,
            "polri": 2,
        },
        {
            "id": "KEL",
            "kind": "kelurahan",
            "x": 0,
            "y": 0,
            "kecamatan": "Kec A",
            "kelurahan": "Kel A",
            "linmas": 6,
        },
        {"id": "PKM", "kind": "puskesmas", "x": 0, "y": 0},
    ]
    data, result, report = solve(make_scenario(stations, bases))
    covered = dict(zip(data.station_ids, report.station_covered, strict=True))
    assert covered == {"R": True, "K1": False, "K2": False}
    [shortfall] = result.shortfalls
    assert shortfall.agency == "polri" and set(shortfall.station_ids) == {"K1", "K2"}
    assert shortfall.reason.startswith("Polsek Ciledug has 2 police for 4 needed")
    assert report.coverage_by_category["rawan"]["fraction"] == 1.0
    assert report.coverage_by_category["kurang_rawan"]["fraction"] == 0.0


def test_base_beyond_travel_limit_is_reported(make_scenario):
    # Polsek 20 km away = 2000 s > 30 min limit.
    stations = [{"id": "A", "x": 0, "y": 0, "category": "rawan"}]
    bases = [
        {
            "id": "PS",
            "name": "Polsek Jauh",
            "kind": "polsek",
            "x": 20000,
            "y": 0,
            "polri": 2,
        }
    ]
    _, result, _ = solve(make_scenario(stations, bases))
    polri = [s for s in result.shortfalls if s.agency == "polri"]
    assert len(polri) == 1
    assert (
        polri[0].reason == "no police base reaches every TPS of the group within 30 min"
    )


def test_jurisdiction_keeps_polsek_in_its_kecamatan(make_scenario):
    stations = [
        {"id": "A", "x": 0, "y": 0, "category": "rawan", "kecamatan": "Kec A"},
        {"id": "B", "x": 500, "y": 0, "category": "rawan", "kecamatan": "Kec B"},
    ]
    bases = [
        {
            "id": "PSA",
            "kind": "polsek",
            "x": 0,
            "y": 0,
            "polri": 10,
            "jurisdiction": "Kec A",
        },
        {
            "id": "PSB",
            "kind": "polsek",
            "x": 900,
            "y": 0,
            "polri": 2,
            "jurisdiction": "Kec B",
        },
    ]
    data, result, _ = solve(make_scenario(stations, bases))
    polri = result.allocations["polri"]
    sent = {
        (data.base_ids[b], data.station_ids[result.grouping.members[g][0]])
        for b, g in zip(polri.base, polri.group, strict=True)
    }
    assert sent == {("PSA", "A"), ("PSB", "B")}


def test_odd_headcount_leaves_no_half_group(make_scenario):
    # 3 officers for two rawan TPS needing 2 each: one TPS fully covered, never 2 x 1.
    stations = [
        {"id": "A", "x": 0, "y": 0, "category": "rawan"},
        {"id": "B", "x": 300, "y": 0, "category": "rawan"},
    ]
    bases = [{"id": "PS", "kind": "polsek", "x": 0, "y": 0, "polri": 3}]
    _, result, report = solve(make_scenario(stations, bases))
    polri = result.allocations["polri"]
    assert polri.count.sum() == 2
    assert sorted(report.station_staff["polri"].tolist()) == [0, 2]
    # The nearer TPS (A, 0 s) is the cheaper one to staff.
    assert polri.travel_s.tolist() == [0]
    assert result.status == "optimal" and result.objective == result.bound


def test_linmas_only_from_own_kelurahan(make_scenario):
    stations = [
        {"id": "A", "x": 0, "y": 0, "kelurahan": "Kel A"},
        {"id": "B", "x": 50, "y": 0, "kelurahan": "Kel B"},
    ]
    bases = [
        {"id": "PS", "kind": "polsek", "x": 0, "y": 0, "polri": 4},
        {
            "id": "KA",
            "kind": "kelurahan",
            "x": 0,
            "y": 0,
            "kecamatan": "Kec A",
            "kelurahan": "Kel A",
            "linmas": 10,
        },
    ]
    data, result, report = solve(make_scenario(stations, bases))
    staff = dict(
        zip(data.station_ids, report.station_staff["linmas"].tolist(), strict=True)
    )
    assert staff == {"A": 2, "B": 0}
    linmas = [s for s in result.shortfalls if s.agency == "linmas"]
    assert [s.reason for s in linmas] == ["no Linmas post in Kelurahan Kel B (Kec A)"]


def test_medical_links_nearest_facility_with_its_time(make_scenario):
    stations = [{"id": "A", "x": 0, "y": 0}, {"id": "B", "x": 30000, "y": 0}]
    bases = [
        {"id": "PS", "kind": "polsek", "x": 0, "y": 0, "polri": 4},
        {"id": "H1", "kind": "hospital", "x": 1000, "y": 0},
        {"id": "H2", "kind": "puskesmas", "x": 2500, "y": 0},
    ]
    data, result, _ = solve(make_scenario(stations, bases))
    med = result.medical
    names = [data.base_ids[b] for b in med.base]
    assert names == ["H1", "H2"]
    assert med.travel_s.tolist() == [100, 2750]  # 27.5 km -> 2750 s = 45.8 min > 30
    reasons = [s.reason for s in result.shortfalls if s.agency == "medis"]
    assert reasons == ["nearest medical facility H2 is 45.8 min away, limit 30 min"]


def test_same_seed_same_plan(make_scenario):
    rng = np.random.default_rng(7)
    stations = [
        {"id": f"T{i:02d}", "x": float(x), "y": float(y)}
        for i, (x, y) in enumerate(rng.uniform(0, 3000, (30, 2)))
    ]
    bases = [
        {"id": "PS1", "kind": "polsek", "x": 0, "y": 0, "polri": 13},
        {"id": "PS2", "kind": "polsek", "x": 3000, "y": 3000, "polri": 14},
    ]
    path = make_scenario(stations, bases)
    _, first, _ = solve(path, seed=3)
    _, second, _ = solve(path, seed=3)
    assert first.group_ids == second.group_ids
    for agency in first.allocations:
        a, b = first.allocations[agency], second.allocations[agency]
        assert (
            np.array_equal(a.base, b.base)
            and np.array_equal(a.group, b.group)
            and np.array_equal(a.count, b.count)
        )
    assert first.objective == second.objective


def test_two_tps_within_the_limit_share_a_group_beyond_half_of_it(make_scenario):
    # 4.5 km = 450 s apart: more than half of the 10-min limit, less than all of it.
    stations = [{"id": "A", "x": 0, "y": 0}, {"id": "B", "x": 4500, "y": 0}]
    bases = [{"id": "PS", "kind": "polsek", "x": 2250, "y": 0, "polri": 2}]
    data, result, _ = solve(make_scenario(stations, bases))
    assert groups_of(data, result) == {frozenset("AB")}
    assert result.grouping.lower_bound == 1


def test_one_medical_team_stands_where_it_covers_the_most_risk(make_scenario):
    # Two kurang_rawan TPS in the west, one rawan TPS (weight 100) in the east;
    # one team, 5-min threshold (3 km at 10 m/s): it must stand in the east.
    stations = [
        {"id": "W1", "x": 0, "y": 0},
        {"id": "W2", "x": 100, "y": 0},
        {"id": "E", "x": 20000, "y": 0, "category": "rawan"},
    ]
    bases = [
        {"id": "PS", "kind": "polsek", "x": 10000, "y": 0, "polri": 6},
        {
            "id": "KW",
            "kind": "kelurahan",
            "x": 50,
            "y": 0,
            "kecamatan": "Kec A",
            "kelurahan": "Kel A",
            "linmas": 6,
        },
        {"id": "PE", "kind": "puskesmas", "x": 20500, "y": 0},
    ]
    extra = {"medical_teams": {"teams": 1, "model": "mclp", "threshold_minutes": 5}}
    data, result, _report = solve(
        make_scenario(stations, bases, extra=extra, limits={"polri": 60, "medis": 60})
    )
    teams = result.teams
    assert [data.base_ids[b] for b in teams.sites] == ["PE"]
    assert dict(zip(data.station_ids, teams.within.tolist(), strict=True)) == {
        "W1": False,
        "W2": False,
        "E": True,
    }
    assert teams.travel_s[data.station_ids.index("E")] == 50  # 500 m
    assert teams.status == "optimal"
    team_short = {
        s.station_ids[0] for s in result.shortfalls if s.agency == "medis_team"
    }
    assert team_short == {"W1", "W2"}


def test_grouping_refinement_with_the_capacitated_p_median(make_scenario):
    rng = np.random.default_rng(11)
    stations = [
        {"id": f"T{i:02d}", "x": float(x), "y": float(y)}
        for i, (x, y) in enumerate(rng.uniform(0, 2500, (24, 2)))
    ]
    bases = [{"id": "PS", "kind": "polsek", "x": 1200, "y": 1200, "polri": 30}]
    categories = {
        "kurang_rawan": {
            "weight": 1,
            "police": 2,
            "tps": 4,
            "linmas": 0,
            "max_group_minutes": 5,
        }
    }
    plain = solve(make_scenario(stations, bases, categories=categories))[1].grouping
    # the solver option of the scenario (solver.grouping_refine_s) reaches SolveParams
    _, result, _ = solve(
        make_scenario(stations, bases, categories=categories), grouping_refine_s=5
    )
    refined = result.grouping
    assert refined.n_groups == plain.n_groups
    assert refined.spread_bound_s is not None and plain.spread_bound_s is None
    assert refined.spread_bound_s <= refined.spread_s <= plain.spread_s
