"""Cross-check the road model against networkx's Dijkstra on random small graphs.

The reference is built independently with networkx from the generated roads:
edge times from the geometry length, one-way rules per mode, the largest
strongly connected component, and each snapped point spliced into its edge.
Only the snap itself (which edge, where) is taken from the model, and that is
checked against a brute-force nearest-edge search.
"""

from __future__ import annotations

import itertools
import math
import tempfile
from pathlib import Path
from unittest.mock import patch

import networkx as nx
import numpy as np
import shapely
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from conftest import X0, Y0, make_points, write_geojson
from deploy_opt.errors import TravelTimeError
from deploy_opt.travel import network_paths
from deploy_opt.travel.network import RoadNetworkModel
from deploy_opt.units import UNREACHABLE

SPEEDS = {
    "car": {"primary": 30.0, "residential": 15.0, "footway": 0.0},
    "walk": {"primary": 5.0, "residential": 5.0, "footway": 4.0},
}
ACCESS_KMH = 5.0
HONOURS_ONEWAY = {"car": True, "walk": False}

coordinate = st.floats(0, 600, allow_nan=False, allow_infinity=False)


@st.composite
def networks(draw):
    n = draw(st.integers(3, 9))
    nodes = draw(st.lists(st.tuples(coordinate, coordinate), min_size=n, max_size=n))
    for i in range(n):
        for j in range(i):
            assume(math.dist(nodes[i], nodes[j]) > 5.0)
    edges = draw(
        st.lists(
            st.tuples(
                st.integers(0, n - 1),
                st.integers(1, n - 1),  # offset to the other end, never 0
                st.sampled_from(["primary", "residential", "footway"]),
                st.sampled_from(["yes", "-1", "no", None]),
                st.booleans(),  # bend in the middle
            ).map(lambda e: (e[0], (e[0] + e[1]) % n, *e[2:])),
            min_size=2,
            max_size=16,
        )
    )
    pts = draw(
        st.lists(
            st.one_of(
                st.integers(0, n - 1).map(lambda i: nodes[i]),
                st.tuples(coordinate, coordinate),
            ),
            min_size=2,
            max_size=8,
        )
    )
    n_origins = draw(st.integers(1, len(pts) - 1))
    cutoff = draw(st.one_of(st.none(), st.integers(0, 900)))
    tiny_blocks = draw(st.booleans())
    return nodes, edges, pts, n_origins, cutoff, tiny_blocks


def _roads(nodes, edges):
    roads = []
    for k, (u, v, highway, oneway, bend) in enumerate(edges):
        a, b = nodes[u], nodes[v]
        coords = [a, b]
        if bend:  # a vertex of this road only, so never a junction
            mid = ((a[0] + b[0]) / 2 + 37.1 + 1.3 * k, (a[1] + b[1]) / 2 - 23.7)
            coords = [a, mid, b]
        roads.append({"coords": coords, "highway": highway, "oneway": oneway})
    vertices = [c for r in roads for c in r["coords"][1:-1]]
    assume(len(set(vertices)) == len(vertices))
    assume(not set(vertices) & set(nodes))
    return roads


