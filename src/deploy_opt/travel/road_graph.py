"""Read a road network (line layer or osmnx GraphML) into a routable graph.

Lines are split wherever they share a vertex: OSM ways often meet at interior
vertices rather than at their end points, so a graph made of line end points
only falls apart into fragments. Nodes are the distinct coordinates (compared
exactly, in the file's CRS) that end a line or occur more than once; edges are
the stretches of line between consecutive nodes, with their geometry kept for
snapping. Degree-two vertices stay inside the edge geometry, which keeps the
graph small.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from pathlib import Path

import networkx as nx
import numpy as np
import numpy.typing as npt
import shapely
from pyproj import CRS, Transformer

from deploy_opt.errors import TravelTimeError
from deploy_opt.travel.road_speeds import parse_highway, parse_maxspeed, parse_oneway

#: File suffixes read as GraphML; anything else goes through pyogrio.
GRAPHML_SUFFIXES = frozenset({".graphml", ".xml"})

_READ_CHUNK = 1 << 20


@dataclass(frozen=True, eq=False)
class RoadGraph:
    """A road network as arrays, in a projected CRS (metres).

    Edges are undirected stretches of road; ``forward`` / ``backward`` say in
    which directions (from ``edge_u`` to ``edge_v`` and back) one-way rules
    allow travel. Travel modes decide whether they honour them.

    Attributes
    ----------
    source
        The file the network was read from (as given).
    digest
        SHA-256 of the file bytes and the reading options.
    crs
        The projected CRS of all coordinates (``EPSG:32748`` for Jakarta).
    node_x, node_y
        Node coordinates in metres.
    edge_u, edge_v
        End nodes of each edge (indices into ``node_x``).
    geometry
        Each edge's line from ``edge_u`` to ``edge_v``, in ``crs``.
    length_m
        Length of each edge in metres.
    highway
        OSM road class of each edge (``""`` when missing).
    forward, backward
        Whether the edge may be travelled from u to v, and from v to u.
    maxspeed_kmh
        Speed limit per edge, ``nan`` when absent.
    """

    source: str
    digest: str
    crs: str
    node_x: npt.NDArray[np.float64]
    node_y: npt.NDArray[np.float64]
    edge_u: npt.NDArray[np.int64]
    edge_v: npt.NDArray[np.int64]
    geometry: npt.NDArray[np.object_]
    length_m: npt.NDArray[np.float64]
    highway: npt.NDArray[np.object_]
    forward: npt.NDArray[np.bool_]
    backward: npt.NDArray[np.bool_]
    maxspeed_kmh: npt.NDArray[np.float64]

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return len(self.node_x)

    @property
    def n_edges(self) -> int:
        """Number of (undirected) edges."""
        return len(self.edge_u)

    def to_networkx(self) -> nx.MultiDiGraph:
        """The graph as a networkx ``MultiDiGraph``, one arc per allowed direction.

        Nodes carry ``x``/``y`` (metres); arcs carry ``edge`` (index into the
        arrays), ``length``, ``highway``, ``maxspeed`` and ``geometry``. The
        graph attribute ``crs`` names the CRS, as in osmnx.

        Returns
        -------
        networkx.MultiDiGraph
            The directed road graph (one-way rules applied).
        """
        graph: nx.MultiDiGraph[int] = nx.MultiDiGraph(crs=self.crs, source=self.source)
        graph.add_nodes_from(
            (i, {"x": float(x), "y": float(y)})
            for i, (x, y) in enumerate(zip(self.node_x, self.node_y, strict=True))
        )
        for e in range(self.n_edges):
            attrs = {
                "edge": e,
                "length": float(self.length_m[e]),
                "highway": self.highway[e],
                "maxspeed": float(self.maxspeed_kmh[e]),
                "geometry": self.geometry[e],
            }
            u, v = int(self.edge_u[e]), int(self.edge_v[e])
            if self.forward[e]:
                graph.add_edge(u, v, **attrs)
            if self.backward[e]:
                graph.add_edge(v, u, **attrs)
        return graph


def read_road_network(
    path: str | Path,
    *,
    layer: str | int | None = None,
    highway_field: str = "highway",
    oneway_field: str = "oneway",
    maxspeed_field: str = "maxspeed",
    crs: str | int | None = None,
) -> RoadGraph:
    """Read a road network from a line layer or from osmnx GraphML.

    Parameters
    ----------
    path
        A GeoJSON, GeoPackage, Shapefile (any vector format GDAL reads) or a
        ``.graphml`` file written by osmnx.
    layer
        Layer of a multi-layer file (GeoPackage); ignored for GraphML.
    highway_field, oneway_field, maxspeed_field
        Attribute names of the road class, the one-way flag and the speed
        limit. Only the road class is required.
    crs
        Projected CRS to work in. Default: the file's CRS if it is projected,
        else the UTM zone containing the network (EPSG:32748 for Jakarta).

    Returns
    -------
    RoadGraph
        The network, split at shared vertices, in a projected CRS.

    Raises
    ------
    TravelTimeError
        When the file cannot be read, has no CRS, no usable lines, lacks the
        road-class field or holds ``oneway`` values that are not understood.
    """
    path = Path(path)
    if not path.is_file():
        msg = f"road network file {path} does not exist"
        raise TravelTimeError(msg)
    options = (layer, highway_field, oneway_field, maxspeed_field, crs)
    digest = _file_digest(path, repr(options))
    if path.suffix.lower() in GRAPHML_SUFFIXES:
        return _read_graphml(path, digest, crs)
    return _read_lines(
        path,
        digest=digest,
        layer=layer,
        highway_field=highway_field,
        oneway_field=oneway_field,
        maxspeed_field=maxspeed_field,
        crs=crs,
    )


def _file_digest(path: Path, extra: str) -> str:
    sha = hashlib.sha256(extra.encode())
    with path.open("rb") as fh:
        while chunk := fh.read(_READ_CHUNK):
            sha.update(chunk)
    return sha.hexdigest()


def _projected_crs(
    source: CRS, bounds: tuple[float, float, float, float], wanted: object
) -> CRS:
    if wanted is not None:
        target = CRS.from_user_input(wanted)
        if not target.is_projected:
            msg = f"`crs` {wanted} is not a projected CRS (metres needed)"
            raise TravelTimeError(msg)
        return target
    if source.is_projected:
        return source
    from pyproj.aoi import AreaOfInterest
    from pyproj.database import query_utm_crs_info

    to_lonlat = Transformer.from_crs(source, "EPSG:4326", always_xy=True)
    west, south, east, north = to_lonlat.transform_bounds(*bounds)
    infos = query_utm_crs_info(
        datum_name="WGS 84",
        area_of_interest=AreaOfInterest(west, south, east, north),
    )
    lon = (west + east) / 2
    lat = (south + north) / 2
    zone = int((lon + 180) // 6) + 1
    code = (32700 if lat < 0 else 32600) + zone
    codes = {int(i.code) for i in infos}
    return CRS.from_epsg(code if code in codes or not codes else min(codes))


def _read_lines(
    path: Path,
    *,
    digest: str,
    layer: str | int | None,
    highway_field: str,
    oneway_field: str,
    maxspeed_field: str,
    crs: str | int | None,
) -> RoadGraph:
    import pyogrio

    try:
        frame = pyogrio.read_dataframe(path, layer=layer)
    except Exception as exc:  # pyogrio raises many types; name the file
        msg = f"cannot read road network {path}: {exc}"
        raise TravelTimeError(msg) from exc
    if highway_field not in frame.columns:
        msg = (
            f"road network {path}: field `{highway_field}` (road class) is "
            f"missing; fields: {[c for c in frame.columns if c != 'geometry']}"
        )
        raise TravelTimeError(msg)
    if frame.crs is None:
        msg = f"road network {path} has no CRS; save it with one (EPSG:4326)"
        raise TravelTimeError(msg)
    geoms = np.asarray(frame.geometry.values, dtype=object)
    present = ~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)
    kinds = shapely.get_type_id(geoms[present])
    bad = np.flatnonzero(~np.isin(kinds, (1, 5)))  # LineString, MultiLineString
    if bad.size:
        row = int(np.flatnonzero(present)[bad[0]])
        kind = shapely.get_type_id(geoms[row])
        msg = (
            f"road network {path}: feature {row} has a non-line geometry "
            f"(shapely type id {kind}); only (Multi)LineStrings are roads"
        )
        raise TravelTimeError(msg)
    parts, part_row = shapely.get_parts(geoms[present], return_index=True)
    part_row = np.flatnonzero(present)[part_row]
    if len(parts) == 0:
        msg = f"road network {path} has no line features"
        raise TravelTimeError(msg)

    highway = np.array([parse_highway(v) for v in frame[highway_field]], dtype=object)
    n = len(frame)
    forward = np.ones(n, dtype=bool)
    backward = np.ones(n, dtype=bool)
    if oneway_field in frame.columns:
        unknown = set()
        for i, value in enumerate(frame[oneway_field]):
            parsed = parse_oneway(value)
            if parsed is None:
                unknown.add(str(value))
            else:
                forward[i], backward[i] = parsed
        if unknown:
            msg = (
                f"road network {path}: field `{oneway_field}` has values that are "
                f"not understood: {sorted(unknown)}; use yes/no/-1"
            )
            raise TravelTimeError(msg)
    if "junction" in frame.columns:
        roundabout = frame["junction"].astype(str).str.lower().eq("roundabout")
        backward &= ~roundabout.to_numpy(dtype=bool)
    maxspeed = np.full(n, np.nan)
    if maxspeed_field in frame.columns:
        for i, value in enumerate(frame[maxspeed_field]):
            parsed_speed = parse_maxspeed(value)
            if parsed_speed is not None:
                maxspeed[i] = parsed_speed

    source = CRS.from_user_input(frame.crs)
    west, south, east, north = (float(b) for b in frame.total_bounds)
    target = _projected_crs(source, (west, south, east, north), crs)
    coords, index = shapely.get_coordinates(parts, return_index=True)
    counts = np.bincount(index, minlength=len(parts))
    if np.any(counts < 2):
        keep = counts[index] >= 2
        coords, index = coords[keep], index[keep]
    return _split_lines(
        coords,
        part_row[index],
        index,
        source=source,
        target=target,
        name=str(path),
        digest=digest,
        highway=highway,
        forward=forward,
        backward=backward,
        maxspeed=maxspeed,
    )


def _split_lines(
    coords: npt.NDArray[np.float64],
    feature: npt.NDArray[np.intp],
    line: npt.NDArray[np.intp],
    *,
    source: CRS,
    target: CRS,
    name: str,
    digest: str,
    highway: npt.NDArray[np.object_],
    forward: npt.NDArray[np.bool_],
    backward: npt.NDArray[np.bool_],
    maxspeed: npt.NDArray[np.float64],
) -> RoadGraph:
    """Split lines at every vertex that ends a line or occurs more than once."""
    first = np.ones(len(line), dtype=bool)
    first[1:] = line[1:] != line[:-1]
    last = np.ones(len(line), dtype=bool)
    last[:-1] = line[1:] != line[:-1]
    _, vertex, count = np.unique(
        coords, axis=0, return_inverse=True, return_counts=True
    )
    vertex = vertex.reshape(-1)
    is_node = first | last | (count[vertex] >= 2)
    ordinal = np.cumsum(is_node) - 1  # most recent node row, global numbering
    edge_of_row = np.where(last, ordinal - 1, ordinal)
    interior = np.flatnonzero(is_node & ~first & ~last)
    rows = np.concatenate([np.arange(len(line)), interior])
    edge = np.concatenate([edge_of_row, ordinal[interior] - 1])
    order = np.lexsort((rows, edge))
    rows, edge = rows[order], edge[order]
    _, edge = np.unique(edge, return_inverse=True)
    starts = np.flatnonzero(np.r_[True, edge[1:] != edge[:-1]])
    ends = np.r_[starts[1:], len(edge)] - 1

    to_target = Transformer.from_crs(source, target, always_xy=True)
    px, py = to_target.transform(coords[:, 0], coords[:, 1])
    projected = np.column_stack([px, py])
    geometry = shapely.linestrings(projected[rows], indices=edge)
    length = shapely.length(geometry)
    u_vertex = vertex[rows[starts]]
    v_vertex = vertex[rows[ends]]
    keep = (u_vertex != v_vertex) | (length > 0)
    used, inverse = np.unique(
        np.concatenate([u_vertex[keep], v_vertex[keep]]), return_inverse=True
    )
    n_kept = int(keep.sum())
    first_row = np.zeros(int(vertex.max()) + 1, dtype=np.intp)
    first_row[vertex[::-1]] = np.arange(len(vertex))[::-1]
    node_rows = first_row[used]
    feat = feature[rows[starts]][keep]
    return RoadGraph(
        source=name,
        digest=digest,
        crs=target.to_string(),
        node_x=projected[node_rows, 0].astype(np.float64),
        node_y=projected[node_rows, 1].astype(np.float64),
        edge_u=inverse[:n_kept].astype(np.int64),
        edge_v=inverse[n_kept:].astype(np.int64),
        geometry=geometry[keep],
        length_m=length[keep].astype(np.float64),
        highway=highway[feat],
        forward=forward[feat],
        backward=backward[feat],
        maxspeed_kmh=maxspeed[feat],
    )


def _read_graphml(path: Path, digest: str, crs: str | int | None) -> RoadGraph:
    try:
        graph = nx.read_graphml(path, force_multigraph=True)
    except Exception as exc:  # networkx raises parser-specific errors
        msg = f"cannot read GraphML road network {path}: {exc}"
        raise TravelTimeError(msg) from exc
    assert isinstance(graph, nx.MultiGraph)  # asked for with force_multigraph
    nodes = sorted(graph.nodes, key=_natural_key)
    if not nodes or graph.number_of_edges() == 0:
        msg = f"GraphML road network {path} has no edges"
        raise TravelTimeError(msg)
    position = {node: i for i, node in enumerate(nodes)}
    try:
        xs = np.array([float(graph.nodes[n]["x"]) for n in nodes])
        ys = np.array([float(graph.nodes[n]["y"]) for n in nodes])
    except (KeyError, ValueError) as exc:
        msg = f"GraphML road network {path}: every node needs numeric `x` and `y`"
        raise TravelTimeError(msg) from exc
    source = CRS.from_user_input(graph.graph.get("crs", "EPSG:4326"))
    bounds = (float(xs.min()), float(ys.min()), float(xs.max()), float(ys.max()))
    target = _projected_crs(source, bounds, crs)
    to_target = Transformer.from_crs(source, target, always_xy=True)
    nx_, ny_ = to_target.transform(xs, ys)

    arcs = sorted(
        graph.edges(keys=True, data=True),
        key=lambda a: (position[a[0]], position[a[1]], _natural_key(a[2])),
    )
    two_way_lengths: dict[tuple[object, object], set[float | None]] = {}
    unknown = set()
    for u, v, _, data in arcs:
        oneway = parse_oneway(data.get("oneway", False))
        if oneway is None:
            unknown.add(str(data.get("oneway")))
        elif oneway == (True, True):
            length = _round_length(data.get("length"))
            two_way_lengths.setdefault((u, v), set()).add(length)
    if unknown:
        msg = (
            f"GraphML road network {path}: edge attribute `oneway` has values "
            f"that are not understood: {sorted(unknown)}"
        )
        raise TravelTimeError(msg)
    rows: list[tuple[int, int, bool, str, float, shapely.Geometry | None]] = []
    for u, v, _, data in arcs:
        two_way = parse_oneway(data.get("oneway", False)) == (True, True)
        length = _round_length(data.get("length"))
        has_partner = two_way and length in two_way_lengths.get((v, u), set())
        if has_partner and position[u] > position[v]:
            continue  # osmnx stores both directions; keep one two-way edge
        wkt = data.get("geometry")
        try:
            line = shapely.from_wkt(wkt) if wkt else None
        except shapely.errors.GEOSException as exc:
            msg = f"GraphML road network {path}: edge {u}->{v}: bad `geometry`"
            raise TravelTimeError(msg) from exc
        rows.append(
            (
                position[u],
                position[v],
                two_way,
                parse_highway(data.get("highway")),
                parse_maxspeed(data.get("maxspeed")) or math.nan,
                line,
            )
        )
    u_idx = np.array([r[0] for r in rows], dtype=np.int64)
    v_idx = np.array([r[1] for r in rows], dtype=np.int64)
    geometry = np.empty(len(rows), dtype=object)
    for i, row in enumerate(rows):
        line = row[5]
        if line is None:
            geometry[i] = shapely.LineString(
                [(nx_[row[0]], ny_[row[0]]), (nx_[row[1]], ny_[row[1]])]
            )
        else:
            gx, gy = to_target.transform(*shapely.get_coordinates(line).T)
            geometry[i] = shapely.LineString(np.column_stack([gx, gy]))
    return RoadGraph(
        source=str(path),
        digest=digest,
        crs=target.to_string(),
        node_x=np.asarray(nx_, dtype=np.float64),
        node_y=np.asarray(ny_, dtype=np.float64),
        edge_u=u_idx,
        edge_v=v_idx,
        geometry=geometry,
        length_m=shapely.length(geometry).astype(np.float64),
        highway=np.array([r[3] for r in rows], dtype=object),
        forward=np.ones(len(rows), dtype=bool),
        backward=np.array([r[2] for r in rows], dtype=bool),
        maxspeed_kmh=np.array([r[4] for r in rows], dtype=np.float64),
    )


def _round_length(value: object) -> float | None:
    try:
        return round(float(value), 2)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def _natural_key(value: object) -> tuple[int, int | str]:
    text = str(value)
    return (0, int(text)) if text.lstrip("-").isdigit() else (1, text)
