"""Police allocation on tiny scenarios whose answer is worked out by hand.

Geometry: metres, detour 1.0, 10 m/s for every agency, so d metres take
ceil(d / 10) seconds. ``rawan`` TPS form one group each and need 2 police.
"""

from __future__ import annotations

import numpy as np

from deploy_opt import build_problem, build_travel_model, load_scenario
from deploy_opt.solvers.allocation import allocate, group_travel
from deploy_opt.solvers.grouping import form_groups

PKM = {"id": "PKM", "kind": "puskesmas", "x": 0, "y": 0}
FLOW = "min-cost flow"
REPAIRED = "min-cost flow + CP-SAT on contested parts"


def _allocate(path, agency="polri"):
    scenario = load_scenario(path)
    data = build_problem(scenario, build_travel_model(scenario.spec.travel))
    grouping = form_groups(data)
    alloc = allocate(data, grouping, agency, time_limit_s=10, seed=0)
    assert alloc.bound <= alloc.objective
    assert alloc.status in {"optimal", "feasible"}
    return data, grouping, alloc


def _sent(data, grouping, alloc):
    """{(base id, first TPS id of the group): persons}."""
    return {
        (data.base_ids[b], data.station_ids[grouping.members[g][0]]): int(n)
        for b, g, n in zip(alloc.base, alloc.group, alloc.count, strict=True)
    }


def _rawan(sid, x, y=0, **extra):
    return {"id": sid, "x": x, "y": y, "category": "rawan", **extra}


def test_enough_police_the_flow_is_optimal(make_scenario):
    stations = [_rawan("A", 100), _rawan("B", 300)]
    bases = [{"id": "PS", "kind": "polsek", "x": 0, "y": 0, "polri": 4}, PKM]
    data, grouping, alloc = _allocate(make_scenario(stations, bases))
    assert alloc.method == FLOW and alloc.status == "optimal"
    assert alloc.covered.all() and alloc.demand.tolist() == [2, 2]
    assert _sent(data, grouping, alloc) == {("PS", "A"): 2, ("PS", "B"): 2}
    # 2 persons x 10 s + 2 persons x 30 s; nothing uncovered
    assert sorted(alloc.travel_s.tolist()) == [10, 30]
    assert alloc.objective == alloc.bound == 2 * 10 + 2 * 30


def test_partly_staffed_group_is_repaired_by_cp_sat(make_scenario):
    # 3 police for two groups of 2: the relaxation staffs A and half of B;
    # the exact model leaves B out rather than half-staffing it.
    stations = [_rawan("A", 100), _rawan("B", 1000)]
    bases = [{"id": "PS", "kind": "polsek", "x": 0, "y": 0, "polri": 3}, PKM]
    data, grouping, alloc = _allocate(make_scenario(stations, bases))
    assert alloc.method == REPAIRED and alloc.status == "optimal"
    assert alloc.covered.tolist() == [True, False]
    assert _sent(data, grouping, alloc) == {("PS", "A"): 2}
    assert alloc.objective == alloc.bound  # proven by CP-SAT
    assert int((alloc.travel_s * alloc.count).sum()) == 2 * 10


def test_headcount_of_each_base_is_kept(make_scenario):
    # P1 is nearest to both TPS but has 2 police: P2 must staff one. Sending
    # P1 to A (10 s) and P2 to C (301 s) is 20 s cheaper than the swap.
    stations = [_rawan("A", 100), _rawan("C", 200)]
    bases = [
        {"id": "P1", "kind": "polsek", "x": 0, "y": 0, "polri": 2},
        {"id": "P2", "kind": "polsek", "x": 0, "y": 3000, "polri": 2},
        PKM,
    ]
    data, grouping, alloc = _allocate(make_scenario(stations, bases))
    assert alloc.covered.all() and alloc.status == "optimal"
    assert _sent(data, grouping, alloc) == {("P1", "A"): 2, ("P2", "C"): 2}
    per_base = np.bincount(alloc.base, weights=alloc.count, minlength=data.n_bases)
    assert (per_base <= data.headcount["polri"]).all()


def test_travel_limit_excludes_far_groups(make_scenario):
    # limit 1 minute = 60 s: A is 10 s away, B 100 s
    stations = [_rawan("A", 100), _rawan("B", 1000)]
    bases = [{"id": "PS", "kind": "polsek", "x": 0, "y": 0, "polri": 10}, PKM]
    data, grouping, alloc = _allocate(
        make_scenario(stations, bases, limits={"polri": 1})
    )
    arcs, travel = group_travel(data, grouping, "polri")
    assert arcs.tolist() == [[data.base_ids.index("PS"), 0]] and travel.tolist() == [10]
    assert [len(r) for r in alloc.reachable_bases] == [1, 0]
    assert alloc.covered.tolist() == [True, False]
    assert _sent(data, grouping, alloc) == {("PS", "A"): 2}


def test_jurisdiction_excludes_other_kecamatan(make_scenario):
    stations = [
        _rawan("A", 100, kecamatan="Kec A", kelurahan="Kel A"),
        _rawan("B", 200, kecamatan="Kec B", kelurahan="Kel B"),
    ]
    bases = [
        {
            "id": "PA",
            "kind": "polsek",
            "x": 0,
            "y": 0,
            "polri": 10,
            "jurisdiction": "Kec A",
        },
        PKM,
    ]
    data, grouping, alloc = _allocate(make_scenario(stations, bases))
    kec = [data.kecamatan_names[k] for k in grouping.group_kecamatan]
    assert kec == ["Kec A", "Kec B"]
    assert alloc.covered.tolist() == [True, False]
    assert _sent(data, grouping, alloc) == {("PA", "A"): 2}


def test_no_personnel_leaves_every_group_uncovered(make_scenario):
    stations = [_rawan("A", 100)]
    bases = [{"id": "PS", "kind": "polsek", "x": 0, "y": 0, "polri": 0}, PKM]
    _, _, alloc = _allocate(make_scenario(stations, bases))
    assert not alloc.covered.any() and alloc.count.sum() == 0
    assert alloc.status == "optimal" and alloc.objective == alloc.bound > 0
