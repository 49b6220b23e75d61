"""Helpers shared by the sample-district builders (deterministic given an RNG)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

METRIC_CRS = "EPSG:32748"  # UTM 48S, metres
SYNTHETIC_BASE = "synthetic: placed inside the real polygon of its area"


def largest_remainder(total: int, shares: np.ndarray) -> np.ndarray:
    """Split ``total`` in proportion to ``shares`` into integers that sum to it."""
    exact = total * shares / shares.sum()
    base = np.floor(exact).astype(int)
    order = np.lexsort((np.arange(len(shares)), -(exact - base)))
    base[order[: total - base.sum()]] += 1
    return base


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
