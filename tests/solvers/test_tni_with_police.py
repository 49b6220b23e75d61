"""TNI join police groups: TNI only where the group's police are staffed.

Geometry as in test_plan_tiny: metres, detour 1.0, 10 m/s, so the tiny
scenarios' answers follow by hand.
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
from deploy_opt.errors import ScenarioError

CATEGORIES = {
    "rawan": {"weight": 100, "police": 2, "tps": 1, "linmas": 0, "tni": 1},
    "kurang_rawan": {
        "weight": 1,
        "police": 2,
        "tps": 2,
        "linmas": 0,
        "tni": 1,
        "max_group_minutes": 10,
    },
}


def solve(path, **params):
    scenario = load_scenario(path)
    data = build_problem(scenario, build_travel_model(scenario.spec.travel))
    result = solve_plan(data, SolveParams(**params))
    return data, result, check_plan(data, result)


def staffed_per_group(result, agency):
    alloc = result.allocations[agency]
    return np.bincount(
        alloc.group, weights=alloc.count, minlength=result.grouping.n_groups
    ).astype(int)


def two_groups(make_scenario, **extra):
    # R (rawan, alone) and the pair A, B; 2 police (one group's worth), 5 TNI.
    stations = [
        {"id": "R", "x": 0, "y": 0, "category": "rawan"},
        {"id": "A", "x": 2000, "y": 0},
        {"id": "B", "x": 2100, "y": 0},
    ]
    bases = [
        {"id": "PS", "kind": "polsek", "x": 0, "y": 500, "polri": 2},
        {"id": "KOR", "kind": "koramil", "x": 0, "y": -500, "tni": 5},
    ]
    return make_scenario(stations, bases, categories=CATEGORIES, extra=extra)


def test_tni_go_only_where_police_are_staffed(make_scenario):
    data, result, report = solve(two_groups(make_scenario))
    assert report.passed, report.violations
    police = staffed_per_group(result, "polri")
    tni = staffed_per_group(result, "tni")
    # the rawan TPS (weight 100) gets the 2 police; the pair none, so no TNI
    ids = {data.station_ids[m[0]]: g for g, m in enumerate(result.grouping.members)}
    assert police[ids["R"]] == 2 and tni[ids["R"]] == 1
    assert police[ids["A"]] == 0 and tni[ids["A"]] == 0
    reasons = {s.station_ids: s.reason for s in result.shortfalls if s.agency == "tni"}
    assert reasons == {("A", "B"): "no police staffed, TNI do not replace police"}


def test_a_category_may_take_tni_alone(make_scenario):
    path = two_groups(make_scenario, solver={"tni_without_police": ["kurang_rawan"]})
    _, result, report = solve(path)
    assert report.passed, report.violations
    tni = staffed_per_group(result, "tni")
    assert (tni == 1).all()  # both groups, though the pair has no police
    assert not [s for s in result.shortfalls if s.agency == "tni"]


def test_unknown_category_is_a_clear_error(make_scenario):
    path = two_groups(make_scenario, solver={"tni_without_police": ["kurang_rawn"]})
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    text = "\n".join(str(i) for i in info.value.issues)
    assert "tni_without_police" in text
    assert "did you mean 'kurang_rawan'" in text


def test_checker_flags_tni_without_police(make_scenario):
    data, result, _ = solve(two_groups(make_scenario))
    tni = result.allocations["tni"]
    pair = next(
        g
        for g, m in enumerate(result.grouping.members)
        if data.station_ids[m[0]] == "A"
    )
    forged = dataclasses.replace(
        tni,
        base=np.append(tni.base, tni.base[0]),
        group=np.append(tni.group, pair),
        count=np.append(tni.count, 1),
        travel_s=np.append(tni.travel_s, 0),
    )
    bad = dataclasses.replace(result, allocations={**result.allocations, "tni": forged})
    violations = check_plan(data, bad).violations
    assert any("TNI do not replace police" in v for v in violations), violations


def test_police_cut_to_40_percent_leaves_no_tni_without_police(make_scenario):
    # 24 kurang rawan TPS in pairs along a line, 2 police per pair needed (24),
    # police cut to 40 % (10), TNI plentiful: only police-staffed pairs get TNI.
    stations = [
        {"id": f"T{i:02d}", "x": 1000 * (i // 2), "y": 50 * (i % 2)} for i in range(24)
    ]
    bases = [
        {"id": "PS1", "kind": "polsek", "x": 2000, "y": 300, "polri": 4},
        {"id": "PS2", "kind": "polsek", "x": 9000, "y": 300, "polri": 6},
        {"id": "KOR", "kind": "koramil", "x": 5000, "y": -300, "tni": 20},
    ]
    _, result, report = solve(
        make_scenario(stations, bases, categories=CATEGORIES), time_limit_s=5
    )
    assert report.passed, report.violations
    police = staffed_per_group(result, "polri")
    tni = staffed_per_group(result, "tni")
    assert police.sum() == 10
    assert ((tni > 0) <= (police >= 2)).all()
    assert (tni[police >= 2] == 1).all()
    unstaffed = int((police == 0).sum())
    assert unstaffed == result.grouping.n_groups - 5
    why = [s.reason for s in result.shortfalls if s.agency == "tni"]
    assert why == ["no police staffed, TNI do not replace police"] * unstaffed
