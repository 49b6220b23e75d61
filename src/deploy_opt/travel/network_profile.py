"""Network profiles: areas where roads are slower or closed (e.g. floods).

A profile is a set of polygons, each with a speed factor: ``0.5`` halves the
speed of the part of every road inside it, ``0`` closes every road that runs
through it. Where areas overlap, the lowest factor wins. The time of a partly
covered edge is the sum over its inside and outside parts, computed from the
lengths of the parts.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import shapely
from pyproj import CRS, Transformer
from shapely.geometry.base import BaseGeometry

from deploy_opt.errors import TravelTimeError
from deploy_opt.travel.road_graph import RoadGraph


@dataclass(frozen=True)
class ProfileArea:
    """One polygon of a profile.

    Attributes
    ----------
    geometry
        (Multi)Polygon in the profile's CRS.
    factor
        Speed multiplier inside the polygon (``0`` closes the roads).
    modes
        Modes the area applies to; ``None`` means every mode.

    Raises
    ------
    TravelTimeError
        When the factor is negative or not finite, or the geometry is not a
        (Multi)Polygon.
    """

    geometry: BaseGeometry
    factor: float
    modes: frozenset[str] | None = None

    def __post_init__(self) -> None:
        if not (math.isfinite(self.factor) and self.factor >= 0):
            msg = f"profile area speed factor must be >= 0, got {self.factor}"
            raise TravelTimeError(msg)
        if self.geometry.geom_type not in {"Polygon", "MultiPolygon"}:
            msg = f"profile areas must be polygons, got {self.geometry.geom_type}"
            raise TravelTimeError(msg)


@dataclass(frozen=True)
class NetworkProfile:
    """Named set of slowed or closed areas applied on top of the speeds.

    Attributes
    ----------
    name
        Label shown in provenance (``flood``).
    areas
        The polygons and their factors.
    crs
        CRS of the polygons. Default ``EPSG:4326`` (lon/lat).
    """

    name: str
    areas: tuple[ProfileArea, ...]
    crs: str = "EPSG:4326"

    @classmethod
    def from_file(
        cls,
        path: str | Path,
        name: str | None = None,
        *,
        factor_field: str = "speed_factor",
        modes_field: str = "modes",
        layer: str | int | None = None,
    ) -> NetworkProfile:
        """Read a profile from a polygon layer.

        Parameters
        ----------
        path
            GeoJSON, GeoPackage, Shapefile, ... with (Multi)Polygons.
        name
            Profile name. Default: the file name without suffix.
        factor_field
            Numeric speed factor per polygon (``0`` closes).
        modes_field
            Optional comma-separated modes per polygon; empty means all modes.
        layer
            Layer of a multi-layer file.

        Returns
        -------
        NetworkProfile
            The profile.

        Raises
        ------
        TravelTimeError
            When the file cannot be read, lacks a CRS or ``factor_field``, or a
            factor is not a number >= 0 or a geometry is not a polygon.
        """
        import pyogrio

        path = Path(path)
        try:
            frame = pyogrio.read_dataframe(path, layer=layer)
        except Exception as exc:  # pyogrio raises many types; name the file
            msg = f"cannot read profile {path}: {exc}"
            raise TravelTimeError(msg) from exc
        if frame.crs is None:
            msg = f"profile {path} has no CRS"
            raise TravelTimeError(msg)
        if factor_field not in frame.columns:
            msg = f"profile {path}: field `{factor_field}` (speed factor) is missing"
            raise TravelTimeError(msg)
        areas = []
        for row, (geom, factor) in enumerate(
            zip(frame.geometry, frame[factor_field], strict=True)
        ):
            try:
                value = float(factor)
                modes = None
                if modes_field in frame.columns:
                    modes = _modes(frame[modes_field].iloc[row])
                areas.append(ProfileArea(geom, value, modes))
            except (TypeError, ValueError, AttributeError, TravelTimeError) as exc:
                msg = f"profile {path}: feature {row}, field `{factor_field}`: {exc}"
                raise TravelTimeError(msg) from exc
        return cls(
            name=name or path.stem,
            areas=tuple(areas),
            crs=CRS.from_user_input(frame.crs).to_string(),
        )

    def fingerprint(self) -> str:
        """Stable digest of the areas, factors and modes (for cache keys)."""
        sha = hashlib.sha256(repr((self.name, self.crs)).encode())
        for area in self.areas:
            sha.update(shapely.to_wkb(area.geometry, output_dimension=2))
            sha.update(repr((area.factor, sorted(area.modes or ()))).encode())
        return sha.hexdigest()

    def effective_lengths(
        self, graph: RoadGraph, mode: str
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
        """Edge lengths stretched by the slow areas, and the closed edges.

        Parameters
        ----------
        graph
            The road network.
        mode
            Travel mode; areas limited to other modes are skipped.

        Returns
        -------
        tuple of ndarray
            Length in metres that, at the edge's normal speed, takes as long as
            the edge takes under the profile; and a mask of closed edges.
        """
        length = graph.length_m.copy()
        closed = np.zeros(graph.n_edges, dtype=bool)
        areas = [a for a in self.areas if a.modes is None or mode in a.modes]
        if not areas:
            return length, closed
        to_graph = Transformer.from_crs(self.crs, graph.crs, always_xy=True)
        factors = sorted({a.factor for a in areas})
        tree = shapely.STRtree(graph.geometry)
        covered: BaseGeometry | None = None
        for factor in factors:
            union = shapely.union_all(
                [_transform(a.geometry, to_graph) for a in areas if a.factor == factor]
            )
            region = union if covered is None else union.difference(covered)
            covered = union if covered is None else covered.union(union)
            hits = tree.query(region, predicate="intersects")
            inside = shapely.length(shapely.intersection(graph.geometry[hits], region))
            if factor == 0:
                closed[hits[inside > 0]] = True
            else:
                length[hits] += inside * (1.0 / factor - 1.0)
        return length, closed


def _transform(geometry: BaseGeometry, transformer: Transformer) -> BaseGeometry:
    return shapely.transform(
        geometry, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1]))
    )


def _modes(value: object) -> frozenset[str] | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    items: Iterable[str] = (m.strip() for m in str(value).split(","))
    modes = frozenset(m for m in items if m)
    return modes or None
