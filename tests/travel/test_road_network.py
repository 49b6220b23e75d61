"""RoadNetworkModel on tiny hand-made networks with known travel times.

Square network used throughout (metres from the test origin, car 15 km/h on
``residential`` = 240 s per 1,000 m side; walking 5 km/h = 720 s)::

    D(0,1000) ---- C(1000,1000)
      |                 |
    A(0,0) ---->---- B(1000,0)      A->B is one-way
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from deploy_opt.errors import TravelTimeError
from deploy_opt.travel import TravelModel
from deploy_opt.travel.network import RoadNetworkModel
from deploy_opt.travel.network_profile import NetworkProfile, ProfileArea

SQUARE = [
    {"coords": [(0, 0), (1000, 0)], "oneway": "yes"},
    {"coords": [(1000, 0), (1000, 1000)]},
    {"coords": [(1000, 1000), (0, 1000)]},
    {"coords": [(0, 1000), (0, 0)]},
]
A, B, C, D = (0, 0), (1000, 0), (1000, 1000), (0, 1000)


@pytest.fixture
def square(roads_file, tmp_path):
    def build(roads=SQUARE, **kwargs):
        kwargs.setdefault("cache_dir", tmp_path / "cache")
        return RoadNetworkModel.from_file(roads_file(roads), **kwargs)

    return build


def test_model_satisfies_the_travel_model_protocol(square):
    model: TravelModel = square()
    assert model.name == "road_network"


def test_one_way_street_by_car_and_on_foot(square, points):
    model = square()
    corners = points([A, B])
    car = model.matrix(corners, corners, "car").dense()
    assert car.tolist() == [[0, 240], [720, 0]]
    walk = model.matrix(corners, corners, "walk").dense()
    assert walk.tolist() == [[0, 720], [720, 0]]  # pedestrians ignore oneway


def test_oneway_minus_one_is_reversed(square, points):
    roads = [dict(SQUARE[0], oneway="-1"), *SQUARE[1:]]
    model = square(roads)
    corners = points([A, B])
    assert model.matrix(corners, corners, "car").dense().tolist() == [
        [0, 720],
        [240, 0],
    ]


def test_points_inside_an_edge_split_it_virtually(square, points):
    model = square()
    p, q = points([(250, 0)], "p"), points([(750, 0)], "q")
    assert model.matrix(p, q, "car").dense()[0, 0] == 120
    # against the one-way: Q->B, around the square, A->P
    assert model.matrix(q, p, "car").dense()[0, 0] == 60 + 720 + 60


def test_off_road_access_leg_at_access_speed(square, points):
    model = square()
    off = points([(500, -100)], "r")  # 100 m off A->B: 72 s at 5 km/h by car
    q = points([(750, 0)], "q")
    assert model.matrix(off, q, "car").dense()[0, 0] == 72 + 60
    # motorbikes ride the access leg at 10 km/h and the road at 18 km/h
    assert model.matrix(off, q, "motorbike").dense()[0, 0] == 36 + 50


def test_times_round_up_once_per_trip(square, points):
    model = square(speeds={"car": {"residential": 7.0}})
    # 1000 m at 7 km/h = 514.2857 s -> 515; 2000 m = 1028.57 s -> 1029
    m = model.matrix(points([A]), points([B, C]), "car").dense()
    assert m.tolist() == [[515, 1029]]


def test_cutoff_keeps_only_close_pairs_and_explicit_zeros(square, points):
    model = square()
    pts = points([A, B, C])
    m = model.matrix(pts, pts, "car", cutoff_s=300)
    assert isinstance(m.seconds, sp.csr_array)
    assert m.seconds.dtype == np.int64
    assert m.cutoff_s == 300
    pairs = {(int(r), int(c)) for r, c in zip(*m.seconds.nonzero(), strict=True)}
    coo = m.seconds.tocoo()
    stored = {
        (int(r), int(c)): int(v)
        for r, c, v in zip(coo.row, coo.col, coo.data, strict=True)
    }
    assert stored[(0, 0)] == 0  # explicit zero kept
    assert len(stored) == m.seconds.nnz
    assert (0, 1) in pairs and stored[(0, 1)] == 240
    assert (1, 0) not in stored  # 720 s > cutoff
    assert (0, 2) not in stored  # 480 s > cutoff
    assert stored[(1, 2)] == 240


def test_cutoff_is_inclusive(square, points):
    model = square()
    m = model.matrix(points([A]), points([B]), "car", cutoff_s=240)
    assert m.seconds.nnz == 1
    m = model.matrix(points([A]), points([B]), "car", cutoff_s=239)
    assert m.seconds.nnz == 0


def test_equal_length_routes_give_one_deterministic_time(square, points):
    # A to C: via B or via D, both 2,000 m on foot
    model = square()
    results = {
        model.matrix(points([A]), points([C]), "walk").dense()[0, 0] for _ in range(3)
    }
    assert results == {1440}


def test_snapping_tie_takes_the_lowest_edge_index(square, points):
    # two parallel streets 200 m apart; the point is exactly between them
    roads = [
        {"coords": [(0, 0), (1000, 0)]},
        {"coords": [(0, 200), (1000, 200)]},
        {"coords": [(0, 0), (0, 200)]},
        {"coords": [(1000, 0), (1000, 200)]},
    ]
    model = square(roads)
    snapped = model.snap(points([(500, 100)]), "car")
    assert snapped.edge.tolist() == [0]
    m = model.matrix(points([(500, 100)]), points([A]), "car")
    assert m.dense()[0, 0] == 72 + 120


def test_island_and_far_points_are_reported(square, points):
    island = {"coords": [(5000, 5000), (5100, 5000)]}
    model = square([*SQUARE, island], snap_threshold_m=250)
    pts = points([A, (500, -400), (5050, 5010)])
    report = model.snap_report(pts, "car")
    assert report.n_points == 3
    assert [i.point_id for i in report.far] == ["p1"]
    assert report.far[0].distance_m == pytest.approx(400)
    assert [i.point_id for i in report.island] == ["p2"]
    assert report.island[0].nearest_road_m == pytest.approx(10)
    assert not report.ok
    text = report.messages()
    assert "1 of 3" in text[0] and "small island" in text[2]
    # the island point still gets a time, through its long access leg
    m = model.matrix(pts, points([C]), "car")
    assert m.seconds.nnz == 3
    assert model.summary("car").components == 2


def test_two_components_points_are_snapped_to_the_main_one(square, points):
    far_part = [
        {"coords": [(3000, 0), (3100, 0)]},
        {"coords": [(3100, 0), (3100, 100)]},
    ]
    model = square([*SQUARE, *far_part])
    summary = model.summary("car")
    assert summary.main_nodes == 4
    snapped = model.snap(points([(3050, 0)]), "car")
    assert snapped.distance_m[0] == pytest.approx(np.hypot(2050, 0))


def test_clean_report_when_all_points_are_on_roads(square, points):
    report = square().snap_report(points([A, B, (500, 10)]), "car")
    assert report.ok and report.messages() == []
    assert report.max_distance_m == pytest.approx(10)


def test_maxspeed_caps_the_class_speed(square, points):
    roads = [dict(SQUARE[0], maxspeed="10"), *SQUARE[1:]]
    model = square(roads)
    assert model.matrix(points([A]), points([B]), "car").dense()[0, 0] == 360
    model = square(roads, use_maxspeed=False)
    assert model.matrix(points([A]), points([B]), "car").dense()[0, 0] == 240


def test_flood_profile_slows_and_closes(square, points):
    import shapely

    x0, y0 = 690_000.0, 9_318_000.0
    flooded = shapely.box(x0 + 400, y0 - 50, x0 + 600, y0 + 50)
    slow = NetworkProfile("flood", (ProfileArea(flooded, 0.5),), crs="EPSG:32748")
    model = square(profile=slow)
    # 800 m at 15 km/h + 200 m at 7.5 km/h
    assert model.matrix(points([A]), points([B]), "car").dense()[0, 0] == 192 + 96
    closed = NetworkProfile("flood", (ProfileArea(flooded, 0.0),), crs="EPSG:32748")
    model = square(profile=closed)
    assert model.matrix(points([A]), points([B]), "car").dense()[0, 0] == 720
    only_cars = NetworkProfile(
        "flood", (ProfileArea(flooded, 0.0, frozenset({"car"})),), crs="EPSG:32748"
    )
    model = square(profile=only_cars)
    assert model.matrix(points([A]), points([B]), "ambulance").dense()[0, 0] == 200


def test_profile_from_file(square, points, tmp_path):
    import geopandas as gpd
    import shapely

    x0, y0 = 690_000.0, 9_318_000.0
    frame = gpd.GeoDataFrame(
        {"speed_factor": [0.0], "modes": ["car, ambulance"]},
        geometry=[shapely.box(x0 + 400, y0 - 50, x0 + 600, y0 + 50)],
        crs=32748,
    ).to_crs(4326)
    frame.to_file(tmp_path / "flood.geojson")
    model = square(profile=tmp_path / "flood.geojson")
    assert model.profile is not None and model.profile.name == "flood"
    assert model.matrix(points([A]), points([B]), "car").dense()[0, 0] == 720
    assert model.matrix(points([A]), points([B]), "motorbike").dense()[0, 0] == 200


def test_profile_errors(tmp_path):
    import geopandas as gpd
    import shapely

    frame = gpd.GeoDataFrame(
        {"factor": [0.5]}, geometry=[shapely.box(0, 0, 1, 1)], crs=4326
    )
    frame.to_file(tmp_path / "p.geojson")
    with pytest.raises(TravelTimeError, match=r"p\.geojson.*`speed_factor`"):
        NetworkProfile.from_file(tmp_path / "p.geojson")
    with pytest.raises(TravelTimeError, match=">= 0"):
        ProfileArea(shapely.box(0, 0, 1, 1), -1.0)


def test_agency_modes_alias_builtin_modes(square, points):
    model = square(speeds={"polri": "motorbike", "medis": "ambulance"})
    assert set(model.modes) == {"polri", "medis"}
    assert model.matrix(points([A]), points([B]), "polri").dense()[0, 0] == 200
    with pytest.raises(TravelTimeError, match="no speeds for travel mode `car`"):
        model.matrix(points([A]), points([B]), "car")


def test_class_without_speed_names_file_and_field(square, points):
    model = square(speeds={"boat": {"river": 8.0}})
    with pytest.raises(TravelTimeError, match=r"roads\.geojson: field `highway`"):
        model.matrix(points([A]), points([B]), "boat")


def test_mode_that_can_use_no_road(square, points):
    model = square(speeds={"car": {"residential": 0.0}})
    with pytest.raises(TravelTimeError, match="can use no road"):
        model.matrix(points([A]), points([B]), "car")


def test_bad_points_and_cutoff(square, points):
    model = square()
    pts = points([A])
    bad = type(pts)(pts.ids, pts.x, pts.y, np.array([np.nan]), pts.lat)
    with pytest.raises(TravelTimeError, match=r"finite lon/lat.*p0"):
        model.matrix(bad, pts, "car")
    with pytest.raises(TravelTimeError, match="cutoff_s"):
        model.matrix(pts, pts, "car", cutoff_s=-1)


def test_empty_point_sets(square, points):
    model = square()
    none = points([])
    m = model.matrix(none, points([A, B]), "car", cutoff_s=60)
    assert m.shape == (0, 2) and m.seconds.nnz == 0
    assert model.matrix(points([A]), none, "car").shape == (1, 0)


def test_both_dijkstra_directions_agree(square, points):
    # many origins / few destinations runs on the transposed graph
    model = square()
    many = points([(x, y) for x in (0, 300, 1000) for y in (0, 600, 1000)], "m")
    few = points([(250, 0), C], "f")
    forward = model.matrix(many, few, "car").dense()
    backward = model.matrix(few, many, "car").dense()
    walk_fwd = model.matrix(many, few, "walk").dense()
    walk_back = model.matrix(few, many, "walk").dense()
    np.testing.assert_array_equal(walk_fwd, walk_back.T)  # walking is symmetric
    assert forward[0, 0] == 60  # A -> (250, 0) along the one-way
    assert backward[0, 0] == 180 + 720  # on to B, then around the square


def test_network_without_a_strongly_connected_part(square, points):
    roads = [{"coords": [(0, 0), (1000, 0)], "oneway": "yes"}]
    with pytest.raises(TravelTimeError, match="no strongly connected part"):
        square(roads).matrix(points([A]), points([B]), "car")


def test_island_nearby_is_fine_when_the_main_network_is_within_reach(square, points):
    stub = {"coords": [(500, -50), (600, -50)]}  # not joined to the square
    model = square([*SQUARE, stub], snap_threshold_m=250)
    report = model.snap_report(points([(550, -40)]), "car")
    assert report.ok  # its island road is 10 m away, but the square only 40 m
    snapped = model.snap(points([(550, -40)]), "car")
    assert snapped.distance_m[0] == pytest.approx(40)
    assert snapped.nearest_road_m[0] == pytest.approx(10)
    assert snapped.nearest_on_island[0]


def test_fallback_to_straight_line_without_a_network(roads_file, tmp_path):
    from deploy_opt.travel import StraightLineModel
    from deploy_opt.travel.network import network_or_straight_line

    line = StraightLineModel(speeds_kmh={"car": 20.0})
    assert network_or_straight_line(None, line).name == "straight_line"
    road = network_or_straight_line(
        roads_file(SQUARE), line, {"car": "car"}, cache_dir=tmp_path
    )
    assert road.name == "road_network"
