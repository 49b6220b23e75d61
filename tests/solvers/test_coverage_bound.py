"""The coverage bound: hand-computed LP values and bound >= achieved on random cases.

Geometry as in test_plan_tiny: metres, detour 1.0, 10 m/s. Weights are scaled
by 100 in the solver (units.WEIGHT_SCALE).
"""

from __future__ import annotations

from pathlib import Path
from tempfile import TemporaryDirectory

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deploy_opt import (
    SolveParams,
    build_problem,
    build_travel_model,
    check_plan,
    load_scenario,
    solve_plan,
)
from deploy_opt.solvers.coverage_bound import coverage_bound
from scenario_builder import write_scenario

PAIRS = {
    "kurang_rawan": {
        "weight": 1,
        "police": 2,
        "tps": 2,
        "linmas": 0,
        "tni": 0,
        "max_group_minutes": 10,
    },
}


def problem(path):
    scenario = load_scenario(path)
    return build_problem(scenario, build_travel_model(scenario.spec.travel))


def achieved(data, result):
    report = check_plan(data, result)
    assert report.passed, report.violations
    weights = np.array([data.categories[c].weight for c in data.station_category])
    return int(weights[report.station_covered].sum())


def test_two_police_cover_one_pair(make_scenario):
    # Two pairs 100 m apart each, 5 km between them; 2 police: each covered TPS
    # takes at least 2/2 = 1 officer, so at most 2 of 4 TPS: bound 2 x 100.
    stations = [
        {"id": "A", "x": 0, "y": 0},
        {"id": "B", "x": 100, "y": 0},
        {"id": "C", "x": 5000, "y": 0},
        {"id": "D", "x": 5100, "y": 0},
    ]
    bases = [{"id": "PS", "kind": "polsek", "x": 2500, "y": 0, "polri": 2}]
    data = problem(make_scenario(stations, bases, categories=PAIRS))
    bound = coverage_bound(data)
    assert bound.weight == 200 and bound.total_weight == 400
    assert bound.fraction == 0.5
    result = solve_plan(data, SolveParams(time_limit_s=5))
    assert achieved(data, result) == 200
    assert bound.gap(200) == 0


def test_a_tps_that_cannot_share_a_group_needs_its_whole_rule(make_scenario):
    # A and B are 7 km apart (> 10 min): each is a group of one needing 2
    # police, so 2 police cover one TPS, not two (a bound of p/tps would say 2).
    stations = [{"id": "A", "x": 0, "y": 0}, {"id": "B", "x": 7000, "y": 0}]
    bases = [{"id": "PS", "kind": "polsek", "x": 3500, "y": 0, "polri": 2}]
    data = problem(make_scenario(stations, bases, categories=PAIRS))
    assert coverage_bound(data).weight == 100


def test_only_bases_that_may_serve_a_tps_count(make_scenario):
    # PS serves Kec A only; the pair in Kec B has no police in reach.
    stations = [
        {"id": "A", "x": 0, "y": 0},
        {"id": "B", "x": 100, "y": 0},
        {"id": "C", "x": 200, "y": 0, "kecamatan": "Kec B", "kelurahan": "Kel B"},
        {"id": "D", "x": 300, "y": 0, "kecamatan": "Kec B", "kelurahan": "Kel B"},
    ]
    bases = [
        {
            "id": "PS",
            "kind": "polsek",
            "x": 0,
            "y": 0,
            "polri": 8,
            "jurisdiction": "Kec A",
        }
    ]
    data = problem(make_scenario(stations, bases, categories=PAIRS))
    assert coverage_bound(data).weight == 200


def test_tni_and_linmas_limit_the_bound_too(make_scenario):
    # One pair, police plenty; TNI 1 per group (1/2 per TPS) and 1 soldier:
    # both TPS; Linmas 1 per TPS and 1 Linmas in the kelurahan: one TPS.
    categories = {
        "kurang_rawan": {**PAIRS["kurang_rawan"], "tni": 1, "linmas": 1},
    }
    stations = [{"id": "A", "x": 0, "y": 0}, {"id": "B", "x": 100, "y": 0}]
    bases = [
        {"id": "PS", "kind": "polsek", "x": 0, "y": 0, "polri": 8, "tni": 1},
        {
            "id": "KEL",
            "kind": "kelurahan",
            "x": 0,
            "y": 0,
            "kecamatan": "Kec A",
            "kelurahan": "Kel A",
            "linmas": 1,
        },
    ]
    data = problem(make_scenario(stations, bases, categories=categories))
    assert coverage_bound(data).weight == 100


coordinate = st.integers(min_value=0, max_value=12_000)


@st.composite
def cases(draw: st.DrawFn) -> tuple[list[dict], list[dict], dict]:
    n = draw(st.integers(min_value=1, max_value=12))
    stations = [
        {
            "id": f"T{i:02d}",
            "x": draw(coordinate),
            "y": draw(coordinate),
            "kelurahan": kel,
            "kecamatan": kec,
            "category": draw(st.sampled_from(["rawan", "kurang_rawan"])),
        }
        for i in range(n)
        for kec, kel in [
            draw(st.sampled_from([("Kec A", "Kel A"), ("Kec B", "Kel B")]))
        ]
    ]
    bases = [
        {
            "id": f"PS{j}",
            "kind": "polsek",
            "x": draw(coordinate),
            "y": draw(coordinate),
            "polri": draw(st.integers(min_value=0, max_value=9)),
            "tni": draw(st.integers(min_value=0, max_value=3)),
            "jurisdiction": draw(
                st.sampled_from(["", *sorted({s["kecamatan"] for s in stations})])
            ),
        }
        for j in range(draw(st.integers(min_value=1, max_value=3)))
    ]
    bases += [
        {
            "id": f"L{k}",
            "kind": "kelurahan",
            "x": 0,
            "y": 0,
            "kecamatan": kec,
            "kelurahan": kel,
            "linmas": draw(st.integers(0, 8)),
        }
        for k, (kec, kel) in enumerate([("Kec A", "Kel A"), ("Kec B", "Kel B")])
        if any(s["kelurahan"] == kel for s in stations)
    ]
    categories = {
        "rawan": {
            "weight": draw(st.sampled_from([10, 100])),
            "police": 2,
            "tps": draw(st.integers(1, 2)),
            "linmas": draw(st.integers(1, 2)),
            "tni": draw(st.integers(0, 1)),
            "max_group_minutes": 10,
        },
        "kurang_rawan": {
            "weight": 1,
            "police": 2,
            "tps": draw(st.integers(1, 5)),
            "linmas": 2,
            "tni": draw(st.integers(0, 2)),
            "max_group_minutes": draw(st.sampled_from([5, 10, 20])),
        },
    }
    return stations, bases, categories


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_bound_is_never_below_the_coverage_of_a_plan(case):
    stations, bases, categories = case
    with TemporaryDirectory() as folder:
        path = write_scenario(
            Path(folder),
            stations,
            bases,
            categories=categories,
            limits={"polri": 15, "tni": 15},
        )
        data = problem(path)
    bound = coverage_bound(data)
    result = solve_plan(data, SolveParams(time_limit_s=5))
    assert achieved(data, result) <= bound.weight <= bound.total_weight
    assert result.coverage_bound == bound
