"""Reading road networks: splitting at shared vertices, one-way flags, errors."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
import shapely

from deploy_opt.errors import TravelTimeError
from deploy_opt.travel.road_graph import read_road_network

DATA = Path(__file__).resolve().parents[1] / "data" / "roads"


def test_lines_are_split_where_they_share_an_interior_vertex(roads_file):
    # a plus sign: the two lines share their middle vertex only
    path = roads_file(
        [
            {"coords": [(0, 0), (100, 0), (200, 0)]},
            {"coords": [(100, -100), (100, 0), (100, 100)]},
        ]
    )
    graph = read_road_network(path)
    assert graph.crs == "EPSG:32748"
    assert graph.n_nodes == 5
    assert graph.n_edges == 4
    np.testing.assert_allclose(graph.length_m, 100.0)
    degree = np.bincount(np.r_[graph.edge_u, graph.edge_v])
    assert sorted(degree) == [1, 1, 1, 1, 4]


def test_crossing_without_a_shared_vertex_is_not_a_junction(roads_file):
    # bridges and flyovers cross without meeting: no node is invented there
    path = roads_file(
        [{"coords": [(0, 0), (200, 0)]}, {"coords": [(100, -100), (100, 100)]}]
    )
    graph = read_road_network(path)
    assert (graph.n_nodes, graph.n_edges) == (4, 2)


def test_unshared_vertices_stay_inside_edge_geometry(roads_file):
    path = roads_file([{"coords": [(0, 0), (100, 0), (100, 100), (0, 100)]}])
    graph = read_road_network(path)
    assert (graph.n_nodes, graph.n_edges) == (2, 1)
    assert graph.length_m[0] == pytest.approx(300.0)
    assert len(shapely.get_coordinates(graph.geometry[0])) == 4


def test_self_touching_line_and_duplicate_vertices(roads_file):
    # a loop that returns to its own interior vertex, with a repeated vertex
    path = roads_file(
        [{"coords": [(0, 0), (100, 0), (100, 0), (200, 0), (200, 100), (100, 0)]}]
    )
    graph = read_road_network(path)
    assert graph.length_m.sum() == pytest.approx(100 + 100 + 100 + np.hypot(100, 100))
    assert np.all(graph.length_m > 0)


def test_multilinestring_parts_become_separate_lines(roads_file):
    x0, y0 = 690_000.0, 9_318_000.0
    parts = [[[x0, y0], [x0 + 50, y0]], [[x0 + 50, y0], [x0 + 50, y0 + 50]]]
    path = roads_file([{"coords": [], "multi": parts}])
    graph = read_road_network(path)
    assert (graph.n_nodes, graph.n_edges) == (3, 2)


def test_oneway_flags(roads_file):
    path = roads_file(
        [
            {"coords": [(0, 0), (100, 0)], "oneway": "yes"},
            {"coords": [(0, 10), (100, 10)], "oneway": "-1"},
            {"coords": [(0, 20), (100, 20)], "oneway": "no"},
            {"coords": [(0, 30), (100, 30)]},
        ]
    )
    graph = read_road_network(path)
    assert graph.forward.tolist() == [True, False, True, True]
    assert graph.backward.tolist() == [False, True, True, True]


def test_maxspeed_is_parsed(roads_file):
    path = roads_file(
        [
            {"coords": [(0, 0), (100, 0)], "maxspeed": "40"},
            {"coords": [(0, 10), (100, 10)], "maxspeed": "none"},
        ]
    )
    graph = read_road_network(path)
    assert graph.maxspeed_kmh[0] == 40
    assert np.isnan(graph.maxspeed_kmh[1])


def test_lonlat_input_is_projected_to_utm():
    graph = read_road_network(DATA / "jakarta_palmerah_osm_2012.geojson")
    assert graph.crs == "EPSG:32748"
    frame = gpd.read_file(DATA / "jakarta_palmerah_osm_2012.geojson")
    total = frame.to_crs(32748).length.sum()
    assert graph.length_m.sum() == pytest.approx(total)


def test_real_osm_piece_needs_splitting_at_interior_vertices():
    path = DATA / "jakarta_palmerah_osm_2012.geojson"
    graph = read_road_network(path)
    nxg = nx.Graph()
    nxg.add_edges_from(zip(graph.edge_u.tolist(), graph.edge_v.tolist(), strict=True))
    split_parts = nx.number_connected_components(nxg)
    # the naive graph of line end points only
    frame = gpd.read_file(path)
    naive = nx.Graph()
    for line in frame.geometry:
        coords = shapely.get_coordinates(line)
        naive.add_edge(tuple(coords[0]), tuple(coords[-1]))
    assert split_parts < nx.number_connected_components(naive)
    assert graph.n_edges > len(frame)


def test_missing_highway_field_names_file_and_field(roads_file):
    path = roads_file([{"coords": [(0, 0), (1, 0)], "highway": "residential"}])
    with pytest.raises(TravelTimeError, match=r"roads\.geojson.*`kind`"):
        read_road_network(path, highway_field="kind")


def test_unknown_oneway_value_names_field(roads_file):
    path = roads_file([{"coords": [(0, 0), (1, 0)], "oneway": "sometimes"}])
    with pytest.raises(TravelTimeError, match=r"`oneway`.*sometimes"):
        read_road_network(path)


def test_missing_file_and_non_lines(tmp_path):
    with pytest.raises(TravelTimeError, match="does not exist"):
        read_road_network(tmp_path / "nope.geojson")
    frame = gpd.GeoDataFrame(
        {"highway": ["primary"]}, geometry=[shapely.Point(0, 0)], crs=4326
    )
    frame.to_file(tmp_path / "points.gpkg")
    with pytest.raises(TravelTimeError, match="non-line geometry"):
        read_road_network(tmp_path / "points.gpkg")


def test_missing_crs_is_an_error(tmp_path):
    frame = gpd.GeoDataFrame(
        {"highway": ["primary"]},
        geometry=[shapely.LineString([(0, 0), (1, 1)])],
        crs=4326,
    )
    frame.to_file(tmp_path / "roads.shp")
    (tmp_path / "roads.prj").unlink()  # a shapefile shared without its .prj
    with pytest.raises(TravelTimeError, match="no CRS"):
        read_road_network(tmp_path / "roads.shp")


def test_geopackage_layer(tmp_path):
    frame = gpd.GeoDataFrame(
        {"highway": ["primary", "residential"], "oneway": ["yes", None]},
        geometry=[
            shapely.LineString([(106.80, -6.19), (106.81, -6.19)]),
            shapely.LineString([(106.81, -6.19), (106.81, -6.18)]),
        ],
        crs=4326,
    )
    frame.to_file(tmp_path / "net.gpkg", layer="roads")
    graph = read_road_network(tmp_path / "net.gpkg", layer="roads")
    assert (graph.n_nodes, graph.n_edges) == (3, 2)
    assert graph.highway.tolist() == ["primary", "residential"]


def test_to_networkx_has_one_arc_per_allowed_direction(roads_file):
    path = roads_file(
        [
            {"coords": [(0, 0), (100, 0)], "oneway": "yes"},
            {"coords": [(100, 0), (100, 100)]},
        ]
    )
    graph = read_road_network(path).to_networkx()
    assert graph.number_of_nodes() == 3
    assert graph.number_of_edges() == 3
    assert graph.graph["crs"] == "EPSG:32748"
