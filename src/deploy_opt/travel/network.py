"""Travel times on a road network: the :class:`RoadNetworkModel`.

Pipeline per call of :meth:`RoadNetworkModel.matrix`: project the points'
lon/lat to the network's CRS, snap them to the mode's main strongly connected
component (:mod:`~deploy_opt.travel.network_snap`), splice the snap points
into their edges and run sparse many-to-many Dijkstra with the cutoff
(:mod:`~deploy_opt.travel.network_paths`). Results are cached on disk
(:mod:`~deploy_opt.travel.network_cache`).

Example
-------
>>> model = RoadNetworkModel.from_file(
...     "roads.geojson", {"polri": "motorbike", "medis": "ambulance"}
... )  # doctest: +SKIP
>>> model.matrix(tps, bases, "polri", cutoff_s=1800)  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from pyproj import Transformer

from deploy_opt.errors import TravelTimeError
from deploy_opt.travel.base import TravelModel
from deploy_opt.travel.matrix import Points, TravelMatrix
from deploy_opt.travel.network_cache import MatrixCache, cache_key, default_cache_dir
from deploy_opt.travel.network_paths import travel_seconds
from deploy_opt.travel.network_profile import NetworkProfile, ProfileArea
from deploy_opt.travel.network_snap import (
    SnapIndex,
    SnapIssue,
    Snapped,
    SnapReport,
    make_report,
)
from deploy_opt.travel.road_graph import RoadGraph, read_road_network
from deploy_opt.travel.road_modes import ModeGraph, build_mode_graph
from deploy_opt.travel.road_speeds import (
    DEFAULT_ACCESS_KMH,
    DEFAULT_FALLBACK_KMH,
    DEFAULT_SPEEDS_KMH,
    ModeSpeeds,
    SpeedSpec,
    resolve_modes,
)

__all__ = [
    "DEFAULT_ACCESS_KMH",
    "DEFAULT_FALLBACK_KMH",
    "DEFAULT_SNAP_THRESHOLD_M",
    "DEFAULT_SPEEDS_KMH",
    "ModeSpeeds",
    "ModeSummary",
    "NetworkProfile",
    "ProfileArea",
    "RoadGraph",
    "RoadNetworkModel",
    "SnapIssue",
    "SnapReport",
    "network_or_straight_line",
    "read_road_network",
]

#: Off-road distance (metres) above which a snapped point is reported.
DEFAULT_SNAP_THRESHOLD_M = 250.0


@dataclass(frozen=True)
class ModeSummary:
    """Size of the network one mode can use.

    Attributes
    ----------
    mode
        Mode name.
    usable_edges
        Edges the mode may use.
    main_nodes, main_edges
        Size of the kept (largest strongly connected) component.
    components
        Number of strongly connected components among usable roads.
    """

    mode: str
    usable_edges: int
    main_nodes: int
    main_edges: int
    components: int


class RoadNetworkModel:
    """Travel times along roads, per mode, sparse beyond a cutoff.

    Satisfies :class:`deploy_opt.travel.TravelModel`.

    Parameters
    ----------
    graph
        The network (see :func:`~deploy_opt.travel.road_graph.read_road_network`).
    speeds
        Per mode: a built-in mode name, a ``{highway class: km/h}`` mapping or
        a :class:`~deploy_opt.travel.road_speeds.ModeSpeeds`. Default: the
        built-in modes ``walk``, ``motorbike``, ``car``, ``ambulance`` (table in
        :mod:`deploy_opt.travel.road_speeds`).
    default_speed_kmh
        Speed for road classes missing from a mode's table (one value or per
        mode). Default: the built-in fallback of the mode.
    access_speed_kmh
        Speed of the straight off-road leg between a point and the road (one
        value or per mode). Default: the built-in access speed of the mode.
    use_maxspeed
        Whether an edge's ``maxspeed`` caps the class speed. Default ``True``.
    profile
        Optional slowed/closed areas (e.g. a flood). Default none.
    snap_threshold_m
        Off-road distance above which :meth:`snap_report` lists a point.
        Default 250 m.
    cache_dir
        Folder of the on-disk matrix cache. Default
        :func:`~deploy_opt.travel.network_cache.default_cache_dir`.
    use_cache
        Whether to read and write the cache. Default ``True``.

    Raises
    ------
    TravelTimeError
        When a speed setting is invalid.
    """

    def __init__(
        self,
        graph: RoadGraph,
        speeds: Mapping[str, SpeedSpec] | None = None,
        *,
        default_speed_kmh: float | Mapping[str, float] | None = None,
        access_speed_kmh: float | Mapping[str, float] | None = None,
        use_maxspeed: bool = True,
        profile: NetworkProfile | None = None,
        snap_threshold_m: float = DEFAULT_SNAP_THRESHOLD_M,
        cache_dir: str | Path | None = None,
        use_cache: bool = True,
    ) -> None:
        self.graph = graph
        self.modes: dict[str, ModeSpeeds] = resolve_modes(
            speeds,
            default_speed_kmh=default_speed_kmh,
            access_speed_kmh=access_speed_kmh,
            use_maxspeed=use_maxspeed,
        )
        self.profile = profile
        self.snap_threshold_m = float(snap_threshold_m)
        self._cache = (
            MatrixCache(default_cache_dir() if cache_dir is None else cache_dir)
            if use_cache
            else None
        )
        self._mode_graphs: dict[str, ModeGraph] = {}
        self._snap_indexes: dict[str, SnapIndex] = {}
        self._to_graph = Transformer.from_crs("EPSG:4326", graph.crs, always_xy=True)

    @classmethod
    def from_file(
        cls,
        path: str | Path,
        speeds: Mapping[str, SpeedSpec] | None = None,
        *,
        default_speed_kmh: float | Mapping[str, float] | None = None,
        access_speed_kmh: float | Mapping[str, float] | None = None,
        use_maxspeed: bool = True,
        profile: NetworkProfile | str | Path | None = None,
        layer: str | int | None = None,
        highway_field: str = "highway",
        oneway_field: str = "oneway",
        maxspeed_field: str = "maxspeed",
        crs: str | int | None = None,
        snap_threshold_m: float = DEFAULT_SNAP_THRESHOLD_M,
        cache_dir: str | Path | None = None,
        use_cache: bool = True,
    ) -> RoadNetworkModel:
        """Read a network file and build the model.

        Parameters
        ----------
        path
            Line layer (GeoJSON, GeoPackage, Shapefile, ...) with OSM
            ``highway`` classes and optional ``oneway`` / ``maxspeed``, or a
            GraphML file written by osmnx.
        speeds, default_speed_kmh, access_speed_kmh, use_maxspeed
            As for the class.
        profile
            A :class:`NetworkProfile`, or a polygon file read with
            :meth:`NetworkProfile.from_file` (field ``speed_factor``).
        layer, highway_field, oneway_field, maxspeed_field, crs
            Passed to :func:`~deploy_opt.travel.road_graph.read_road_network`.
        snap_threshold_m, cache_dir, use_cache
            As for the class.

        Returns
        -------
        RoadNetworkModel
            The model.

        Raises
        ------
        TravelTimeError
            When the network or profile file cannot be read or is invalid
            (the message names the file and the field).
        """
        graph = read_road_network(
            path,
            layer=layer,
            highway_field=highway_field,
            oneway_field=oneway_field,
            maxspeed_field=maxspeed_field,
            crs=crs,
        )
        if profile is not None and not isinstance(profile, NetworkProfile):
            profile = NetworkProfile.from_file(profile)
        return cls(
            graph,
            speeds,
            default_speed_kmh=default_speed_kmh,
            access_speed_kmh=access_speed_kmh,
            use_maxspeed=use_maxspeed,
            profile=profile,
            snap_threshold_m=snap_threshold_m,
            cache_dir=cache_dir,
            use_cache=use_cache,
        )

    @property
    def name(self) -> str:
        """Provenance label reported as ``travel_model``: ``road_network``."""
        return "road_network"

    @property
    def description(self) -> str:
        """Longer provenance: file, CRS, size and profile."""
        profile = f", profile {self.profile.name}" if self.profile else ""
        return (
            f"road network {self.graph.source} ({self.graph.n_nodes} nodes, "
            f"{self.graph.n_edges} edges, {self.graph.crs}{profile})"
        )

    def mode_graph(self, mode: str) -> ModeGraph:
        """The network as ``mode`` sees it (built once, then reused).

        Raises
        ------
        TravelTimeError
            When ``mode`` is unknown or some road class has no speed for it.
        """
        if mode not in self.modes:
            msg = f"no speeds for travel mode `{mode}`; known: {sorted(self.modes)}"
            raise TravelTimeError(msg)
        if mode not in self._mode_graphs:
            self._mode_graphs[mode] = build_mode_graph(
                self.graph, self.modes[mode], self.profile
            )
        return self._mode_graphs[mode]

    def summary(self, mode: str) -> ModeSummary:
        """Size of the usable network and its main component for ``mode``.

        Raises
        ------
        TravelTimeError
            When ``mode`` is unknown.
        """
        mg = self.mode_graph(mode)
        return ModeSummary(
            mode=mode,
            usable_edges=int(mg.usable.sum()),
            main_nodes=mg.main_nodes,
            main_edges=int(mg.edge_main.sum()),
            components=mg.n_components,
        )

    def snap(self, points: Points, mode: str) -> Snapped:
        """Snap points (by their lon/lat) to the main network of ``mode``.

        Raises
        ------
        TravelTimeError
            When ``mode`` is unknown or a point has no finite coordinates.
        """
        mg = self.mode_graph(mode)
        if mode not in self._snap_indexes:
            self._snap_indexes[mode] = SnapIndex(self.graph, mg)
        x, y = self._project(points)
        return self._snap_indexes[mode].snap(x, y)

    def snap_report(
        self, points: Points, mode: str, threshold_m: float | None = None
    ) -> SnapReport:
        """Points farther than the threshold from the road, or stuck on an island.

        Parameters
        ----------
        points
            TPS, bases, ...
        mode
            Travel mode (which roads it may use decides what is an island).
        threshold_m
            Default: the model's ``snap_threshold_m``.

        Returns
        -------
        SnapReport
            The points to warn about, in input order.

        Raises
        ------
        TravelTimeError
            When ``mode`` is unknown or a point has no finite coordinates.
        """
        threshold = self.snap_threshold_m if threshold_m is None else threshold_m
        return make_report(self.snap(points, mode), points.ids, mode, threshold)

    def matrix(
        self,
        origins: Points,
        destinations: Points,
        mode: str,
        cutoff_s: int | None = None,
    ) -> TravelMatrix:
        """Travel seconds from every origin to every destination within the cutoff.

        Times are ``ceil((access + network + access) / 1 s)`` with the network
        part the fastest route through the mode's main component.

        Parameters
        ----------
        origins, destinations
            Points with lon/lat (their projected x/y are not used: the network
            has its own CRS).
        mode
            Travel mode.
        cutoff_s
            Longest trip kept, in seconds; ``None`` keeps all pairs.

        Returns
        -------
        TravelMatrix
            Sparse ``int64`` seconds, model ``road_network``.

        Raises
        ------
        TravelTimeError
            When ``mode`` is unknown, the cutoff is negative or a point has no
            finite coordinates.
        """
        if cutoff_s is not None and cutoff_s < 0:
            msg = f"`cutoff_s` must be >= 0, got {cutoff_s}"
            raise TravelTimeError(msg)
        mg = self.mode_graph(mode)
        shape = (len(origins), len(destinations))
        key = self._key(origins, destinations, mode, cutoff_s)
        if self._cache is not None:
            hit = self._cache.load(key, shape)
            if hit is not None:
                return TravelMatrix(hit, cutoff_s, self.name)
        seconds = travel_seconds(
            self.graph,
            mg,
            self.snap(origins, mode),
            self.snap(destinations, mode),
            cutoff_s,
        )
        if self._cache is not None:
            self._cache.store(key, seconds)
        return TravelMatrix(sp.csr_array(seconds), cutoff_s, self.name)

    def _key(
        self, origins: Points, destinations: Points, mode: str, cutoff_s: int | None
    ) -> str:
        profile = self.profile.fingerprint() if self.profile else ""
        return cache_key(
            self.graph.digest,
            self.graph.crs,
            self.modes[mode].fingerprint(),
            profile,
            _coords(origins),
            _coords(destinations),
            repr(cutoff_s),
        )

    def _project(
        self, points: Points
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        lon = np.asarray(points.lon, dtype=np.float64)
        lat = np.asarray(points.lat, dtype=np.float64)
        bad = ~(np.isfinite(lon) & np.isfinite(lat))
        if bad.any():
            ids = [points.ids[i] for i in np.flatnonzero(bad)[:10]]
            msg = f"points without finite lon/lat cannot be snapped: {ids}"
            raise TravelTimeError(msg)
        x, y = self._to_graph.transform(lon, lat)
        return np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)


def _coords(points: Points) -> bytes:
    lon = np.ascontiguousarray(points.lon, dtype=np.float64)
    lat = np.ascontiguousarray(points.lat, dtype=np.float64)
    return len(points).to_bytes(8, "little") + lon.tobytes() + lat.tobytes()


def network_or_straight_line(
    path: str | Path | None,
    fallback: TravelModel,
    speeds: Mapping[str, SpeedSpec] | None = None,
    **options: Any,
) -> TravelModel:
    """The road model for ``path``, or ``fallback`` when no network is given.

    The chosen model's ``name`` (``road_network`` or the fallback's, e.g.
    ``straight_line``) is what the run summary reports as ``travel_model``.

    Parameters
    ----------
    path
        Road network file, or ``None``.
    fallback
        Model used without a network (straight line x detour factor).
    speeds
        Passed to :meth:`RoadNetworkModel.from_file`.
    **options
        Other keyword arguments of :meth:`RoadNetworkModel.from_file`.

    Returns
    -------
    TravelModel
        The model to use.

    Raises
    ------
    TravelTimeError
        When the network file is given but cannot be used.
    """
    if path is None:
        return fallback
    return RoadNetworkModel.from_file(path, speeds, **options)
