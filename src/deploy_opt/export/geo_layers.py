"""The plan as map layers for QGIS: GeoJSON files and one GeoPackage (EPSG:4326).

Layers (every text attribute passes :func:`~deploy_opt.export.cells.safe_text`,
like the CSV files, since QGIS exports attribute tables to spreadsheets):

- ``tps``: one point per TPS with every column of ``stations.csv`` plus
  ``team_id`` (the medical team serving it);
- ``groups``: one polygon per guard group, the convex hull of its TPS buffered
  by :data:`GROUP_BUFFER_M` (so a group of one TPS, or of TPS on a line, is
  still an area), with its rule, needs and what it got;
- ``bases``: one point per base with its headcount, assigned persons and
  reserve per agency;
- ``medical_teams``: one point per mobile medical team at its base, with the
  TPS it serves;
- ``team_areas``: the hull of each team's site and TPS (buffered likewise);
- ``assignments``: lines base -> group (police, TNI: to the centre of the
  group's TPS) and base -> TPS (Linmas), with persons and travel minutes.

Column names are English in every language, like the CSV files.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from deploy_opt.export.cells import safe_text
from deploy_opt.problem import GROUP_AGENCIES, ProblemData
from deploy_opt.result import Result
from deploy_opt.scenario import Scenario
from deploy_opt.scenario.schema import AGENCIES
from deploy_opt.solvers.grouping import Grouping

#: Layer names in writing order, with their geometry type.
LAYERS: dict[str, str] = {
    "tps": "Point",
    "groups": "Polygon",
    "bases": "Point",
    "medical_teams": "Point",
    "team_areas": "Polygon",
    "assignments": "LineString",
}
#: Metres around a group's (or team's) convex hull.
GROUP_BUFFER_M = 40.0
#: Decimal places of the written coordinates (about 1 cm).
COORDINATE_DECIMALS = 7
#: Fixed GeoPackage timestamp, so the same plan gives the same bytes.
_GPKG_DATE = "2000-01-01T00:00:00.000Z"
WGS84 = "EPSG:4326"


def plan_layers(
    scenario: Scenario,
    data: ProblemData,
    result: Result,
    stations: pd.DataFrame,
    roster: pd.DataFrame,
) -> dict[str, gpd.GeoDataFrame]:
    """Every layer of :data:`LAYERS`, in EPSG:4326 with neutralised text.

    ``stations`` and ``roster`` are the tables of :mod:`deploy_opt.export.tables`
    (rows of ``stations`` in the order of ``data.station_ids``).
    """
    places = Places(scenario, data)
    team_ids = team_labels(data, result)
    layers = {
        "tps": _tps(data, result, stations, places, team_ids),
        "groups": _groups(data, result, places),
        "bases": _bases(data, result, places),
        "medical_teams": _teams(data, result, places, team_ids),
        "team_areas": _team_areas(data, result, places, team_ids),
        "assignments": _assignments(data, result, places),
    }
    return {name: _neutralised(frame) for name, frame in layers.items()}


def team_labels(data: ProblemData, result: Result) -> list[str]:
    """Id of each team (``<base>/TEAM-nn``, as in ``roster.csv``), by team index."""
    teams = result.teams
    if teams is None:
        return []
    labels: list[str] = []
    seen: dict[int, int] = {}
    for base in teams.sites.tolist():
        seen[base] = seen.get(base, 0) + 1
        labels.append(f"{safe_text(data.base_ids[base])}/TEAM-{seen[base]:02d}")
    return labels


def geojson_files(
    scenario: Scenario,
    data: ProblemData,
    result: Result,
    stations: pd.DataFrame,
    roster: pd.DataFrame,
    summary: dict[str, Any],
    lang: str,
) -> dict[str, bytes]:
    """``layers/<layer>.geojson`` for every layer (RFC 7946, lon/lat)."""
    layers = plan_layers(scenario, data, result, stations, roster)
    out: dict[str, bytes] = {}
    with tempfile.TemporaryDirectory(prefix="deploy_opt-geojson-") as tmp:
        for name, frame in layers.items():
            path = Path(tmp) / f"{name}.geojson"
            pyogrio.write_dataframe(
                frame,
                path,
                layer=name,
                driver="GeoJSON",
                geometry_type=LAYERS[name],
                RFC7946="YES",
                COORDINATE_PRECISION=COORDINATE_DECIMALS,
                WRITE_NAME="YES",
            )
            out[f"layers/{name}.geojson"] = path.read_bytes()
    return out


def gpkg_files(
    scenario: Scenario,
    data: ProblemData,
    result: Result,
    stations: pd.DataFrame,
    roster: pd.DataFrame,
    summary: dict[str, Any],
    lang: str,
) -> dict[str, bytes]:
    """``plan.gpkg`` holding every layer (the same plan gives the same bytes)."""
    layers = plan_layers(scenario, data, result, stations, roster)
    with tempfile.TemporaryDirectory(prefix="deploy_opt-gpkg-") as tmp:
        path = Path(tmp) / "plan.gpkg"
        # GDAL stamps the file with the current time unless told a date
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": _GPKG_DATE})
        try:
            for name, frame in layers.items():
                pyogrio.write_dataframe(
                    frame,
                    path,
                    layer=name,
                    driver="GPKG",
                    geometry_type=LAYERS[name],
                    append=path.exists(),
                    SPATIAL_INDEX="YES",
                )
        finally:
            pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": None})
        return {"plan.gpkg": path.read_bytes()}


class Places:
    """Coordinates of stations and bases: lon/lat and metres (projected CRS).

    Rows follow ``data.station_ids`` and ``data.base_ids``.
    """

    def __init__(self, scenario: Scenario, data: ProblemData) -> None:
        stations = scenario.stations.set_index("id").loc[list(data.station_ids)]
        bases = scenario.bases.set_index("id").loc[list(data.base_ids)]
        self.crs = scenario.projected_crs
        self.station_lonlat = stations[["lon", "lat"]].to_numpy(np.float64)
        self.station_xy = stations[["x", "y"]].to_numpy(np.float64)
        self.base_lonlat = bases[["lon", "lat"]].to_numpy(np.float64)
        self.base_xy = bases[["x", "y"]].to_numpy(np.float64)

    def group_centres(self, grouping: Grouping) -> np.ndarray:
        """The mean position (metres) of each group's stations, one row a group."""
        return np.array(
            [self.station_xy[m].mean(axis=0) for m in grouping.members]
        ).reshape(-1, 2)

    def station_points(self) -> np.ndarray:
        """A point (lon/lat) per station."""
        return np.asarray(shapely.points(self.station_lonlat), dtype=object)

    def base_points(self, indices: np.ndarray) -> np.ndarray:
        """A point (lon/lat) per base of ``indices``."""
        return np.asarray(shapely.points(self.base_lonlat[indices]), dtype=object)

    def areas(self, point_sets: list[np.ndarray], quad_segs: int = 4) -> gpd.GeoSeries:
        """Buffered convex hull of each set of (x, y) metres, in EPSG:4326.

        ``quad_segs`` segments draw each quarter circle of the buffer.
        """
        hulls = np.empty(len(point_sets), dtype=object)
        for k, xy in enumerate(point_sets):
            hulls[k] = shapely.buffer(
                shapely.convex_hull(shapely.multipoints(xy)),
                GROUP_BUFFER_M,
                quad_segs=quad_segs,
            )
        return gpd.GeoSeries(hulls, crs=self.crs).to_crs(WGS84)

    def lines(self, starts: np.ndarray, ends: np.ndarray) -> gpd.GeoSeries:
        """Straight lines between (x, y) metres, in EPSG:4326."""
        pairs = np.stack([starts, ends], axis=1)
        return gpd.GeoSeries(shapely.linestrings(pairs), crs=self.crs).to_crs(WGS84)


