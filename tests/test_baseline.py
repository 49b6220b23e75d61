"""The manual-planning baseline on tiny scenarios whose plan is worked out by hand.

Geometry: metres, detour 1.0, 10 m/s for every agency, so d metres = ceil(d/10) s.
Default classes (conftest): rawan 2 police per TPS (weight 100); kurang_rawan
2 police per 2 TPS within 10 min (weight 1). Police and TNI limit 30 min.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from deploy_opt import (
    ProblemData,
    SolveParams,
    build_problem,
    build_travel_model,
    check_plan,
    load_scenario,
    solve_plan,
)
from deploy_opt.baseline import manual_plan, rule_breaks
from deploy_opt.check import CheckReport
from deploy_opt.result import Result

KEL = {"kind": "kelurahan", "kecamatan": "Kec A", "kelurahan": "Kel A"}
PKM = {"id": "PKM", "kind": "puskesmas", "x": 0, "y": 0}


def load(path: Path) -> ProblemData:
    scenario = load_scenario(path)
    return build_problem(scenario, build_travel_model(scenario.spec.travel))


def groups_of(data: ProblemData, result: Result) -> list[list[str]]:
    return sorted([data.station_ids[i] for i in m] for m in result.grouping.members)


def staffed(data: ProblemData, result: Result, agency: str = "polri") -> set[str]:
    """Ids of the TPS whose group got its persons of ``agency``."""
    alloc = result.allocations[agency]
    return {
        data.station_ids[i]
        for g in np.flatnonzero(alloc.covered & (alloc.demand > 0))
        for i in result.grouping.members[g]
    }


def checked(data: ProblemData, result: Result) -> CheckReport:
    """Check the manual plan: its only violations are the rule breaks it is known for."""
    report = check_plan(data, result)
    breaks = rule_breaks(data, result)
    spread = [v for v in report.violations if "min apart" in v]
    far = {
        agency: [
            v
            for v in report.violations
            if v.startswith(f"{agency}:") and "beyond the travel limit" in v
        ]
        for agency in ("polri", "tni")
    }
    assert len(spread) + sum(map(len, far.values())) == len(report.violations), (
        report.violations
    )
    assert breaks.spread == len(spread)
    assert breaks.travel == {agency: len(v) for agency, v in far.items()}
    return report


def weighted_cover(data: ProblemData, report: CheckReport, result: Result) -> int:
    """Risk-weighted TPS covered by their rule, counting only rule-keeping groups."""
    broken = rule_breaks(data, result).group_broken[result.grouping.station_group]
    weight = np.array([data.categories[c].weight for c in data.station_category])
    return int(weight[report.station_covered & ~broken].sum())


def test_list_order_chunks_each_class_and_staffs_in_list_order(
    make_scenario: Callable[..., Path],
) -> None:
    # KPU list order A..F; B and E are rawan. Police for three groups only.
    stations: list[dict[str, Any]] = [
        {"id": "A", "x": 0, "y": 0},
        {"id": "B", "x": 100, "y": 0, "category": "rawan"},
        {"id": "C", "x": 200, "y": 0},
        {"id": "D", "x": 300, "y": 0},
        {"id": "E", "x": 400, "y": 0, "category": "rawan"},
        {"id": "F", "x": 500, "y": 0},
    ]
    bases = [
        {"id": "PS", "kind": "polsek", "x": 0, "y": 500, "polri": 6},
        {"id": "KEL", **KEL, "x": 0, "y": 0, "linmas": 12},
        PKM,
    ]
    data = load(make_scenario(stations, bases))
    result = manual_plan(data)
    report = checked(data, result)
    assert report.passed
    # kurang_rawan chunked in list order (A,C), (D,F); each rawan TPS alone
    assert groups_of(data, result) == [["A", "C"], ["B"], ["D", "F"], ["E"]]
    assert result.grouping.lower_bound == result.grouping.n_groups == 4
    # list order of groups by first TPS: AC, B, DF, E -> the rawan E is left out
    assert staffed(data, result) == {"A", "B", "C", "D", "F"}
    (short,) = [s for s in result.shortfalls if s.agency == "polri"]
    assert short.station_ids == ("E",)
    assert short.reason.startswith("manual plan: PS had 0 of its 6 police")
    # our solver staffs the higher-risk TPS first
    ours = solve_plan(data, SolveParams(time_limit_s=5))
    assert {"B", "E"} <= staffed(data, ours)


def test_headcount_runs_out_per_polsek_and_pool_stays_in_reserve(
    make_scenario: Callable[..., Path],
) -> None:
    # Two kecamatan, one Polsek each; a Polres pool that could serve both.
    stations = [
        {"id": f"A{i}", "x": 100 * i, "y": 0, "kecamatan": "Kec A"} for i in range(6)
    ] + [
        {
            "id": f"B{i}",
            "x": 100 * i,
            "y": 2000,
            "kecamatan": "Kec B",
            "kelurahan": "Kel B",
        }
        for i in range(4)
    ]
    bases = [
        {
            "id": "PA",
            "kind": "polsek",
            "x": 0,
            "y": 0,
            "polri": 3,
            "jurisdiction": "Kec A",
        },
        {
            "id": "PB",
            "kind": "polsek",
            "x": 0,
            "y": 2000,
            "polri": 9,
            "jurisdiction": "Kec B",
        },
        {"id": "POLRES", "kind": "polres", "x": 0, "y": 1000, "polri": 20},
        PKM,
    ]
    data = load(make_scenario(stations, bases))
    result = manual_plan(data)
    checked(data, result)
    # PA has police for one group of Kec A (the first in list order); PB for
    # both groups of Kec B with 5 to spare, which Kec A does not get.
    assert staffed(data, result) == {"A0", "A1", "B0", "B1", "B2", "B3"}
    polri = result.allocations["polri"]
    sent = np.bincount(polri.base, weights=polri.count, minlength=data.n_bases)
    assert sent[data.base_ids.index("POLRES")] == 0
    assert sent[data.base_ids.index("PA")] == 2
    assert sent[data.base_ids.index("PB")] == 4
    reasons = {s.reason for s in result.shortfalls if s.agency == "polri"}
    assert reasons == {
        "manual plan: PA had 1 of its 3 police left for 2 needed, "
        "after the groups before it in list order"
    }
    # handing out the pool afterwards staffs the rest of Kec A, in list order
    pooled = manual_plan(data, pool=True)
    checked(data, pooled)
    assert pooled.allocations["polri"].covered.all()
    sent = np.bincount(
        pooled.allocations["polri"].base,
        weights=pooled.allocations["polri"].count,
        minlength=data.n_bases,
    )
    assert sent[data.base_ids.index("POLRES")] == 4
    assert not [s for s in pooled.shortfalls if s.agency == "polri"]
    # our solver also uses the pool: every TPS is staffed
    ours = solve_plan(data, SolveParams(time_limit_s=5))
    assert ours.allocations["polri"].covered.all()


def test_tni_from_nearest_base_then_next_nearest(
    make_scenario: Callable[..., Path],
) -> None:
    categories = {
        "kurang_rawan": {"weight": 1, "police": 2, "tps": 1, "linmas": 0, "tni": 2}
    }
    stations = [{"id": f"S{i}", "x": 1000 * i, "y": 0} for i in range(3)]
    bases = [
        {"id": "PS", "kind": "polsek", "x": 0, "y": 0, "polri": 6},
        {"id": "K1", "kind": "koramil", "x": 0, "y": 100, "tni": 3},
        {"id": "K2", "kind": "koramil", "x": 9000, "y": 0, "tni": 2},
        PKM,
    ]
    data = load(make_scenario(stations, bases, categories=categories))
    result = manual_plan(data)
    checked(data, result)
    tni = result.allocations["tni"]
    rows = sorted(
        (data.station_ids[int(result.grouping.members[g][0])], data.base_ids[b], n)
        for b, g, n in zip(tni.base, tni.group, tni.count, strict=True)
    )
    # S0 takes 2 from K1; S1 takes K1's last one and one from K2; S2 gets none
    assert rows == [("S0", "K1", 2), ("S1", "K1", 1), ("S1", "K2", 1)]
    assert staffed(data, result, "tni") == {"S0", "S1"}


def test_spatially_bad_list_order_breaks_rules_and_we_cover_more(
    make_scenario: Callable[..., Path],
) -> None:
    # The list alternates between two clusters 8 km (800 s > 10 min) apart, so
    # every list-order pair breaks the spread; Z (rawan, last in the list) is
    # 20 km from the Polsek, beyond the 30 min police limit.
    stations: list[dict[str, Any]] = [
        {"id": "A", "x": 0, "y": 0},
        {"id": "B", "x": 8000, "y": 0},
        {"id": "C", "x": 100, "y": 0},
        {"id": "D", "x": 8100, "y": 0},
        {"id": "E", "x": 200, "y": 0},
        {"id": "F", "x": 8200, "y": 0},
        {"id": "Z", "x": 4000, "y": 20000, "category": "rawan"},
    ]
    bases = [
        {"id": "PA", "kind": "polsek", "x": 4000, "y": 0, "polri": 6},
        {"id": "PZ", "kind": "polsek", "x": 4000, "y": 19000, "polri": 2},
        {"id": "KEL", **KEL, "x": 4000, "y": 0, "linmas": 14},
        PKM,
    ]
    data = load(make_scenario(stations, bases))
    result = manual_plan(data)
    report = checked(data, result)
    assert groups_of(data, result) == [["A", "B"], ["C", "D"], ["E", "F"], ["Z"]]
    # PA plans the only kecamatan (PZ, later by id, plans nothing): the three
    # pairs take its 6 police and break the spread; Z gets nobody.
    breaks = rule_breaks(data, result)
    assert breaks.spread == 3
    assert breaks.travel == {"polri": 0, "tni": 0}
    assert breaks.groups == 3
    assert staffed(data, result) == {"A", "B", "C", "D", "E", "F"}
    ours = solve_plan(data, SolveParams(time_limit_s=5))
    ours_report = check_plan(data, ours)
    assert ours_report.passed, ours_report.violations
    assert rule_breaks(data, ours).groups == 0
    assert weighted_cover(data, ours_report, ours) > weighted_cover(
        data, report, result
    )
    # even counting the manual plan's rule-breaking groups as covered
    weight = np.array([data.categories[c].weight for c in data.station_category])
    assert (weight * ours_report.station_covered).sum() >= (
        weight * report.station_covered
    ).sum()


def test_police_beyond_travel_limit_is_a_rule_break(
    make_scenario: Callable[..., Path],
) -> None:
    stations = [
        {"id": "A", "x": 0, "y": 0, "category": "rawan"},
        {"id": "B", "x": 20000, "y": 0, "category": "rawan"},  # 2000 s > 30 min
    ]
    bases = [{"id": "PS", "kind": "polsek", "x": 0, "y": 0, "polri": 4}, PKM]
    data = load(make_scenario(stations, bases))
    result = manual_plan(data)
    report = checked(data, result)
    assert rule_breaks(data, result).travel["polri"] == 1
    assert len(report.violations) == 1
    assert staffed(data, result) == {"A", "B"}


def test_manual_plan_is_deterministic(make_scenario: Callable[..., Path]) -> None:
    stations = [
        {"id": f"T{i:02d}", "x": (37 * i) % 900, "y": (53 * i) % 700} for i in range(12)
    ]
    bases = [
        {"id": "PS", "kind": "polsek", "x": 0, "y": 0, "polri": 7},
        {"id": "KR", "kind": "koramil", "x": 50, "y": 0, "tni": 3},
        PKM,
    ]
    data = load(make_scenario(stations, bases))
    first, second = manual_plan(data), manual_plan(data)
    assert groups_of(data, first) == groups_of(data, second)
    for agency in ("polri", "tni"):
        a, b = first.allocations[agency], second.allocations[agency]
        assert np.array_equal(a.base, b.base) and np.array_equal(a.count, b.count)
    assert first.shortfalls == second.shortfalls
