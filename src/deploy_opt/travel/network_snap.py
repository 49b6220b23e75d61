"""Snap points to the road network and report the ones that snap badly.

Each point snaps to the nearest point of the nearest edge of the mode's main
(largest strongly connected) component, found with a shapely STRtree. The
edge is split there virtually (see :mod:`deploy_opt.travel.network_paths`),
and the straight off-road leg from the point to the road is travelled at the
mode's access speed. When several edges are equally near, the one with the
lowest index wins, so snapping is deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
import shapely

from deploy_opt.travel.road_graph import RoadGraph
from deploy_opt.travel.road_modes import ModeGraph

SnapIssueKind = Literal["far", "island"]


@dataclass(frozen=True)
class SnapIssue:
    """A point that snaps badly.

    Attributes
    ----------
    point_id
        Id of the point.
    kind
        ``"far"``: no road the mode may use lies within the threshold.
        ``"island"``: roads lie within the threshold, but only ones on small
        islands of the network (not connected both ways to the main part);
        the point is snapped to the main part instead, ``distance_m`` away.
    distance_m
        Off-road distance to the main network (the access leg).
    nearest_road_m
        Distance to the nearest road the mode may use, in any part.
    """

    point_id: str
    kind: SnapIssueKind
    distance_m: float
    nearest_road_m: float

    def __str__(self) -> str:
        if self.kind == "island":
            return (
                f"point {self.point_id}: nearest road ({self.nearest_road_m:.0f} m) "
                f"is on a small island of the network; snapped to the main "
                f"network {self.distance_m:.0f} m away"
            )
        return (
            f"point {self.point_id}: {self.distance_m:.0f} m from the nearest "
            f"road of the network"
        )


@dataclass(frozen=True)
class SnapReport:
    """How well a set of points snapped to the network for one mode.

    Attributes
    ----------
    mode
        Travel mode.
    threshold_m
        Off-road distance above which a point is reported as ``far``.
    n_points
        Number of points snapped.
    max_distance_m
        Largest off-road distance (0 when there are no points).
    issues
        One entry per point whose access leg to the main network is longer
        than the threshold, in input order.
    """

    mode: str
    threshold_m: float
    n_points: int
    max_distance_m: float
    issues: tuple[SnapIssue, ...]

    @property
    def ok(self) -> bool:
        """Whether every point snapped within the threshold to the main network."""
        return not self.issues

    @property
    def far(self) -> tuple[SnapIssue, ...]:
        """Points farther than the threshold from any usable road."""
        return tuple(i for i in self.issues if i.kind == "far")

    @property
    def island(self) -> tuple[SnapIssue, ...]:
        """Points whose roads within the threshold only reach a small island."""
        return tuple(i for i in self.issues if i.kind == "island")

    def messages(self, limit: int | None = 20) -> list[str]:
        """Human-readable warnings: a summary line, then up to ``limit`` points."""
        if self.ok:
            return []
        head = (
            f"mode {self.mode}: {len(self.far)} of {self.n_points} point(s) are more "
            f"than {self.threshold_m:.0f} m from the road network, "
            f"{len(self.island)} only reach a small island of it"
        )
        shown = self.issues if limit is None else self.issues[:limit]
        lines = [head, *(str(i) for i in shown)]
        if len(shown) < len(self.issues):
            lines.append(f"... and {len(self.issues) - len(shown)} more")
        return lines


@dataclass(frozen=True, eq=False)
class Snapped:
    """Where points meet the network (internal to the road model).

    Attributes
    ----------
    edge
        Edge each point snaps to (main component).
    fraction
        Position of the snap point along the edge from ``edge_u`` (0..1).
    distance_m
        Off-road distance from the point to the snap point.
    nearest_road_m
        Distance to the nearest usable edge in any component.
    nearest_on_island
        Whether that nearest usable edge lies outside the main component.
    """

    edge: npt.NDArray[np.int64]
    fraction: npt.NDArray[np.float64]
    distance_m: npt.NDArray[np.float64]
    nearest_road_m: npt.NDArray[np.float64]
    nearest_on_island: npt.NDArray[np.bool_]


class SnapIndex:
    """Spatial indexes of one mode's usable and main-component edges."""

    def __init__(self, graph: RoadGraph, mode_graph: ModeGraph) -> None:
        self._graph = graph
        self._mode_graph = mode_graph
        self._main_edges = np.flatnonzero(mode_graph.edge_main)
        self._usable_edges = np.flatnonzero(mode_graph.usable)
        self._main_tree = shapely.STRtree(graph.geometry[self._main_edges])
        self._usable_tree = shapely.STRtree(graph.geometry[self._usable_edges])

    def snap(self, x: npt.NDArray[np.float64], y: npt.NDArray[np.float64]) -> Snapped:
        """Snap points given in the graph's projected CRS."""
        points = np.asarray(shapely.points(x, y))
        main, dist = _nearest(self._main_tree, points, self._main_edges)
        near, near_dist = _nearest(self._usable_tree, points, self._usable_edges)
        fraction = shapely.line_locate_point(
            self._graph.geometry[main], points, normalized=True
        )
        fraction = np.nan_to_num(np.clip(fraction, 0.0, 1.0))
        return Snapped(
            edge=main.astype(np.int64),
            fraction=fraction.astype(np.float64),
            distance_m=dist,
            nearest_road_m=near_dist,
            nearest_on_island=~self._mode_graph.edge_main[near],
        )


def _nearest(
    tree: shapely.STRtree,
    points: npt.NDArray[np.object_],
    edge_ids: npt.NDArray[np.intp],
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.float64]]:
    n = len(points)
    if n == 0:
        return np.zeros(0, dtype=np.intp), np.zeros(0)
    (which, hit), dist = tree.query_nearest(
        points, return_distance=True, all_matches=True
    )
    order = np.lexsort((hit, which))  # per point, the lowest edge index first
    which, hit, dist = which[order], hit[order], dist[order]
    first = np.r_[True, which[1:] != which[:-1]]
    edge = np.empty(n, dtype=np.intp)
    best = np.empty(n)
    edge[which[first]] = edge_ids[hit[first]]
    best[which[first]] = dist[first]
    return edge, best


def issue_masks(
    snapped: Snapped, threshold_m: float
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """Which points snap ``far`` and which only reach an ``island`` (see :class:`SnapIssue`).

    A point is ``far`` when no usable road at all lies within ``threshold_m``
    of it, and ``island`` when roads do, but none of the main component does.
    """
    beyond = snapped.distance_m > threshold_m
    far = beyond & (snapped.nearest_road_m > threshold_m)
    return far, beyond & ~far  # island: roads within reach, none of the main part


def make_report(
    snapped: Snapped, ids: tuple[str, ...], mode: str, threshold_m: float
) -> SnapReport:
    """Collect the points whose access leg to the main network is too long.

    A point is ``far`` when no usable road at all lies within ``threshold_m``,
    and ``island`` when roads do, but only ones outside the main component.

    Returns
    -------
    SnapReport
        The report; ``issues`` are in input order.
    """
    far, island = issue_masks(snapped, threshold_m)
    issues = []
    for i in np.flatnonzero(island | far):
        issues.append(
            SnapIssue(
                point_id=ids[i],
                kind="island" if island[i] else "far",
                distance_m=float(snapped.distance_m[i]),
                nearest_road_m=float(snapped.nearest_road_m[i]),
            )
        )
    return SnapReport(
        mode=mode,
        threshold_m=float(threshold_m),
        n_points=len(ids),
        max_distance_m=float(snapped.distance_m.max()) if len(ids) else 0.0,
        issues=tuple(issues),
    )
