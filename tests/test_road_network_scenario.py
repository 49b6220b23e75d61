"""A scenario on a road network end to end: model wiring, speeds, profile, warnings."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import yaml

from deploy_opt import run

ROADS = (
    Path(__file__).resolve().parent
    / "data"
    / "roads"
    / "jakarta_palmerah_osm_2012.geojson"
)


def write(
    folder: Path,
    network_extra: dict | None = None,
    medis_speeds: dict | None = None,
    profile: Path | None = None,
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROADS, folder / "roads.geojson")
    if profile is not None:
        shutil.copy(profile, folder / profile.name)
    (folder / "tps.csv").write_text(
        "id,lon,lat,kelurahan,kecamatan,category\n"
        "A,106.7950,-6.1900,Palmerah,Palmerah,kurang_rawan\n"
        "B,106.7990,-6.1880,Palmerah,Palmerah,kurang_rawan\n"
        "C,106.8030,-6.1860,Palmerah,Palmerah,kurang_rawan\n"
        "FAR,106.8300,-6.2300,Palmerah,Palmerah,kurang_rawan\n"
    )
    (folder / "bases.csv").write_text(
        "id,name,kind,lon,lat,kecamatan,kelurahan,polri,linmas\n"
        "PS,Polsek Palmerah,polsek,106.7970,-6.1920,Palmerah,,4,0\n"
        "KEL,Linmas Palmerah,kelurahan,106.7980,-6.1890,Palmerah,Palmerah,0,8\n"
        "PKM,Puskesmas Palmerah,puskesmas,106.8000,-6.1870,Palmerah,Palmerah,0,0\n"
    )
    travel = {
        "model": "road_network",
        "network": {
            "file": "roads.geojson",
            "cache_dir": "cache",
            **(network_extra or {}),
        },
        "agencies": {
            "polri": {"mode": "motorbike", "max_minutes": 60},
            "tni": {"mode": "motorbike", "max_minutes": 60},
            "linmas": {"mode": "walk"},
            "medis": {
                "mode": "ambulance",
                "max_minutes": 30,
                "speeds": medis_speeds or {},
            },
        },
    }
    spec = {
        "name": "road network tiny",
        "stations": {"file": "tps.csv"},
        "categories": {
            "kurang_rawan": {
                "weight": 1,
                "police": 2,
                "tps": 2,
                "linmas": 2,
                "max_group_minutes": 30,
            }
        },
        "bases": [{"file": "bases.csv"}],
        "travel": travel,
    }
    path = folder / "scenario.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False))
    return path


def test_road_network_scenario_solves_and_reports_off_road_points(tmp_path):
    outcome = run(write(tmp_path / "s"), tmp_path / "out")
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["travel_model"] == "road_network"
    assert summary["check"]["passed"]
    # FAR lies kilometres from the extract's roads: reported, not hidden
    assert any("farther than 250 m from any road" in w for w in summary["warnings"])
    assert outcome.data.travel["polri"].model == "road_network"


def _medical_seconds(folder: Path, **options: object) -> np.ndarray:
    return run(write(folder, **options)).data.travel["medis"].dense()


def test_class_speed_override_and_flood_profile_change_times(tmp_path):
    base = _medical_seconds(tmp_path / "base", medis_speeds={})
    faster = _medical_seconds(
        tmp_path / "faster", medis_speeds={"residential": 60, "secondary": 60}
    )
    assert (faster <= base).all() and (faster < base).any()
    flood = tmp_path / "flood.geojson"
    flood.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"speed_factor": 0.25},
                        "geometry": {
                            "type": "Polygon",
                            "coordinates": [
                                [
                                    [106.79, -6.20],
                                    [106.81, -6.20],
                                    [106.81, -6.18],
                                    [106.79, -6.18],
                                    [106.79, -6.20],
                                ]
                            ],
                        },
                    }
                ],
            }
        )
    )
    flooded = _medical_seconds(
        tmp_path / "flooded",
        medis_speeds={},
        network_extra={"profile": "flood.geojson"},
        profile=flood,
    )
    assert (flooded >= base).all() and (flooded > base).any()