def _tps(
    data: ProblemData,
    result: Result,
    stations: pd.DataFrame,
    places: Places,
    team_ids: list[str],
) -> gpd.GeoDataFrame:
    frame = stations.reset_index(drop=True).copy()
    teams = result.teams
    frame["team_id"] = (
        [team_ids[k] if k >= 0 else "" for k in teams.station_team_no.tolist()]
        if teams is not None
        else [""] * data.n_stations
    )
    frame["covered"] = frame["covered"].astype(bool)
    return gpd.GeoDataFrame(frame, geometry=places.station_points(), crs=WGS84)


def _persons_by_group(result: Result, agency: str, n_groups: int) -> np.ndarray:
    alloc = result.allocations.get(agency)
    if alloc is None or len(alloc.group) == 0:
        return np.zeros(n_groups, dtype=np.int64)
    return np.bincount(alloc.group, weights=alloc.count, minlength=n_groups).astype(
        np.int64
    )


def _groups(data: ProblemData, result: Result, places: Places) -> gpd.GeoDataFrame:
    grouping = result.grouping
    covered = _station_covered(data, result)
    rules = [
        data.categories[c].ladder[int(r)]
        for c, r in zip(grouping.group_category, grouping.rungs, strict=True)
    ]
    police = _persons_by_group(result, "polri", grouping.n_groups)
    tni = _persons_by_group(result, "tni", grouping.n_groups)
    columns = {
        "group_id": list(result.group_ids),
        "category": [data.categories[c].name for c in grouping.group_category],
        "kecamatan": [data.kecamatan_names[k] for k in grouping.group_kecamatan],
        "rule": [rule.text for rule in rules],
        "tps": [len(m) for m in grouping.members],
        "station_ids": [
            ";".join(data.station_ids[i] for i in m) for m in grouping.members
        ],
        "police_needed": [rule.police for rule in rules],
        "police": police,
        "tni_needed": [rule.tni for rule in rules],
        "tni": tni,
        "covered_tps": [int(covered[m].sum()) for m in grouping.members],
    }
    geometry = places.areas([places.station_xy[m] for m in grouping.members])
    return gpd.GeoDataFrame(columns, geometry=geometry.to_numpy(), crs=WGS84)


