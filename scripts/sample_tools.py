"""Helpers shared by the sample-district builders (deterministic given an RNG)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

METRIC_CRS = "EPSG:32748"  # UTM 48S, metres
SYNTHETIC_BASE = "synthetic: placed inside the real polygon of its area"


def random_points(
    polygon: shapely.Geometry, count: int, rng: np.random.Generator
) -> np.ndarray:
    """``count`` uniform random points inside ``polygon`` (rejection sampling)."""
    minx, miny, maxx, maxy = polygon.bounds
    shapely.prepare(polygon)
    found: list[np.ndarray] = []
    have = 0
    while have < count:
        xy = rng.uniform((minx, miny), (maxx, maxy), size=(max(64, 4 * count), 2))
        inside = xy[shapely.contains_xy(polygon, xy[:, 0], xy[:, 1])]
        found.append(inside)
        have += len(inside)
    return np.concatenate(found)[:count]


def interior_point(
    polygon: shapely.Geometry, rng: np.random.Generator
) -> tuple[float, float]:
    """A point well inside ``polygon``: a random point of its 300 m inner buffer."""
    inner = polygon.buffer(-300)
    area = inner if not inner.is_empty else polygon
    x, y = random_points(area, 1, rng)[0]
    return float(x), float(y)


def to_lonlat(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Metres in :data:`METRIC_CRS` to rounded WGS84 lon/lat."""
    points = gpd.GeoSeries(gpd.points_from_xy(x, y), crs=METRIC_CRS).to_crs("EPSG:4326")
    return np.round(points.x.to_numpy(), 6), np.round(points.y.to_numpy(), 6)


def place_tps(
    areas: pd.DataFrame, area_column: str, rng: np.random.Generator, special_kind: str
) -> pd.DataFrame:
    """TPS of each kelurahan at random points inside its polygon, in row order.

    ``areas`` has ``kode``, ``nama``, ``geometry`` (metres), ``tps_regular``,
    ``tps_special_9xx`` and ``tps_special_range``; TPS 901+ of a kelurahan share
    one interior point (the institution). Returns ``kode, kelurahan, area,
    number, x, y, kind, tps_id`` with ``area`` copied from ``area_column``.
    """
    rows = []
    for k in areas.itertuples():
        area = getattr(k, area_column)
        regular = random_points(k.geometry, int(k.tps_regular), rng)
        rows += [
            (k.kode, k.nama, area, n, x, y, "")
            for n, (x, y) in enumerate(regular, start=1)
        ]
        if k.tps_special_9xx:
            x, y = interior_point(k.geometry, rng)
            first = int(str(k.tps_special_range).split("-")[0])
            rows += [
                (k.kode, k.nama, area, first + i, x, y, special_kind)
                for i in range(int(k.tps_special_9xx))
            ]
    tps = pd.DataFrame(
        rows, columns=["kode", "kelurahan", "area", "number", "x", "y", "kind"]
    )
    tps["tps_id"] = (
        tps["kode"].str.replace(".", "", regex=False)
        + "-"
        + tps["number"].map("{:03d}".format)
    )
    return tps


def write_tps(tps: pd.DataFrame, path: Path, coord_source: str) -> None:
    """Write the TPS table sorted by id, with WGS84 coordinates."""
    tps = tps.copy()
    tps["lon"], tps["lat"] = to_lonlat(tps["x"].to_numpy(), tps["y"].to_numpy())
    tps["coord_source"] = coord_source
    tps = tps.sort_values("tps_id").reset_index(drop=True)
    columns = [
        "tps_id",
        "kelurahan",
        "kecamatan",
        "category",
        "kind",
        "lon",
        "lat",
        "coord_source",
    ]
    tps[columns].to_csv(path, index=False, lineterminator="\n")


def write_bases(
    rows: list[dict[str, object]], path: Path, agencies: tuple[str, ...]
) -> None:
    """Write the bases table (metres -> WGS84) with a headcount column per agency."""
    bases = pd.DataFrame(rows)
    bases["lon"], bases["lat"] = to_lonlat(bases["x"].to_numpy(), bases["y"].to_numpy())
    columns = [
        "base_id",
        "name",
        "kind",
        "lon",
        "lat",
        "kecamatan",
        "kelurahan",
        "jurisdiction",
        *agencies,
        "coord_source",
    ]
    bases[columns].to_csv(path, index=False, lineterminator="\n")
