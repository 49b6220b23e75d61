"""Write generated districts (scenario.yaml + data/*.csv), region.yaml and the marker.

Files are written one district at a time into a folder that the caller stages
(see :func:`deploy_opt.export.atomic.staged_directory`); nothing here holds
more than one district in memory. Bytes depend only on the inputs: no
timestamps, no set or dict iteration order.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from deploy_opt.generate.bases import BASE_COLUMNS
from deploy_opt.generate.district import (
    STATION_COLUMNS,
    DistrictSpec,
    build_district,
    scenario_document,
)
from deploy_opt.generate.rules import CATEGORY_ORDER

MARKER = "generate.json"
"""Marks a folder as `deploy-opt generate` output (safe to replace with --overwrite)."""
SCENARIO_HEADER = (
    "# SYNTHETIC scenario written by `deploy-opt generate` (docs/generate.md).\n"
    "# TPS, bases and names are invented; ratios follow published figures.\n"
)
REGION_HEADER = (
    "# deploy-opt region, written by `deploy-opt generate` (docs/generate.md).\n"
    "# One district scenario per Polres: <folder>/scenario.yaml.\n"
)


def dump_yaml(document: dict[str, Any]) -> str:
    """YAML text with keys in the given order."""
    return yaml.safe_dump(
        document,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=88,
    )


def write_district(spec: DistrictSpec, folder: Path) -> dict[str, int]:
    """Generate ``spec`` and write it into ``folder``; return its counts."""
    tables = build_district(spec)
    data = folder / "data"
    data.mkdir(parents=True, exist_ok=True)
    tables.stations.loc[:, list(STATION_COLUMNS)].to_csv(
        data / "tps.csv", index=False, lineterminator="\n"
    )
    tables.bases.loc[:, list(BASE_COLUMNS)].to_csv(
        data / "bases.csv", index=False, lineterminator="\n"
    )
    (folder / "scenario.yaml").write_text(
        SCENARIO_HEADER + dump_yaml(scenario_document(spec)), encoding="utf-8"
    )
    return {
        "stations": len(tables.stations),
        "kecamatan": int(tables.stations["kecamatan"].nunique()),
        "bases": len(tables.bases),
    }


def region_entry(spec: DistrictSpec) -> dict[str, Any]:
    """One district's line in region.yaml."""
    return {
        "name": spec.name,
        "folder": spec.folder,
        "polda": spec.polda,
        "province": spec.province,
        "area": spec.area,
        "stations": spec.stations,
        "categories": {k: spec.categories.get(k, 0) for k in CATEGORY_ORDER},
        "seed": spec.seed,
    }


def write_region(
    root: Path, header: dict[str, Any], districts: list[dict[str, Any]]
) -> None:
    """Write ``root/region.yaml``: ``header`` keys, then the district list."""
    document = {**header, "districts": districts}
    (root / "region.yaml").write_text(
        REGION_HEADER + dump_yaml(document), encoding="utf-8"
    )


def write_marker(root: Path, info: dict[str, Any]) -> None:
    """Write the marker file that lets ``--overwrite`` replace this output."""
    content = {"tool": "deploy_opt", "command": "generate", **info}
    (root / MARKER).write_text(
        json.dumps(content, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