def group_arcs(result: Result) -> Iterator[tuple[str, int, int, int, int]]:
    """``(agency, base, group, persons, travel_s)`` of every police and TNI arc."""
    for agency in GROUP_AGENCIES:
        alloc = result.allocations.get(agency)
        if alloc is None:
            continue
        yield from (
            (agency, b, g, count, travel)
            for b, g, count, travel in zip(
                alloc.base.tolist(),
                alloc.group.tolist(),
                alloc.count.tolist(),
                alloc.travel_s.tolist(),
                strict=True,
            )
        )


def _station_covered(data: ProblemData, result: Result) -> np.ndarray:
    """Police, TNI and Linmas all meet the TPS's rule (as the checker counts it)."""
    grouping = result.grouping
    ok = np.ones(data.n_stations, dtype=bool)
    for agency in GROUP_AGENCIES:
        alloc = result.allocations.get(agency)
        if alloc is not None:
            ok &= np.asarray(alloc.covered, dtype=bool)[grouping.station_group]
    return ok & np.asarray(result.linmas.covered, dtype=bool)


def assigned_persons(data: ProblemData, result: Result) -> dict[str, np.ndarray]:
    """Persons of each agency sent out from each base (medis: team members)."""
    m = data.n_bases
    out: dict[str, np.ndarray] = {}
    for agency in GROUP_AGENCIES:
        alloc = result.allocations.get(agency)
        out[agency] = (
            np.zeros(m, dtype=np.int64)
            if alloc is None or len(alloc.base) == 0
            else np.bincount(alloc.base, weights=alloc.count, minlength=m).astype(
                np.int64
            )
        )
    linmas = result.linmas
    out["linmas"] = (
        np.bincount(linmas.base, weights=linmas.count, minlength=m).astype(np.int64)
        if len(linmas.base)
        else np.zeros(m, dtype=np.int64)
    )
    teams = result.teams
    out["medis"] = (
        np.bincount(teams.sites, minlength=m).astype(np.int64) * teams.team_size
        if teams is not None and len(teams.sites)
        else np.zeros(m, dtype=np.int64)
    )
    return out


def _bases(data: ProblemData, result: Result, places: Places) -> gpd.GeoDataFrame:
    assigned = assigned_persons(data, result)
    teams = result.teams
    columns: dict[str, Any] = {
        "base_id": list(data.base_ids),
        "name": list(data.base_names),
        "kind": list(data.base_kinds),
    }
    for agency in AGENCIES:
        headcount = data.headcount[agency]
        columns[f"{agency}_headcount"] = headcount
        columns[f"{agency}_assigned"] = assigned[agency]
        columns[f"{agency}_reserve"] = np.maximum(headcount - assigned[agency], 0)
    columns["teams"] = (
        np.bincount(teams.sites, minlength=data.n_bases)
        if teams is not None and len(teams.sites)
        else np.zeros(data.n_bases, dtype=np.int64)
    )
    geometry = places.base_points(np.arange(data.n_bases))
    return gpd.GeoDataFrame(columns, geometry=geometry, crs=WGS84)


