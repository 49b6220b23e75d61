"""TPS kinds: prison TPS take the khusus rule and their own Polsek, hospital TPS
their hospital; bad mappings are refused with a did-you-mean.

Geometry as in test_plan_tiny: metres, detour 1.0, 10 m/s (d metres take
ceil(d / 10) s); police travel limit 10 min.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from deploy_opt import (
    SolveParams,
    build_problem,
    build_travel_model,
    check_plan,
    load_scenario,
    solve_plan,
)
from deploy_opt.export.summary import build_summary
from deploy_opt.scenario.load import validate_scenario

CATEGORIES = {
    "khusus": {"weight": 1000, "police": 2, "tps": 1, "linmas": 0, "tni": 0},
    "kurang_rawan": {"weight": 1, "police": 2, "tps": 1, "linmas": 0, "tni": 0},
}
PRISON = {"prison": {"category": "khusus", "police": "own_polsek"}}


def solve(path):
    scenario = load_scenario(path)
    data = build_problem(scenario, build_travel_model(scenario.spec.travel))
    result = solve_plan(data, SolveParams(time_limit_s=5))
    report = check_plan(data, result)
    assert report.passed, report.violations
    return data, result, report


def police_of(data, result, station_id):
    """Base ids sending police to the group of ``station_id``."""
    g = result.grouping.station_group[data.station_ids.index(station_id)]
    alloc = result.allocations["polri"]
    return {data.base_ids[b] for b in alloc.base[alloc.group == g]}


def prison(make_scenario, kinds, *, own_x=2000, **solver):
    """Prison TPS P1 (table says kurang_rawan) in Kec A; the Polres HQ pool
    (any jurisdiction) is next door, its own Polsek PA at ``own_x`` m, the
    Kec B Polsek PB 500 m away."""
    stations = [
        {"id": "P1", "x": 0, "y": 0, "kind": "prison"},
        {"id": "B1", "x": 500, "y": 3000, "kecamatan": "Kec B"},
    ]
    bases = [
        {"id": "HQ", "kind": "polres", "x": 100, "y": 0, "polri": 10},
        {"id": "PA", "kind": "polsek", "x": own_x, "y": 0, "polri": 2},
        {"id": "PB", "kind": "polsek", "x": 500, "y": 0, "polri": 2},
    ]
    bases[1]["jurisdiction"] = "Kec A"
    bases[2]["jurisdiction"] = "Kec B"
    extra = {"kinds": kinds, "solver": {"time_limit_s": 5, "seed": 0, **solver}}
    return make_scenario(
        stations, bases, categories=CATEGORIES, limits={"polri": 10}, extra=extra
    )


def test_a_prison_tps_takes_the_khusus_rule_and_its_own_polsek(make_scenario):
    data, result, report = solve(prison(make_scenario, PRISON))
    p1 = data.station_ids.index("P1")
    assert data.categories[data.station_category[p1]].name == "khusus"
    assert police_of(data, result, "P1") == {"PA"}
    assert report.station_covered[p1]
    kinds = report.extra["kinds"]
    assert kinds["prison"]["stations"] == 1 and kinds["prison"]["covered"] == 1
    summary = build_summary(data, result, report, scenario_name="tiny")
    assert summary["kinds"]["prison"]["rule"] == {
        "category": "khusus",
        "police": "own_polsek",
        "medical": "nearest",
    }
    # without the rule the nearest base (HQ) serves it, as kurang_rawan
    data, result, _ = solve(prison(make_scenario, {}))
    p1 = data.station_ids.index("P1")
    assert data.categories[data.station_category[p1]].name == "kurang_rawan"
    assert police_of(data, result, "P1") == {"HQ"}


def test_own_polsek_is_never_a_neighbour_even_when_penalised(make_scenario):
    path = prison(
        make_scenario,
        PRISON,
        own_x=9000,  # 15 min away: out of reach
        jurisdiction="penalised",
        cross_jurisdiction_penalty_minutes=5,
    )
    data, result, report = solve(path)
    assert not report.station_covered[data.station_ids.index("P1")]
    (short,) = [s for s in result.shortfalls if s.agency == "polri"]
    assert short.station_ids == ("P1",)
    assert short.reason == (
        "prison TPS take police only from PA, which does not reach every TPS of "
        "the group"
    )


def test_a_named_base_serves_the_kind(make_scenario):
    kinds = {"prison": {"category": "khusus", "police": "PB"}}
    path = prison(
        make_scenario,
        kinds,
        jurisdiction="penalised",
        cross_jurisdiction_penalty_minutes=5,
    )
    data, result, report = solve(path)
    assert police_of(data, result, "P1") == {"PB"}
    assert report.extra["cross_jurisdiction"]["polri"] == 2


def test_checker_refuses_police_the_kind_does_not_allow(make_scenario):
    data, _result, _ = solve(prison(make_scenario, PRISON))
    unrestricted, free_result, _ = solve(
        prison(make_scenario, {"prison": {"category": "khusus"}})
    )
    assert police_of(unrestricted, free_result, "P1") == {"HQ"}
    report = check_plan(data, free_result)
    assert any("whose TPS kind takes police only" in v for v in report.violations)


def hospital(make_scenario, kinds, host=""):
    """Hospital TPS H1 with a puskesmas 100 m away, hospitals RS1 (1 km) and
    RS2 (3 km)."""
    stations = [{"id": "H1", "x": 0, "y": 0, "kind": "Hospital", "host": host}]
    bases = [
        {"id": "PS", "kind": "polsek", "x": 0, "y": 50, "polri": 2},
        {"id": "PKM", "kind": "puskesmas", "x": 100, "y": 0},
        {"id": "RS1", "kind": "hospital", "x": 1000, "y": 0},
        {"id": "RS2", "kind": "hospital", "x": 3000, "y": 0},
    ]
    return make_scenario(stations, bases, categories=CATEGORIES, extra={"kinds": kinds})


def test_a_hospital_tps_is_linked_to_its_hospital(make_scenario):
    own = {"hospital": {"medical": "own_hospital"}}
    for kinds, host, expected, seconds in (
        ({}, "", "PKM", 10),
        (own, "", "RS1", 100),  # nearest hospital
        (own, "RS2", "RS2", 300),  # its host
        ({"hospital": {"medical": "RS2"}}, "", "RS2", 300),
    ):
        data, result, report = solve(hospital(make_scenario, kinds, host))
        assert data.base_ids[result.medical.base[0]] == expected
        assert result.medical.travel_s[0] == seconds
    # the checker refuses the nearest facility where the kind names another
    data, result, _ = solve(hospital(make_scenario, own, "RS2"))
    nearest = dataclasses.replace(
        result.medical, base=np.array([data.base_ids.index("PKM")])
    )
    report = check_plan(data, dataclasses.replace(result, medical=nearest))
    assert any("its kind names RS2" in v for v in report.violations)


def messages(path):
    return [f"{i.field}: {i.message}" for i in validate_scenario(path)]


def test_bad_kind_mappings_are_refused_with_a_did_you_mean(make_scenario):
    kinds = {
        "prison": {"category": "khusu", "police": "own_polsk"},
        "hospital": {"medical": "PS"},
        "hospitl": {"medical": "RS9"},
    }
    found = messages(hospital(make_scenario, kinds, host="R1"))
    expected = [
        "kinds.prison.category: 'khusu' is not a category (known: khusus, "
        "kurang_rawan); did you mean 'khusus'?",
        "kinds.prison.police: 'own_polsk' is neither any nor own_polsek nor a base "
        "id; did you mean 'own_polsek'?",
        "kinds.hospital.medical: base 'PS' is a polsek, not a medical facility "
        "(puskesmas or hospital)",
        "column host: host 'R1' is not a base id; did you mean 'RS1'?",
    ]
    for message in expected:
        assert message in found, (message, found)
    unknown = "kinds.hospitl.medical: 'RS9' is neither nearest nor own_hospital nor"
    assert any(m.startswith(unknown) and "did you mean 'RS" in m for m in found)
    # kinds no TPS has are warnings, with the closest kind of the table
    warnings = {
        f"{i.field}: {i.message}"
        for i in validate_scenario(hospital(make_scenario, {"hospitl": {}}))
    }
    assert warnings == {
        "kinds.hospitl: no TPS has kind 'hospitl', so this rule applies to none; "
        "did you mean 'hospital'?"
    }


def test_jurisdiction_settings_go_together(make_scenario):
    stations = [{"id": "A", "x": 0, "y": 0}]
    bases = [{"id": "PS", "kind": "polsek", "x": 0, "y": 50, "polri": 2}]
    penalised = make_scenario(
        stations, bases, extra={"solver": {"jurisdiction": "penalised"}}
    )
    assert any(
        "needs `cross_jurisdiction_penalty_minutes`" in m for m in messages(penalised)
    )
    hard = make_scenario(
        stations, bases, extra={"solver": {"cross_jurisdiction_penalty_minutes": 30}}
    )
    assert any(
        "applies only with `jurisdiction: penalised`" in m for m in messages(hard)
    )
