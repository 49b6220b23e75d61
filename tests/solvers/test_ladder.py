"""Pattern ladder: tiny cases whose loosening order is known by hand.

Geometry as in test_plan_tiny: metres, detour 1.0, 10 m/s, so d metres take
ceil(d / 10) s; groups may spread 10 min (6 km); police reach 30 min (18 km).
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

LADDER = ["2-2-4", "2-4-8"]


def ladder_category(weight: float) -> dict[str, object]:
    return {
        "weight": weight,
        "pattern": LADDER,
        "pattern_order": "P-T-L",
        "max_group_minutes": 10,
    }


def solve(path):
    scenario = load_scenario(path)
    data = build_problem(scenario, build_travel_model(scenario.spec.travel))
    result = solve_plan(data, SolveParams(time_limit_s=5))
    report = check_plan(data, result)
    assert report.passed, report.violations
    return data, result, report


def cell_rules(data, result) -> dict[tuple[str, str], set[str]]:
    """Rule texts used per (category, first station id of the cell's kecamatan)."""
    out: dict[tuple[str, str], set[str]] = {}
    grouping = result.grouping
    for g in range(grouping.n_groups):
        rule = data.categories[grouping.group_category[g]]
        key = (rule.name, data.kecamatan_names[grouping.group_kecamatan[g]])
        out.setdefault(key, set()).add(rule.rung_rule(int(grouping.rungs[g])))
    return out


def police_met_everywhere(report) -> bool:
    """Every TPS has the police its group's rule asks (Linmas are not modelled here)."""
    return all(
        row["police_met"] == row["stations"]
        for row in report.coverage_by_category.values()
    )


def square(prefix: str, x: float, y: float, **fields) -> list[dict[str, object]]:
    """Four TPS 100 m apart: one group under 2-4-8, two under 2-2-4."""
    return [
        {"id": f"{prefix}{i}", "x": x + dx, "y": y + dy, **fields}
        for i, (dx, dy) in enumerate([(0, 0), (100, 0), (0, 100), (100, 100)])
    ]


def police(count: int) -> list[dict[str, object]]:
    return [{"id": "PS", "kind": "polsek", "x": 0, "y": 500, "polri": count}]


def test_enough_police_keeps_every_cell_densest(make_scenario):
    path = make_scenario(
        square("A", 0, 0),
        police(4),
        categories={"kurang_rawan": ladder_category(1)},
    )
    _data, result, report = solve(path)
    assert result.grouping.n_groups == 2
    assert (result.grouping.rungs == 0).all()
    assert set(result.grouping.group_reason) == {"densest rule 2-2-4"}
    assert police_met_everywhere(report)
    assert report.coverage_by_category["kurang_rawan"]["rules_used"] == "2-2-4 x2"


def test_short_police_loosen_the_cell(make_scenario):
    path = make_scenario(
        square("A", 0, 0),
        police(2),
        categories={"kurang_rawan": ladder_category(1)},
    )
    _data, result, report = solve(path)
    assert result.grouping.n_groups == 1
    assert result.grouping.rungs.tolist() == [1]
    (reason,) = result.grouping.group_reason
    assert reason == (
        "loosened to 2-4-8: the police of PS could not staff 2-2-4 "
        "for every group they reach (2 TPS short)"
    )
    assert police_met_everywhere(report)
    assert report.coverage_by_category["kurang_rawan"]["rules_used"] == "2-4-8 x1"


def test_lowest_weight_is_loosened_first(make_scenario):
    # 6 police for two laddered classes of 4 TPS each: densest needs 8, and
    # loosening either class once needs 6. The weight-1 class gives way.
    stations = square("S", 0, 0, category="sedang") + square(
        "K", 1000, 0, category="kurang_rawan"
    )
    path = make_scenario(
        stations,
        police(6),
        categories={
            "sedang": ladder_category(10),
            "kurang_rawan": ladder_category(1),
        },
    )
    data, result, report = solve(path)
    assert cell_rules(data, result) == {
        ("sedang", "Kec A"): {"2-2-4"},
        ("kurang_rawan", "Kec A"): {"2-4-8"},
    }
    assert police_met_everywhere(report)


def test_single_rule_class_is_served_by_loosening_a_laddered_one(make_scenario):
    # rawan (one rule 2-1-2) and kurang_rawan (ladder) share 4 police.
    stations = [{"id": "R", "x": 0, "y": 300, "category": "rawan"}, *square("K", 0, 0)]
    path = make_scenario(
        stations,
        police(4),
        categories={
            "rawan": {"weight": 100, "police": 2, "tps": 1, "linmas": 2},
            "kurang_rawan": ladder_category(1),
        },
    )
    data, result, report = solve(path)
    assert cell_rules(data, result) == {
        ("rawan", "Kec A"): {"2-1-2"},
        ("kurang_rawan", "Kec A"): {"2-4-8"},
    }
    reasons = dict(zip(result.group_ids, result.grouping.group_reason, strict=True))
    assert any(r == "single rule 2-1-2" for r in reasons.values())
    assert police_met_everywhere(report)


def test_only_the_short_kecamatan_is_loosened(make_scenario):
    # Two kecamatan of the same class and one Polsek with 6 police: densest
    # needs 8; loosening one kecamatan is enough and the other stays densest.
    stations = square("A", 0, 0, kecamatan="Kec A") + square(
        "B", 1000, 0, kecamatan="Kec B"
    )
    path = make_scenario(
        stations, police(6), categories={"kurang_rawan": ladder_category(1)}
    )
    data, result, report = solve(path)
    used = cell_rules(data, result)
    assert sorted(map(frozenset, used.values())) == sorted(
        [frozenset({"2-2-4"}), frozenset({"2-4-8"})]
    )
    assert police_met_everywhere(report)


def test_a_loosening_that_did_not_help_is_undone(make_scenario):
    # kurang_rawan (weight 1): two pairs 8 km apart, beyond the 6 km spread
    # limit, so 2-4-8 still needs two groups. sedang (weight 10): a square.
    # 6 police, densest needs 8. kurang_rawan is loosened first (lowest
    # weight) without gain, then sedang; tightening returns kurang_rawan.
    pairs = [
        {"id": "K1", "x": 0, "y": 0},
        {"id": "K2", "x": 100, "y": 0},
        {"id": "K3", "x": 8000, "y": 0},
        {"id": "K4", "x": 8100, "y": 0},
    ]
    stations = pairs + square("S", 0, 1000, category="sedang")
    path = make_scenario(
        stations,
        police(6),
        categories={
            "sedang": ladder_category(10),
            "kurang_rawan": ladder_category(1),
        },
    )
    data, result, report = solve(path)
    assert cell_rules(data, result) == {
        ("sedang", "Kec A"): {"2-4-8"},
        ("kurang_rawan", "Kec A"): {"2-2-4"},
    }
    assert police_met_everywhere(report)


def test_nothing_to_loosen_leaves_the_shortfall(make_scenario):
    # No police at all: loosening cannot help, the cells stay densest.
    path = make_scenario(
        square("A", 0, 0),
        police(0),
        categories={"kurang_rawan": ladder_category(1)},
    )
    _data, result, report = solve(path)
    assert (result.grouping.rungs == 0).all()
    assert report.coverage_by_category["kurang_rawan"]["police_met"] == 0


@pytest.fixture
def loosened(make_scenario):
    path = make_scenario(
        square("A", 0, 0),
        police(2),
        categories={"kurang_rawan": ladder_category(1)},
    )
    return solve(path)


def test_checker_catches_a_group_larger_than_its_rule(loosened):
    data, result, _ = loosened
    grouping = dataclasses.replace(
        result.grouping, group_rung=np.zeros(1, dtype=np.int64)
    )
    report = check_plan(data, dataclasses.replace(result, grouping=grouping))
    assert any("has 4 TPS, rule 2-2-4 allows 2" in v for v in report.violations)


def test_checker_catches_a_rule_outside_the_ladder(loosened):
    data, result, _ = loosened
    grouping = dataclasses.replace(
        result.grouping, group_rung=np.full(1, 5, dtype=np.int64)
    )
    report = check_plan(data, dataclasses.replace(result, grouping=grouping))
    assert any(
        "uses rule 5 of kurang_rawan's ladder of 2" in v for v in report.violations
    )