def _team_served(result: Result) -> list[np.ndarray]:
    teams = result.teams
    if teams is None:
        return []
    return [np.flatnonzero(teams.station_team_no == k) for k in range(teams.placed)]


def _teams(
    data: ProblemData, result: Result, places: Places, team_ids: list[str]
) -> gpd.GeoDataFrame:
    teams = result.teams
    sites = np.zeros(0, dtype=np.int64) if teams is None else teams.sites
    served = _team_served(result)
    travel = np.zeros(0) if teams is None else teams.travel_s
    columns = {
        "team_id": team_ids,
        "base_id": [data.base_ids[b] for b in sites],
        "name": [data.base_names[b] for b in sites],
        "kind": [data.base_kinds[b] for b in sites],
        "team_size": [0 if teams is None else teams.team_size] * len(sites),
        "tps_served": [len(s) for s in served],
        "max_minutes": [
            round(float(travel[s].max()) / 60, 1) if len(s) else np.nan for s in served
        ],
        "station_ids": [";".join(data.station_ids[i] for i in s) for s in served],
    }
    return _layer(columns, places.base_points(sites), "Point")


def _team_areas(
    data: ProblemData, result: Result, places: Places, team_ids: list[str]
) -> gpd.GeoDataFrame:
    teams = result.teams
    served = _team_served(result)
    if teams is None or not served:
        return _layer({"team_id": [], "tps_served": []}, [], "Polygon")
    point_sets = [
        np.vstack([places.base_xy[[b]], places.station_xy[s]])
        for b, s in zip(teams.sites.tolist(), served, strict=True)
    ]
    columns = {"team_id": team_ids, "tps_served": [len(s) for s in served]}
    return _layer(columns, places.areas(point_sets).to_numpy(), "Polygon")


def _assignments(data: ProblemData, result: Result, places: Places) -> gpd.GeoDataFrame:
    centres = places.group_centres(result.grouping)
    rows: dict[str, list[Any]] = {
        "base_id": [],
        "agency": [],
        "group_id": [],
        "station_id": [],
        "persons": [],
        "travel_minutes": [],
    }
    starts: list[np.ndarray] = []
    ends: list[np.ndarray] = []
    for agency, b, g, count, travel in group_arcs(result):
        rows["base_id"].append(data.base_ids[b])
        rows["agency"].append(agency)
        rows["group_id"].append(result.group_ids[g])
        rows["station_id"].append("")
        rows["persons"].append(count)
        rows["travel_minutes"].append(round(travel / 60, 1))
        starts.append(places.base_xy[b])
        ends.append(centres[g])
    linmas = result.linmas
    for b, i, count, travel in zip(
        linmas.base.tolist(),
        linmas.station.tolist(),
        linmas.count.tolist(),
        linmas.travel_s.tolist(),
        strict=True,
    ):
        rows["base_id"].append(data.base_ids[b])
        rows["agency"].append("linmas")
        rows["group_id"].append(result.group_ids[result.grouping.station_group[i]])
        rows["station_id"].append(data.station_ids[i])
        rows["persons"].append(count)
        rows["travel_minutes"].append(round(travel / 60, 1))
        starts.append(places.base_xy[b])
        ends.append(places.station_xy[i])
    if not starts:
        return _layer(rows, [], "LineString")
    geometry = places.lines(np.array(starts), np.array(ends))
    return _layer(rows, geometry.to_numpy(), "LineString")


def _layer(
    columns: dict[str, Any], geometry: Any, geometry_type: str
) -> gpd.GeoDataFrame:
    """A layer frame, also when it has no rows."""
    return gpd.GeoDataFrame(
        pd.DataFrame(columns),
        geometry=gpd.GeoSeries(list(geometry), crs=WGS84),
        crs=WGS84,
    )


def _neutralised(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Text cells through ``safe_text``; coordinates rounded to the written precision."""
    out = frame.copy()
    for column in out.columns:
        if column == out.geometry.name:
            continue
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(
                lambda v: safe_text(v) if isinstance(v, str) else v
            )
    geoms = shapely.transform(
        out.geometry.to_numpy(), lambda xy: np.round(xy, COORDINATE_DECIMALS)
    )
    return out.set_geometry(gpd.GeoSeries(geoms, index=out.index, crs=WGS84))
