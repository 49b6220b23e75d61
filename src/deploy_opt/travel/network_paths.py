"""Many-to-many shortest travel times on a snapped road graph, sparse.

Every snap point becomes a node: the snapped edge is split *virtually* at the
snap points (the split pieces share the edge's time in proportion to their
length, in whole milliseconds, so the pieces add up to the edge exactly).
Dijkstra (:func:`scipy.sparse.csgraph.dijkstra`, with ``limit`` = the cutoff)
runs from the side with fewer distinct snap nodes, on the transposed graph
when that side is the destinations, in blocks that bound memory.

A trip's time is ``access(origin) + network + access(destination)`` in
milliseconds, rounded **up** to whole seconds once, so a pair is never
reported closer than it is. Pairs beyond the cutoff are not stored.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from deploy_opt.travel.network_snap import Snapped
from deploy_opt.travel.road_graph import RoadGraph
from deploy_opt.travel.road_modes import MS_PER_S, ModeGraph

#: Largest dense block (bytes) held at once: Dijkstra rows and expanded pairs.
BLOCK_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True, eq=False)
class _Side:
    node: npt.NDArray[np.int64]  # graph node of each point
    access_ms: npt.NDArray[np.int64]  # off-road leg of each point


def access_ms(snapped: Snapped, access_kmh: float) -> npt.NDArray[np.int64]:
    """Milliseconds of the straight off-road leg at the access speed."""
    return np.rint(snapped.distance_m / (access_kmh / 3.6) * MS_PER_S).astype(np.int64)


def travel_seconds(
    graph: RoadGraph,
    mode_graph: ModeGraph,
    origins: Snapped,
    destinations: Snapped,
    cutoff_s: int | None,
) -> sp.csr_array:
    """Travel seconds from every origin to every destination within the cutoff.

    Parameters
    ----------
    graph
        The road network.
    mode_graph
        The mode's view of it (times, directions, main component).
    origins, destinations
        Snap results of the two point sets.
    cutoff_s
        Longest trip kept, in seconds; ``None`` keeps every reachable pair.

    Returns
    -------
    scipy.sparse.csr_array
        ``int64`` seconds, shape ``(len(origins), len(destinations))``, only
        pairs within the cutoff stored (explicit zeros kept), indices sorted.
    """
    n_o, n_d = len(origins.edge), len(destinations.edge)
    if n_o == 0 or n_d == 0:
        return sp.csr_array((n_o, n_d), dtype=np.int64)
    access = mode_graph.mode.access_kmh
    csr, nodes = _augmented_graph(
        graph,
        mode_graph,
        np.concatenate([origins.edge, destinations.edge]),
        np.concatenate([origins.fraction, destinations.fraction]),
    )
    o_side = _Side(nodes[:n_o], access_ms(origins, access))
    d_side = _Side(nodes[n_o:], access_ms(destinations, access))
    limit_ms = np.inf
    if cutoff_s is not None:
        spare = int(o_side.access_ms.min()) + int(d_side.access_ms.min())
        limit_ms = cutoff_s * MS_PER_S - spare + 0.5
    if limit_ms < 0:
        return sp.csr_array((n_o, n_d), dtype=np.int64)
    max_ms = None if cutoff_s is None else cutoff_s * MS_PER_S
    if len(np.unique(d_side.node)) < len(np.unique(o_side.node)):
        cols, rows, secs = _from_sources(
            csr.T.tocsr(), d_side, o_side, limit_ms, max_ms
        )
    else:
        rows, cols, secs = _from_sources(csr, o_side, d_side, limit_ms, max_ms)
    out = sp.csr_array((secs, (rows, cols)), shape=(n_o, n_d))  # secs: int64
    out.sort_indices()
    return out


def _augmented_graph(
    graph: RoadGraph,
    mode_graph: ModeGraph,
    edge: npt.NDArray[np.int64],
    fraction: npt.NDArray[np.float64],
) -> tuple[sp.csr_array, npt.NDArray[np.int64]]:
    """Main-component graph with the snap points spliced into their edges.

    Returns the CSR graph (compact node numbering, millisecond weights) and
    the node of every snap point.
    """
    ms = mode_graph.edge_ms
    cum = np.clip(np.rint(fraction * ms[edge]), 0, ms[edge]).astype(np.int64)
    at_u = cum == 0
    at_v = cum == ms[edge]
    inner = ~(at_u | at_v)

    # compact numbering: main-component nodes first, then split nodes
    in_main = mode_graph.node_component == mode_graph.main
    compact = np.full(graph.n_nodes, -1, dtype=np.int64)
    n_main = int(in_main.sum())
    compact[in_main] = np.arange(n_main)

    key = edge[inner] * (int(ms.max()) + 1) + cum[inner]
    split_keys, split_inverse = np.unique(key, return_inverse=True)
    split_edge = split_keys // (int(ms.max()) + 1)
    split_cum = split_keys % (int(ms.max()) + 1)
    split_node = n_main + np.arange(len(split_keys), dtype=np.int64)

    node = np.where(at_u, compact[graph.edge_u[edge]], compact[graph.edge_v[edge]])
    node[inner] = split_node[split_inverse.reshape(-1)]

    has_split = np.zeros(graph.n_edges, dtype=bool)
    has_split[split_edge] = True
    tail, head, weight = mode_graph.arcs(graph, mode_graph.edge_main & ~has_split)
    tails, heads, weights = [compact[tail]], [compact[head]], [weight]

    if len(split_keys):
        same = np.r_[False, split_edge[1:] == split_edge[:-1]]
        last = np.r_[split_edge[1:] != split_edge[:-1], True]
        prev_node = np.where(
            same, np.r_[-1, split_node[:-1]], compact[graph.edge_u[split_edge]]
        )
        prev_cum = np.where(same, np.r_[0, split_cum[:-1]], 0)
        a = np.concatenate([prev_node, split_node[last]])
        b = np.concatenate([split_node, compact[graph.edge_v[split_edge[last]]]])
        w = np.concatenate(
            [split_cum - prev_cum, ms[split_edge[last]] - split_cum[last]]
        )
        e = np.concatenate([split_edge, split_edge[last]])
        fwd = mode_graph.forward[e]
        bwd = mode_graph.backward[e]
        tails += [a[fwd], b[bwd]]
        heads += [b[fwd], a[bwd]]
        weights += [w[fwd], w[bwd]]

    tail = np.concatenate(tails)
    head = np.concatenate(heads)
    weight = np.concatenate(weights)
    # parallel arcs: keep the fastest (a CSR built from duplicates would sum them)
    order = np.lexsort((weight, head, tail))
    tail, head, weight = tail[order], head[order], weight[order]
    first = np.r_[True, (tail[1:] != tail[:-1]) | (head[1:] != head[:-1])]
    size = n_main + len(split_keys)
    csr = sp.csr_array(
        (weight[first].astype(np.float64), (tail[first], head[first])),
        shape=(size, size),
    )
    return csr, node


def _from_sources(
    csr: sp.csr_array,
    source: _Side,
    target: _Side,
    limit_ms: float,
    max_ms: int | None,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Dijkstra from the source side's nodes; ``(source pt, target pt, seconds)``."""
    src_nodes, src_of_point = np.unique(source.node, return_inverse=True)
    tgt_nodes, tgt_of_point = np.unique(target.node, return_inverse=True)
    src_of_point = src_of_point.reshape(-1)
    tgt_of_point = tgt_of_point.reshape(-1)
    points_by_src = np.argsort(src_of_point, kind="stable")
    bounds = np.searchsorted(src_of_point[points_by_src], np.arange(len(src_nodes) + 1))
    n_nodes = csr.shape[0]
    per_block = max(1, BLOCK_BYTES // (8 * max(n_nodes, len(target.node))))
    rows_out, cols_out, secs_out = [], [], []
    for start in range(0, len(src_nodes), per_block):
        stop = min(start + per_block, len(src_nodes))
        dist = dijkstra(
            csr, directed=True, indices=src_nodes[start:stop], limit=limit_ms
        )
        dist = dist[:, tgt_nodes]
        pts = points_by_src[bounds[start] : bounds[stop]]
        # rows of the block expanded to points, in chunks that bound memory
        for chunk in np.array_split(pts, max(1, len(pts) // per_block + 1)):
            if chunk.size == 0:
                continue
            network = dist[src_of_point[chunk] - start][:, tgt_of_point]
            total = network + source.access_ms[chunk, None] + target.access_ms[None, :]
            keep = np.isfinite(total)
            if max_ms is not None:
                keep &= total <= max_ms
            r, c = np.nonzero(keep)
            ms = total[r, c].astype(np.int64)
            rows_out.append(chunk[r])
            cols_out.append(c)
            secs_out.append((ms + MS_PER_S - 1) // MS_PER_S)
    if not rows_out:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    return (
        np.concatenate(rows_out).astype(np.int64),
        np.concatenate(cols_out).astype(np.int64),
        np.concatenate(secs_out),
    )
