"""Tiny hand-made road networks for the travel tests.

Networks are written as real GeoJSON files in UTM 48S (EPSG:32748) metres, so
lengths and therefore travel times are known exactly: 1,000 m of
``residential`` road by car (15 km/h) takes 240 s.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pyproj import Transformer

from deploy_opt.travel.matrix import Points

UTM = "EPSG:32748"
# a point in Jakarta Barat, so that the test networks sit in their real UTM zone
X0, Y0 = 690_000.0, 9_318_000.0

_TO_LONLAT = Transformer.from_crs(UTM, "EPSG:4326", always_xy=True)

Road = dict[str, Any]  # {"coords": [(x, y), ...], "highway": ..., "oneway": ...}


def write_geojson(path: Path, roads: Sequence[Road], crs: str = UTM) -> Path:
    """Write ``roads`` (coordinates relative to X0, Y0) as a GeoJSON file."""
    features = []
    for i, road in enumerate(roads):
        coords = [[X0 + x, Y0 + y] for x, y in road["coords"]]
        props = {k: v for k, v in road.items() if k != "coords"}
        props.setdefault("seg_id", i)
        props.setdefault("highway", "residential")
        geometry = {"type": "LineString", "coordinates": coords}
        if road.get("multi"):
            props.pop("multi")
            geometry = {"type": "MultiLineString", "coordinates": road["multi"]}
        features.append({"type": "Feature", "properties": props, "geometry": geometry})
    doc = {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": crs}},
        "features": features,
    }
    path.write_text(json.dumps(doc))
    return path


def make_points(xy: Sequence[tuple[float, float]], prefix: str = "p") -> Points:
    """Points at ``xy`` metres relative to (X0, Y0), with their true lon/lat."""
    arr = np.asarray(xy, dtype=np.float64).reshape(-1, 2)
    x = X0 + arr[:, 0]
    y = Y0 + arr[:, 1]
    lon, lat = _TO_LONLAT.transform(x, y)
    return Points(
        tuple(f"{prefix}{i}" for i in range(len(arr))),
        x,
        y,
        np.asarray(lon, dtype=np.float64),
        np.asarray(lat, dtype=np.float64),
    )


@pytest.fixture
def roads_file(tmp_path: Path) -> Callable[..., Path]:
    """Factory: ``roads_file(roads, name="roads.geojson")`` -> written path."""

    def write(roads: Sequence[Road], name: str = "roads.geojson") -> Path:
        return write_geojson(tmp_path / name, roads)

    return write


@pytest.fixture
def points() -> Callable[..., Points]:
    """Factory: ``points([(x, y), ...], prefix)`` relative to the test origin."""
    return make_points
