"""ProblemData: validation, read-only arrays, stable order; CategoryRule."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from deploy_opt import build_problem, build_travel_model, load_scenario
from deploy_opt.problem import CategoryRule

PKM = {"id": "PKM", "kind": "puskesmas", "x": 0, "y": 0}


@pytest.fixture
def data(make_scenario):
    # ids written out of order; categories differ so the order is checkable
    stations = [
        {"id": "T3", "x": 300, "y": 0, "category": "rawan"},
        {"id": "T1", "x": 100, "y": 0},
        {"id": "T2", "x": 200, "y": 0, "category": "rawan"},
    ]
    bases = [
        {"id": "PS2", "kind": "polsek", "x": 0, "y": 500, "polri": 3},
        {"id": "PS1", "kind": "polsek", "x": 0, "y": 0, "polri": 5, "tni": 1},
        PKM,
    ]
    scenario = load_scenario(make_scenario(stations, bases, limits={"polri": 2}))
    return build_problem(scenario, build_travel_model(scenario.spec.travel))


def test_stations_and_bases_are_sorted_by_id(data):
    assert data.station_ids == ("T1", "T2", "T3")
    names = [data.categories[c].name for c in data.station_category]
    assert names == ["kurang_rawan", "rawan", "rawan"]
    assert data.base_ids == ("PKM", "PS1", "PS2")
    assert data.headcount["polri"].tolist() == [0, 5, 3]
    assert data.headcount["tni"].tolist() == [0, 1, 0]
    assert data.n_stations == 3 and data.n_bases == 3
    assert data.medical_bases.tolist() == [0]


def test_travel_is_whole_seconds_within_the_limit(data):
    # 2 minutes = 120 s for police; PS1 -> T1 is 100 m = 10 s
    assert data.travel_limit_s["polri"] == 120
    polri = data.travel["polri"].dense()
    assert polri[data.base_ids.index("PS1"), 0] == 10
    # PS2 -> T3: sqrt(300^2 + 500^2) = 583.1 m -> 59 s
    assert polri[data.base_ids.index("PS2"), 2] == 59


def test_arrays_are_read_only(data):
    for array in (
        data.station_category,
        data.station_kecamatan,
        data.station_voters,
        data.jurisdiction,
        data.headcount["polri"],
    ):
        with pytest.raises(ValueError, match="read-only"):
            array[0] = 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"station_voters": np.zeros(4, dtype=np.int64)}, "station_voters"),
        ({"station_category": np.zeros(2, dtype=np.int64)}, "station_category"),
        ({"jurisdiction": np.ones((3, 2), dtype=bool)}, "jurisdiction"),
    ],
)
def test_inconsistent_sizes_are_refused(data, change, message):
    with pytest.raises(ValueError, match=message):
        dataclasses.replace(data, **change)


def test_negative_headcount_is_refused(data):
    headcount = {**data.headcount, "polri": np.array([0, -1, 3], dtype=np.int64)}
    with pytest.raises(ValueError, match="non-negative"):
        dataclasses.replace(data, headcount=headcount)


def test_travel_matrix_of_the_wrong_shape_is_refused(data, make_scenario):
    other = load_scenario(
        make_scenario(
            [{"id": "X", "x": 0, "y": 0}],
            [{"id": "PS", "kind": "polsek", "x": 0, "y": 0, "polri": 1}, PKM],
        )
    )
    small = build_problem(other, build_travel_model(other.spec.travel))
    with pytest.raises(ValueError, match="travel"):
        dataclasses.replace(
            data, travel={**data.travel, "polri": small.travel["polri"]}
        )


def test_category_rule_reads_as_p_t_l():
    rule = CategoryRule(
        name="kurang_rawan",
        weight=1,
        police=2,
        tps=16,
        linmas=2,
        tni=1,
        max_group_s=600,
    )
    assert rule.rule == "2-16-32"  # Linmas written per group: 2 x 16 TPS
    assert rule.need("polri") == 2
    assert rule.need("tni") == 1
    assert rule.need("linmas") == 2  # per TPS
    assert rule.need("medis") == 0


def test_category_rules_come_from_the_scenario(data):
    by_name = {rule.name: rule for rule in data.categories}
    assert by_name["rawan"].tps == 1 and by_name["rawan"].need("polri") == 2
    assert by_name["kurang_rawan"].tps == 2
    assert by_name["kurang_rawan"].max_group_s == 600  # 10 minutes
    assert by_name["rawan"].weight > by_name["kurang_rawan"].weight
