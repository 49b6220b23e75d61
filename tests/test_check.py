"""The checker must catch a plan that breaks a rule: it is not a rubber stamp."""

from __future__ import annotations

from dataclasses import replace

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


@pytest.fixture
def solved(make_scenario):
    stations = [
        {"id": "A", "x": 0, "y": 0, "category": "rawan"},
        {"id": "B", "x": 100, "y": 0},
        {"id": "C", "x": 200, "y": 0},
        {"id": "D", "x": 50, "y": 50, "kelurahan": "Kel B"},
    ]
    bases = [
        {"id": "PS", "kind": "polsek", "x": 0, "y": 0, "polri": 6},
        {
            "id": "KA",
            "kind": "kelurahan",
            "x": 0,
            "y": 0,
            "kecamatan": "Kec A",
            "kelurahan": "Kel A",
            "linmas": 6,
        },
        {
            "id": "KB",
            "kind": "kelurahan",
            "x": 50,
            "y": 50,
            "kecamatan": "Kec A",
            "kelurahan": "Kel B",
            "linmas": 2,
        },
        {"id": "PKM", "kind": "puskesmas", "x": 0, "y": 0},
    ]
    scenario = load_scenario(make_scenario(stations, bases))
    data = build_problem(scenario, build_travel_model(scenario.spec.travel))
    result = solve_plan(data, SolveParams())
    assert check_plan(data, result).passed
    return data, result


def test_more_officers_than_the_base_has(solved):
    data, result = solved
    polri = result.allocations["polri"]
    inflated = replace(polri, count=polri.count * 5)
    report = check_plan(
        data, replace(result, allocations={**result.allocations, "polri": inflated})
    )
    assert any("sends" in v for v in report.violations)


def test_unlisted_shortfall(solved):
    data, result = solved
    polri = result.allocations["polri"]
    keep = np.arange(len(polri.base)) > 0  # drop one allocation row silently
    fewer = replace(
        polri,
        base=polri.base[keep],
        group=polri.group[keep],
        count=polri.count[keep],
        travel_s=polri.travel_s[keep],
    )
    report = check_plan(
        data, replace(result, allocations={**result.allocations, "polri": fewer})
    )
    assert any("not listed once as a shortfall" in v for v in report.violations)


def test_linmas_from_another_kelurahan(solved):
    data, result = solved
    linmas = result.linmas
    other = np.where(
        linmas.base == data.base_ids.index("KA"),
        data.base_ids.index("KB"),
        data.base_ids.index("KA"),
    )
    report = check_plan(data, replace(result, linmas=replace(linmas, base=other)))
    assert any("another kelurahan" in v for v in report.violations)


def test_group_larger_than_its_rule(solved):
    data, result = solved
    grouping = result.grouping
    kurang = [g for g, m in enumerate(grouping.members) if len(m) == 2]
    assert kurang
    members = list(grouping.members)
    rawan_group = next(
        g for g, m in enumerate(members) if data.station_ids[m[0]] == "A"
    )
    members[kurang[0]] = np.sort(
        np.concatenate([members[kurang[0]], members[rawan_group]])
    )
    bad = replace(grouping, members=tuple(members))
    report = check_plan(data, replace(result, grouping=bad))
    assert report.violations


def test_wrong_travel_time_reported(solved):
    data, result = solved
    polri = result.allocations["polri"]
    report = check_plan(
        data,
        replace(
            result,
            allocations={
                **result.allocations,
                "polri": replace(polri, travel_s=polri.travel_s + 7),
            },
        ),
    )
    assert any("recomputed" in v for v in report.violations)
