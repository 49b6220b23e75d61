"""Straight-line fallback for the legs of points far from roads or on road islands.

Network: one residential road along y = 0 from x = 0 to 2,000 m (motorbike
18 km/h, off-road access 10 km/h), plus a 100 m island road far away. Points
800 m off the road have a 288 s access leg each way; two of them 100 m apart
are 21 s apart by straight line (100 m x 1.4 at 25 km/h).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from deploy_opt import build_problem, load_scenario, run
from deploy_opt.problem import CategoryRule, ProblemData
from deploy_opt.scenario.schema import AGENCIES
from deploy_opt.solvers.grouping import form_groups
from deploy_opt.travel import StraightLineModel, TravelMatrix, build_travel_model
from deploy_opt.travel.fallback import FallbackRoadModel
from deploy_opt.travel.network import RoadNetworkModel

ROAD = [{"coords": [(0, 0), (1000, 0)]}, {"coords": [(1000, 0), (2000, 0)]}]
ISLAND = {"coords": [(5000, 5000), (5100, 5000)]}
NEAR_A, NEAR_B = (500, 10), (700, 10)
FAR_1, FAR_2 = (1000, 800), (1100, 800)
ON_ISLAND = (5050, 10 + 5000)


@pytest.fixture
def model(roads_file, tmp_path):
    road = RoadNetworkModel.from_file(
        roads_file([*ROAD, ISLAND]), cache_dir=tmp_path / "cache"
    )
    return FallbackRoadModel(road, StraightLineModel({"motorbike": 25.0}, 1.4))


def test_far_and_island_points_are_flagged_with_their_reason(model, points):
    fallback = model.fallback(points([NEAR_A, FAR_1, ON_ISLAND]), "motorbike")
    assert fallback.flagged.tolist() == [False, True, True]
    assert fallback.reasons[0] == ""
    assert fallback.reasons[1] == "far: nearest road 800 m away"
    assert fallback.reasons[2].startswith("island: nearest road 10 m away")
    # the same points the snap report warns about
    report = model.snap_report(points([NEAR_A, FAR_1, ON_ISLAND]), "motorbike")
    assert [i.point_id for i in report.issues] == ["p1", "p2"]


def test_leg_with_a_flagged_end_takes_the_shorter_straight_line(model, points):
    pts = points([NEAR_A, NEAR_B, FAR_1, FAR_2])
    road = model.road.matrix(pts, pts, "motorbike").dense()
    straight = model.straight.matrix(pts, pts, "motorbike").dense()
    mixed = model.matrix(pts, pts, "motorbike").dense()
    assert road[2, 3] == 596  # 288 s off-road, 100 m at 18 km/h, 288 s back
    assert mixed[2, 3] == straight[2, 3] == 21
    flagged_end = np.zeros((4, 4), dtype=bool)
    flagged_end[2:, :] = flagged_end[:, 2:] = True
    assert (mixed[flagged_end] == np.minimum(road, straight)[flagged_end]).all()
    # legs between points near the road keep their road times exactly
    assert (mixed[:2, :2] == road[:2, :2]).all()


def test_fallback_respects_the_cutoff_and_works_across_point_sets(model, points):
    near, far = points([NEAR_A, NEAR_B]), points([FAR_1, FAR_2], "f")
    full = model.matrix(near, far, "motorbike").dense()
    cut = model.matrix(near, far, "motorbike", cutoff_s=180)
    assert cut.seconds.data.max() <= 180
    kept = full <= 180
    assert kept.any() and not kept.all()
    assert (cut.dense()[kept] == full[kept]).all()
    assert (model.matrix(far, near, "motorbike").dense() == full.T).all()


def _scenario(folder: Path, roads: Path, make_points) -> Path:
    """Two TPS near the road and two far from it, 2 TPS per group, 5 min spread."""
    folder.mkdir()
    (folder / "roads.geojson").write_bytes(roads.read_bytes())
    tps = make_points([NEAR_A, NEAR_B, FAR_1, FAR_2])
    names = ["N1", "N2", "F1", "F2"]
    rows = [
        f"{n},{lon:.7f},{lat:.7f},Palmerah,Palmerah,kurang_rawan"
        for n, lon, lat in zip(names, tps.lon, tps.lat, strict=True)
    ]
    (folder / "tps.csv").write_text(
        "id,lon,lat,kelurahan,kecamatan,category\n" + "\n".join(rows) + "\n"
    )
    base = make_points([(600, 10)])
    lon, lat = float(base.lon[0]), float(base.lat[0])
    (folder / "bases.csv").write_text(
        "id,name,kind,lon,lat,kecamatan,kelurahan,polri,linmas\n"
        f"PS,Polsek,polsek,{lon:.7f},{lat:.7f},Palmerah,,4,0\n"
        f"KEL,Linmas,kelurahan,{lon:.7f},{lat:.7f},Palmerah,Palmerah,0,8\n"
        f"PKM,Puskesmas,puskesmas,{lon:.7f},{lat:.7f},Palmerah,Palmerah,0,0\n"
    )
    spec = {
        "name": "fallback tiny",
        "stations": {"file": "tps.csv"},
        "categories": {
            "kurang_rawan": {
                "weight": 1,
                "police": 2,
                "tps": 2,
                "linmas": 2,
                "max_group_minutes": 5,
            }
        },
        "bases": [{"file": "bases.csv"}],
        "travel": {
            "model": "road_network",
            "network": {"file": "roads.geojson", "cache_dir": "cache"},
            "agencies": {
                "polri": {"mode": "motorbike", "speed_kmh": 25, "max_minutes": 30},
                "tni": {"mode": "motorbike", "max_minutes": 30},
                "linmas": {"mode": "walk"},
                "medis": {"mode": "ambulance", "max_minutes": 30},
            },
        },
    }
    path = folder / "scenario.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False))
    return path


def _groups(data) -> list[list[str]]:
    grouping = form_groups(data)
    return sorted(
        sorted(data.station_ids[i] for i in members) for members in grouping.members
    )


def test_far_tps_are_grouped_together_not_alone(roads_file, points, tmp_path):
    path = _scenario(tmp_path / "s", roads_file(ROAD), points)
    scenario = load_scenario(path)
    model = build_travel_model(scenario.spec.travel, path.parent)
    assert isinstance(model, FallbackRoadModel)
    data = build_problem(scenario, model)
    flags = dict(zip(data.station_ids, data.travel_fallback, strict=True))
    assert flags["N1"] == flags["N2"] == ""
    assert flags["F1"].startswith("far:") and flags["F2"].startswith("far:")
    assert _groups(data) == [["F1", "F2"], ["N1", "N2"]]
    # on road times alone, the far pair is 596 s apart and each is a group of one
    road_only = build_problem(scenario, model.road)
    assert road_only.travel_fallback == ()
    assert _groups(road_only) == [["F1"], ["F2"], ["N1", "N2"]]


def test_run_flags_fallback_tps_and_reports_the_road_data_cost(
    roads_file, points, tmp_path
):
    path = _scenario(tmp_path / "s", roads_file(ROAD), points)
    run(path, tmp_path / "out")
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["check"]["passed"]
    cost = summary["road_data_cost"]
    assert cost["tps_with_fallback"] == cost["tps_far"] == 2
    assert cost["fallback_tps_alone"] == 0
    assert cost["groups"] == cost["groups_lower_bound"] == 2
    assert cost["police_needed"] == cost["police_lower_bound"] == 4
    assert cost["extra_police"] == 0
    with (tmp_path / "out" / "stations.csv").open() as f:
        flags = {row["station_id"]: row["travel_fallback"] for row in csv.DictReader(f)}
    assert flags["N1"] == "" and flags["F1"].startswith("far:")
    warning = next(w for w in summary["warnings"] if "snap (polri, TPS)" in w)
    assert "straight line x 1.4 at 25 km/h" in warning


def _one_cell(times: np.ndarray, capacity: int, limit: int) -> ProblemData:
    """A problem of one (category, kecamatan) cell with these police times."""
    n = len(times)
    none = np.zeros(1, dtype=np.int64)
    kept = TravelMatrix.from_dense(times, limit, "mixed")
    base = TravelMatrix.from_dense(np.zeros((1, n), dtype=np.int64), None, "mixed")
    return ProblemData(
        station_ids=tuple(f"T{i:02d}" for i in range(n)),
        station_category=np.zeros(n, dtype=np.int64),
        station_kecamatan=np.zeros(n, dtype=np.int64),
        station_kelurahan=np.zeros(n, dtype=np.int64),
        station_kind=("",) * n,
        station_voters=np.zeros(n, dtype=np.int64),
        kecamatan_names=("Kec",),
        kelurahan_names=("Kel",),
        kelurahan_kecamatan=none,
        categories=(CategoryRule("biasa", 1, 2, capacity, 0, 0, limit),),
        base_ids=("B",),
        base_names=("Polsek",),
        base_kinds=("polsek",),
        base_kelurahan=none,
        headcount=dict.fromkeys(AGENCIES, none),
        jurisdiction=np.ones((1, 1), dtype=bool),
        travel=dict.fromkeys(AGENCIES, base),
        travel_limit_s=dict.fromkeys(AGENCIES),
        station_pairs=kept,
        travel_model="mixed",
        input_hash="test",
    )


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(min_value=2, max_value=40),
    capacity=st.integers(min_value=2, max_value=8),
    limit=st.integers(min_value=100, max_value=900),
    seed=st.integers(min_value=0, max_value=10_000),
)
def test_groups_keep_the_spread_rule_when_fallback_breaks_the_triangle_inequality(
    n, capacity, limit, seed
):
    # road times of one layout, straight lines of another for legs with a
    # flagged end: their min is no metric, so anchor radius L/2 is not enough
    rng = np.random.default_rng(seed)
    road_xy, line_xy = rng.uniform(0, 3000, (2, n, 2))
    flagged = rng.random(n) < 0.3
    road, line = (
        np.ceil(np.hypot(*(xy[:, None] - xy[None, :]).transpose(2, 0, 1)) / 2)
        for xy in (road_xy, line_xy)
    )
    ends = flagged[:, None] | flagged[None, :]
    times = np.where(ends, np.minimum(road, line), road).astype(np.int64)
    grouping = form_groups(_one_cell(times, capacity, limit))  # raises if broken
    assert grouping.n_groups >= grouping.lower_bound
    for members in grouping.members:
        assert 1 <= len(members) <= capacity
        assert times[np.ix_(members, members)].max() <= limit
