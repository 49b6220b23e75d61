"""GraphML as written by osmnx: string attributes, both arcs of two-way streets."""

from __future__ import annotations

import networkx as nx
import pytest
from pyproj import Transformer

from deploy_opt.errors import TravelTimeError
from deploy_opt.travel.network import RoadNetworkModel
from deploy_opt.travel.road_graph import read_road_network

X0, Y0 = 690_000.0, 9_318_000.0
_TO_LONLAT = Transformer.from_crs("EPSG:32748", "EPSG:4326", always_xy=True)


def _lonlat(x, y):
    return _TO_LONLAT.transform(X0 + x, Y0 + y)


def _write_osmnx_style(path, oneway_value="True"):
    """Square A(1) B(2) C(3) D(4) of 1 km sides; A->B one-way."""
    graph = nx.MultiDiGraph(crs="epsg:4326", created_with="osmnx 1.9.3")
    corners = {"1": (0, 0), "2": (1000, 0), "3": (1000, 1000), "4": (0, 1000)}
    for node, (x, y) in corners.items():
        lon, lat = _lonlat(x, y)
        graph.add_node(node, x=str(lon), y=str(lat), street_count="2")

    def arc(u, v, oneway, reversed_, geometry=False):
        attrs = {
            "osmid": f"{u}{v}",
            "highway": "residential",
            "oneway": oneway,
            "reversed": reversed_,
            "length": "1000.0",
        }
        if geometry:
            (x1, y1), (x2, y2) = corners[u], corners[v]
            mid = _lonlat((x1 + x2) / 2, (y1 + y2) / 2)
            a, b = _lonlat(x1, y1), _lonlat(x2, y2)
            attrs["geometry"] = (
                f"LINESTRING ({a[0]} {a[1]}, {mid[0]} {mid[1]}, {b[0]} {b[1]})"
            )
        graph.add_edge(u, v, key=0, **attrs)

    arc("1", "2", oneway_value, "False")
    for u, v in (("2", "3"), ("3", "4"), ("4", "1")):
        arc(u, v, "False", "False", geometry=True)
        arc(v, u, "False", "True", geometry=True)
    nx.write_graphml(graph, path)
    return path


def test_graphml_two_way_arcs_merge_into_one_edge(tmp_path):
    graph = read_road_network(_write_osmnx_style(tmp_path / "net.graphml"))
    assert graph.crs == "EPSG:32748"
    assert (graph.n_nodes, graph.n_edges) == (4, 4)
    assert graph.forward.all()
    assert graph.backward.tolist().count(False) == 1
    assert graph.length_m == pytest.approx([1000.0] * 4, rel=1e-6)


def test_graphml_travel_times_match_the_line_layer(tmp_path, points):
    model = RoadNetworkModel.from_file(
        _write_osmnx_style(tmp_path / "net.graphml"), use_cache=False
    )
    corners = points([(0, 0), (1000, 0)])
    assert model.matrix(corners, corners, "car").dense().tolist() == [
        [0, 240],
        [720, 0],
    ]
    # a point in the middle of a two-way street reaches both of its ends
    mid = points([(1000, 500)])
    assert model.matrix(mid, corners, "car").dense().tolist() == [[600, 120]]


def test_graphml_bad_oneway(tmp_path):
    path = _write_osmnx_style(tmp_path / "net.graphml", oneway_value="maybe")
    with pytest.raises(TravelTimeError, match=r"net\.graphml.*`oneway`.*maybe"):
        read_road_network(path)


def test_graphml_unreadable(tmp_path):
    path = tmp_path / "broken.graphml"
    path.write_text("<graphml><graph")
    with pytest.raises(TravelTimeError, match=r"broken\.graphml"):
        read_road_network(path)
