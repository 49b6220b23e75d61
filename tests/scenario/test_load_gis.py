"""Stations and bases from GIS files (GeoPackage, GeoJSON), not only CSV."""

from __future__ import annotations

import shutil
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from deploy_opt import load_scenario

INVALID = Path(__file__).resolve().parents[1] / "data" / "invalid"


@pytest.mark.parametrize(
    ("suffix", "driver"), [(".gpkg", "GPKG"), (".geojson", "GeoJSON")]
)
def test_stations_from_a_gis_layer_match_the_csv(tmp_path, suffix, driver):
    shutil.copytree(INVALID / "common", tmp_path / "common")
    table = pd.read_csv(
        INVALID / "common" / "tps.csv", dtype=str, keep_default_na=False
    )
    layer = gpd.GeoDataFrame(
        table.drop(columns=["lon", "lat"]).rename(columns={"tps_id": "nomor_tps"}),
        geometry=gpd.points_from_xy(
            table["lon"].astype(float), table["lat"].astype(float)
        ),
        crs="EPSG:4326",
    ).to_crs("EPSG:32748")  # a projected file: the loader reprojects it
    layer.to_file(tmp_path / "common" / f"tps{suffix}", driver=driver)
    text = (INVALID / "_valid.yaml").read_text()
    text = text.replace(
        "file: common/tps.csv\n  columns: {id: tps_id}",
        f"file: common/tps{suffix}\n  columns: {{id: nomor_tps}}",
    )
    (tmp_path / "scenario.yaml").write_text(text)
    from_gis = load_scenario(tmp_path / "scenario.yaml").stations
    from_csv = load_scenario(INVALID / "_valid.yaml").stations
    assert list(from_gis["id"]) == list(from_csv["id"])
    assert list(from_gis["category"]) == list(from_csv["category"])
    np.testing.assert_allclose(from_gis["lon"], from_csv["lon"], atol=1e-7)
    np.testing.assert_allclose(from_gis["lat"], from_csv["lat"], atol=1e-7)