def _reference(roads, mode, snapped, n_origins, cutoff):
    """Dense expected matrix, computed with networkx."""
    honour = HONOURS_ONEWAY[mode]

    def directions(road):
        a, b = road["coords"][0], road["coords"][-1]
        if not honour or road["oneway"] in {None, "no"}:
            return [(a, b), (b, a)]
        return [(b, a)] if road["oneway"] == "-1" else [(a, b)]

    ms = []
    full = nx.DiGraph()
    for road in roads:
        kmh = SPEEDS[mode][road["highway"]]
        length = shapely.LineString(road["coords"]).length
        ms.append(max(round(length / (kmh / 3.6) * 1000), 1) if kmh > 0 else 0)
        if kmh > 0:
            full.add_edges_from(directions(road))
    if full.number_of_nodes() == 0:
        return None
    comps = sorted(nx.strongly_connected_components(full), key=len, reverse=True)
    if len(comps[0]) < 2 or (len(comps) > 1 and len(comps[1]) == len(comps[0])):
        return None  # no main part, or a tie the model breaks its own way
    main = comps[0]

    main_edges = [
        k
        for k, road in enumerate(roads)
        if ms[k] > 0 and road["coords"][0] in main and road["coords"][-1] in main
    ]
    # check the snap: the model's distance is the brute-force nearest distance
    geoms = [shapely.LineString(roads[k]["coords"]) for k in main_edges]
    for x, y, d, e in zip(
        *snapped["xy"], snapped["dist"], snapped["edge"], strict=True
    ):
        p = shapely.Point(x, y)
        best = min(g.distance(p) for g in geoms)
        assert abs(d - best) < 1e-6
        assert int(e) in main_edges

    cuts = {k: set() for k in main_edges}
    point_node = []
    for e, f in zip(snapped["edge"], snapped["frac"], strict=True):
        cum = int(min(max(round(float(f) * ms[e]), 0), ms[e]))
        a, b = roads[e]["coords"][0], roads[e]["coords"][-1]
        if cum == 0:
            point_node.append(a)
        elif cum == ms[e]:
            point_node.append(b)
        else:
            cuts[e].add(cum)
            point_node.append(("split", int(e), cum))
    graph = nx.DiGraph()

    def add(u, v, w):
        if not graph.has_edge(u, v) or graph[u][v]["w"] > w:
            graph.add_edge(u, v, w=w)

    for k in main_edges:
        a, b = roads[k]["coords"][0], roads[k]["coords"][-1]
        chain = (
            [(a, 0)] + [(("split", k, c), c) for c in sorted(cuts[k])] + [(b, ms[k])]
        )
        for (n1, c1), (n2, c2) in itertools.pairwise(chain):
            for tail, head in directions(roads[k]):
                if (tail, head) == (a, b):
                    add(n1, n2, c2 - c1)
                else:
                    add(n2, n1, c2 - c1)
    access = [round(d / (ACCESS_KMH / 3.6) * 1000) for d in snapped["dist"]]
    n = len(point_node)
    expected = np.full((n_origins, n - n_origins), UNREACHABLE, dtype=np.int64)
    for i in range(n_origins):
        lengths = nx.single_source_dijkstra_path_length(
            graph, point_node[i], weight="w"
        )
        for j in range(n_origins, n):
            if point_node[j] in lengths:
                total = access[i] + lengths[point_node[j]] + access[j]
                if cutoff is None or total <= cutoff * 1000:
                    expected[i, j - n_origins] = -(-total // 1000)
    return expected


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(networks())
def test_matches_networkx_dijkstra(case):
    nodes, edges, pts, n_origins, cutoff, tiny_blocks = case
    roads = _roads(nodes, edges)
    with tempfile.TemporaryDirectory() as folder:
        path = write_geojson(Path(folder) / "roads.geojson", roads)
        model = RoadNetworkModel.from_file(
            path, SPEEDS, access_speed_kmh=ACCESS_KMH, use_cache=False
        )
    assert model.graph.n_edges == len(roads)
    everything = make_points(pts)
    origins = everything.subset(np.arange(n_origins))
    destinations = everything.subset(np.arange(n_origins, len(pts)))
    both = make_points([*pts, *pts[n_origins:]])
    for mode in ("car", "walk"):
        shifted = [
            {**r, "coords": [(X0 + x, Y0 + y) for x, y in r["coords"]]} for r in roads
        ]
        try:
            snap = model.snap(both.subset(np.arange(len(pts))), mode)
        except TravelTimeError as exc:  # no usable or connected part for mode
            assume(False)
            raise AssertionError from exc
        snapped = {
            "xy": (X0 + np.asarray(pts)[:, 0], Y0 + np.asarray(pts)[:, 1]),
            "dist": snap.distance_m,
            "edge": snap.edge,
            "frac": snap.fraction,
        }
        expected = _reference(shifted, mode, snapped, n_origins, cutoff)
        if expected is None:
            event("no unique main component")
            continue
        event(f"compared {mode}; {int((expected < UNREACHABLE).sum())} pairs")
        blocks = 1 if tiny_blocks else network_paths.BLOCK_BYTES
        with patch.object(network_paths, "BLOCK_BYTES", blocks):
            got = model.matrix(origins, destinations, mode, cutoff_s=cutoff)
        np.testing.assert_array_equal(got.dense(), expected)
        assert got.seconds.has_sorted_indices
