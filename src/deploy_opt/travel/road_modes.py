"""Per-mode view of a road graph: edge times, allowed directions, main part.

Edge times are whole **milliseconds** (``round(length / speed)``, at least 1):
sums of integers are exact in float64, so shortest-path ties and results do
not depend on the order of additions, and rounding to whole seconds happens
once per trip (see :mod:`deploy_opt.travel.network_paths`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from deploy_opt.errors import TravelTimeError
from deploy_opt.travel.network_profile import NetworkProfile
from deploy_opt.travel.road_graph import RoadGraph
from deploy_opt.travel.road_speeds import ModeSpeeds

MS_PER_S = 1000


@dataclass(frozen=True, eq=False)
class ModeGraph:
    """The road graph as one mode sees it.

    Attributes
    ----------
    mode
        The mode's speeds and rules.
    edge_ms
        Travel time along each edge in milliseconds (0 where closed).
    usable
        Edges the mode may use in at least one direction.
    forward, backward
        Allowed directions per edge for this mode.
    node_component
        Strongly connected component label of every node.
    main
        Label of the largest strongly connected component (the kept part).
    edge_main
        Usable edges with both ends in the main component.
    n_components
        Number of strongly connected components among nodes touched by a
        usable edge.
    """

    mode: ModeSpeeds
    edge_ms: npt.NDArray[np.int64]
    usable: npt.NDArray[np.bool_]
    forward: npt.NDArray[np.bool_]
    backward: npt.NDArray[np.bool_]
    node_component: npt.NDArray[np.int64]
    main: int
    edge_main: npt.NDArray[np.bool_]
    n_components: int

    @property
    def main_nodes(self) -> int:
        """Number of nodes in the main component."""
        return int(np.count_nonzero(self.node_component == self.main))

    def arcs(
        self, graph: RoadGraph, edges: npt.NDArray[np.bool_]
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """Directed arcs ``(tail, head, ms)`` of the selected edges."""
        fwd = edges & self.forward
        bwd = edges & self.backward
        tail = np.concatenate([graph.edge_u[fwd], graph.edge_v[bwd]])
        head = np.concatenate([graph.edge_v[fwd], graph.edge_u[bwd]])
        ms = np.concatenate([self.edge_ms[fwd], self.edge_ms[bwd]])
        return tail, head, ms


def build_mode_graph(
    graph: RoadGraph, mode: ModeSpeeds, profile: NetworkProfile | None = None
) -> ModeGraph:
    """Edge times and the main strongly connected component for one mode.

    Speed of an edge: the class speed of the mode, capped by ``maxspeed`` when
    the mode uses it, scaled by the profile's areas.

    Parameters
    ----------
    graph
        The road network.
    mode
        Speeds and rules of the mode.
    profile
        Optional slowed/closed areas.

    Returns
    -------
    ModeGraph
        The mode's view of the network.

    Raises
    ------
    TravelTimeError
        When some road class has no speed for the mode (no table entry and no
        fallback), naming the file and the ``highway`` field; or when the mode
        can use no road at all, or no part of the network is strongly
        connected.
    """
    classes, inverse = np.unique(graph.highway.astype(str), return_inverse=True)
    speeds = np.empty(len(classes))
    missing = []
    for i, cls in enumerate(classes):
        speed = mode.speed_for(str(cls))
        if speed is None:
            missing.append(str(cls))
        else:
            speeds[i] = speed
    if missing:
        msg = (
            f"road network {graph.source}: field `highway`: mode `{mode.name}` "
            f"has no speed for class(es) {missing} and no default speed"
        )
        raise TravelTimeError(msg)
    kmh = speeds[inverse.reshape(-1)]
    if mode.use_maxspeed:
        kmh = np.fmin(kmh, graph.maxspeed_kmh)
    length = graph.length_m
    closed = np.zeros(graph.n_edges, dtype=bool)
    if profile is not None:
        length, closed = profile.effective_lengths(graph, mode.name)
    usable = (kmh > 0) & ~closed
    with np.errstate(divide="ignore", invalid="ignore"):
        ms = np.where(usable, np.rint(length / (kmh / 3.6) * MS_PER_S), 0)
    edge_ms = np.where(usable, np.maximum(ms, 1), 0).astype(np.int64)
    if mode.honour_oneway:
        forward, backward = graph.forward & usable, graph.backward & usable
    else:
        forward, backward = usable.copy(), usable.copy()
    if not usable.any():
        msg = f"road network {graph.source}: mode `{mode.name}` can use no road"
        raise TravelTimeError(msg)

    tail = np.concatenate([graph.edge_u[forward], graph.edge_v[backward]])
    head = np.concatenate([graph.edge_v[forward], graph.edge_u[backward]])
    adjacency = sp.csr_array(
        (np.ones(len(tail), dtype=np.int8), (tail, head)),
        shape=(graph.n_nodes, graph.n_nodes),
    )
    n_labels, labels = connected_components(
        adjacency, directed=True, connection="strong"
    )
    touched = np.zeros(graph.n_nodes, dtype=bool)
    touched[tail] = True
    touched[head] = True
    sizes = np.bincount(labels[touched], minlength=n_labels)
    main = int(np.argmax(sizes))  # ties: lowest label, i.e. deterministic
    edge_main = usable & (labels[graph.edge_u] == main) & (labels[graph.edge_v] == main)
    if not edge_main.any():
        msg = (
            f"road network {graph.source}: mode `{mode.name}` has no two roads "
            f"that reach each other (no strongly connected part; check `oneway`)"
        )
        raise TravelTimeError(msg)
    return ModeGraph(
        mode=mode,
        edge_ms=edge_ms,
        usable=usable,
        forward=forward,
        backward=backward,
        node_component=labels.astype(np.int64),
        main=main,
        edge_main=edge_main,
        n_components=int(np.count_nonzero(sizes)),
    )
