"""Properties on random small scenarios (hypothesis): every plan passes the checker."""

from __future__ import annotations

from pathlib import Path
from tempfile import TemporaryDirectory

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
from scenario_builder import write_scenario

coordinate = st.integers(min_value=0, max_value=12_000)
PLACES = [
    {"kecamatan": "Kec A", "kelurahan": "Kel A1"},
    {"kecamatan": "Kec A", "kelurahan": "Kel A2"},
    {"kecamatan": "Kec B", "kelurahan": "Kel B1"},
]


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[list[dict], list[dict], dict]:
    n = draw(st.integers(min_value=1, max_value=14))
    stations = [
        {
            "id": f"T{i:02d}",
            "x": draw(coordinate),
            "y": draw(coordinate),
            **draw(st.sampled_from(PLACES)),
            "category": draw(st.sampled_from(["rawan", "kurang_rawan"])),
        }
        for i in range(n)
    ]
    # posts and jurisdictions name only places that have TPS (the loader
    # refuses others as misspellings); a kelurahan may lack its post
    places = sorted({(t["kecamatan"], t["kelurahan"]) for t in stations})
    kecamatan = sorted({kec for kec, _ in places})
    bases = [
        {
            "id": f"PS{j}",
            "kind": "polsek",
            "x": draw(coordinate),
            "y": draw(coordinate),
            "polri": draw(st.integers(min_value=0, max_value=9)),
            "tni": draw(st.integers(min_value=0, max_value=3)),
            "jurisdiction": draw(st.sampled_from(["", *kecamatan])),
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
        for k, (kec, kel) in enumerate(places)
        if draw(st.integers(0, 5)) > 0
    ]
    bases.append(
        {"id": "PKM", "kind": "puskesmas", "x": draw(coordinate), "y": draw(coordinate)}
    )
    categories = {
        "rawan": {
            "weight": draw(st.sampled_from([10, 100])),
            "police": 2,
            "tps": draw(st.integers(1, 2)),
            "linmas": 2,
            "tni": draw(st.integers(0, 1)),
        },
        "kurang_rawan": {
            "weight": 1,
            "police": 2,
            "tps": draw(st.integers(1, 5)),
            "linmas": 2,
            "tni": 1,
            "max_group_minutes": draw(st.sampled_from([5, 10, 20])),
        },
    }
    return stations, bases, categories


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(), st.integers(min_value=0, max_value=3))
def test_every_plan_passes_the_checker(case, seed):
    stations, bases, categories = case
    with TemporaryDirectory() as folder:
        path = write_scenario(
            Path(folder),
            stations,
            bases,
            categories=categories,
            limits={"polri": 15, "tni": 15},
        )
        scenario = load_scenario(path)
        data = build_problem(scenario, build_travel_model(scenario.spec.travel))
        result = solve_plan(data, SolveParams(time_limit_s=5, seed=seed))
    report = check_plan(data, result)
    assert report.passed, report.violations
    assert result.bound <= result.objective
    assert result.grouping.lower_bound <= result.grouping.n_groups
    # priority: persons a base sends to a group could not have staffed an
    # unstaffed group of higher value (weight x TPS) that the base reaches
    polri = result.allocations["polri"]
    value = [
        data.categories[c].weight * len(m)
        for c, m in zip(
            result.grouping.group_category, result.grouping.members, strict=True
        )
    ]
    for b, g, count in zip(polri.base, polri.group, polri.count, strict=True):
        for h in range(result.grouping.n_groups):
            if (
                not polri.covered[h]
                and value[h] > value[g]
                and polri.demand[h] <= count
            ):
                assert b not in polri.reachable_bases[h]
