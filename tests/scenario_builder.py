"""Write tiny scenarios whose answers can be computed by hand (used by tests)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import yaml

#: Origin of the tiny scenarios, in metres of UTM 48S (EPSG:32748).
X0, Y0 = 690_000.0, 9_320_000.0

STATION_HEADER = ["id", "x", "y", "kelurahan", "kecamatan", "category", "kind"]
BASE_HEADER = [
    "id",
    "name",
    "kind",
    "x",
    "y",
    "kecamatan",
    "kelurahan",
    "jurisdiction",
    "polri",
    "tni",
    "linmas",
    "medis",
]


def default_categories() -> dict[str, Any]:
    """Two classes with small numbers that are easy to check by hand."""
    return {
        "rawan": {"weight": 100, "police": 2, "tps": 1, "linmas": 2, "tni": 0},
        "kurang_rawan": {
            "weight": 1,
            "police": 2,
            "tps": 2,
            "linmas": 2,
            "tni": 0,
            "max_group_minutes": 10,
        },
    }


def write_scenario(
    folder: Path,
    stations: list[dict[str, Any]],
    bases: list[dict[str, Any]],
    *,
    categories: dict[str, Any] | None = None,
    limits: dict[str, float | None] | None = None,
    extra: dict[str, Any] | None = None,
) -> Path:
    """Write a scenario whose coordinates are metres from (X0, Y0).

    Travel is straight line, detour 1.0, every agency at 36 km/h (10 m/s), so a
    trip of d metres takes ceil(d / 10) seconds.
    """
    folder.mkdir(parents=True, exist_ok=True)
    # optional station columns (e.g. ``host``) follow the standard ones
    optional = sorted({key for s in stations for key in s} - set(STATION_HEADER))
    with (folder / "tps.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, STATION_HEADER + optional)
        writer.writeheader()
        for s in stations:
            row = {
                "kelurahan": "Kel A",
                "kecamatan": "Kec A",
                "category": "kurang_rawan",
                "kind": "",
                **s,
            }
            row["x"], row["y"] = X0 + s["x"], Y0 + s["y"]
            writer.writerow(row)
    with (folder / "bases.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, BASE_HEADER)
        writer.writeheader()
        for b in bases:
            row = {
                "name": b["id"],
                "kecamatan": "",
                "kelurahan": "",
                "jurisdiction": "",
                "polri": 0,
                "tni": 0,
                "linmas": 0,
                "medis": 0,
                **b,
            }
            row["x"], row["y"] = X0 + b["x"], Y0 + b["y"]
            writer.writerow(row)
    limits = {"polri": 30, "tni": 30, "linmas": None, "medis": 30} | (limits or {})
    spec: dict[str, Any] = {
        "schema_version": 1,
        "name": "tiny",
        "crs": "EPSG:32748",
        "projected_crs": "EPSG:32748",
        "stations": {"file": "tps.csv", "columns": {"lon": "x", "lat": "y"}},
        "categories": categories or default_categories(),
        "bases": [{"file": "bases.csv", "columns": {"lon": "x", "lat": "y"}}],
        "travel": {
            "detour_factor": 1.0,
            "agencies": {
                agency: {
                    "speed_kmh": 36,
                    **({"max_minutes": limit} if limit is not None else {}),
                }
                for agency, limit in limits.items()
            },
        },
        "solver": {"time_limit_s": 10, "seed": 0},
    }
    spec.update(extra or {})
    path = folder / "scenario.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return path
