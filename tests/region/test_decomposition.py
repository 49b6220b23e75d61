"""Two Polres that share no bases: solved as a region or as one merged scenario,
the plan is the same (coverage, every TPS's staff and every person's post)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from deploy_opt.pipeline import run
from deploy_opt.region import run_region

#: Jakarta Pusat and Kepulauan Seribu: about 50 km apart, while no base reaches
#: a TPS farther than 30 min at 25 km/h with detour 1.4 (under 9 km).
PAIR = ("3171-polres-metro-jakarta-pusat", "3101-polres-kepulauan-seribu")
SEED = 7


def read_yaml(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def write_yaml(path: Path, document: dict) -> None:
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")


@pytest.fixture
def two_polres(generated_region: Path, tmp_path: Path) -> tuple[Path, Path]:
    """(region.yaml of the pair, one scenario holding both), same seed everywhere."""
    root = tmp_path / "region"
    districts = []
    for folder in PAIR:
        shutil.copytree(generated_region / folder, root / folder)
        scenario = read_yaml(root / folder / "scenario.yaml")
        scenario["solver"]["seed"] = SEED
        write_yaml(root / folder / "scenario.yaml", scenario)
        districts.append({"name": scenario["name"], "folder": folder})
    region = root / "region.yaml"
    write_yaml(region, {"region_version": 1, "name": "pair", "districts": districts})

    merged = tmp_path / "merged"
    (merged / "data").mkdir(parents=True)
    first, second = (read_yaml(root / f / "scenario.yaml") for f in PAIR)
    first["name"] = "pair as one scenario"
    first["medical_teams"]["teams"] += second["medical_teams"]["teams"]
    write_yaml(merged / "scenario.yaml", first)
    for table in ("tps.csv", "bases.csv"):
        frames = [
            pd.read_csv(root / f / "data" / table, dtype=str, keep_default_na=False)
            for f in PAIR
        ]
        pd.concat(frames).to_csv(
            merged / "data" / table, index=False, lineterminator="\n"
        )
    return region, merged / "scenario.yaml"


def test_pair_shares_nothing(two_polres: tuple[Path, Path]) -> None:
    """The premise: distinct places and ids, and no base within reach of the other Polres."""
    region, _ = two_polres
    tps = [pd.read_csv(region.parent / f / "data" / "tps.csv") for f in PAIR]
    bases = [pd.read_csv(region.parent / f / "data" / "bases.csv") for f in PAIR]
    for column in ("kecamatan", "kelurahan", "tps_id"):
        assert not set(tps[0][column]) & set(tps[1][column])
    assert not set(bases[0]["base_id"]) & set(bases[1]["base_id"])
    for own, other in ((0, 1), (1, 0)):
        km = 111 * np.hypot(
            bases[own]["lon"].to_numpy()[:, None]
            - tps[other]["lon"].to_numpy()[None, :],
            bases[own]["lat"].to_numpy()[:, None]
            - tps[other]["lat"].to_numpy()[None, :],
        )
        assert km.min() > 20


def _strip(frame: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    """A region table in the form of a single scenario's: no district, no prefixes."""
    out = frame.drop(columns="district")
    for column in columns:
        prefix = frame["district"] + "/"
        out[column] = [
            value.removeprefix(p) if isinstance(value, str) else value
            for value, p in zip(frame[column], prefix, strict=True)
        ]
    return out


def test_decomposed_plan_equals_the_single_scenario_plan(
    two_polres: tuple[Path, Path], tmp_path: Path
) -> None:
    region, merged = two_polres
    as_region = run_region(region, tmp_path / "as-region", reproducible=True)
    as_one = run(merged, tmp_path / "as-one", reproducible=True)

    def table(folder: str, name: str) -> pd.DataFrame:
        return pd.read_csv(tmp_path / folder / name, dtype=str, keep_default_na=False)

    stations = _strip(table("as-region", "stations.csv"), ("group_id",))
    roster = _strip(table("as-region", "roster.csv"), ("person_id", "group_id"))
    by_station = ["station_id"]
    pd.testing.assert_frame_equal(
        stations.sort_values(by_station).reset_index(drop=True),
        table("as-one", "stations.csv").sort_values(by_station).reset_index(drop=True),
    )
    by_person = ["person_id"]
    pd.testing.assert_frame_equal(
        roster.sort_values(by_person).reset_index(drop=True),
        table("as-one", "roster.csv").sort_values(by_person).reset_index(drop=True),
    )
    region_coverage = as_region.summary["coverage_by_category"]
    for category, cov in as_one.summary["coverage_by_category"].items():
        assert region_coverage[category]["covered"] == cov["covered"]
        assert region_coverage[category]["stations"] == cov["stations"]
    personnel = as_region.summary["counts"]["personnel"]
    for agency, counts in as_one.summary["counts"]["personnel"].items():
        assert personnel[agency]["assigned"] == counts["assigned"]
