"""A region run: district folders, merged tables in region order, merged summary."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner
from region_helpers import FOLDERS, region_document, tree_bytes

from deploy_opt.cli import cli
from deploy_opt.errors import OutputExistsError, ScenarioError
from deploy_opt.pipeline import run
from deploy_opt.region import district_seed, run_region


def district_summaries(out: Path) -> list[dict]:
    return [
        json.loads((out / f / "summary.json").read_text(encoding="utf-8"))
        for f in FOLDERS
    ]


def test_layout_and_merged_tables(serial_run: Path) -> None:
    names = {p.name for p in serial_run.iterdir()}
    assert names == {*FOLDERS, "stations.csv", "roster.csv", "summary.json"}
    for name in ("stations.csv", "roster.csv"):
        merged = pd.read_csv(serial_run / name, dtype=str, keep_default_na=False)
        parts = [
            pd.read_csv(serial_run / f / name, dtype=str, keep_default_na=False)
            for f in FOLDERS
        ]
        # region order, one block per district, every row of each
        blocks = merged["district"].tolist()
        assert blocks == [
            f for f, part in zip(FOLDERS, parts, strict=True) for _ in range(len(part))
        ]
        assert list(merged.columns) == ["district", *parts[0].columns]
        together = pd.concat(parts, ignore_index=True)
        assert merged["group_id"].tolist() == [
            f"{d}/{g}" if g else ""
            for d, g in zip(merged["district"], together["group_id"], strict=True)
        ]
    roster = pd.read_csv(serial_run / "roster.csv", dtype=str)
    assert roster["person_id"].is_unique
    assert all(
        p.startswith(f"{d}/")
        for d, p in zip(roster["district"], roster["person_id"], strict=True)
    )


def test_summary_adds_up_the_districts(serial_run: Path) -> None:
    summary = json.loads((serial_run / "summary.json").read_text(encoding="utf-8"))
    parts = district_summaries(serial_run)
    assert summary["tool"] == "deploy_opt"
    assert summary["kind"] == "region"
    assert summary["runtime_s"] is None  # reproducible
    assert [d["folder"] for d in summary["districts"]] == list(FOLDERS)
    assert summary["counts"]["stations"] == sum(p["counts"]["stations"] for p in parts)
    for agency, counts in summary["counts"]["personnel"].items():
        for key in ("available", "assigned", "reserve", "needed_by_rules"):
            assert counts[key] == sum(
                p["counts"]["personnel"][agency][key] for p in parts
            )
    for category, cov in summary["coverage_by_category"].items():
        assert cov["covered"] == sum(
            p["coverage_by_category"][category]["covered"] for p in parts
        )
    assert summary["shortfalls"]["count"] == sum(len(p["shortfalls"]) for p in parts)
    statuses = [p["status"] for p in parts]
    assert summary["status"] == (
        "optimal" if set(statuses) == {"optimal"} else "feasible"
    )
    assert [d["status"] for d in summary["districts"]] == statuses
    assert summary["stages"][0]["stage"] == "districts"
    assert summary["check"]["passed"]


def test_district_folder_is_the_single_scenario_output(
    serial_run: Path, generated_region: Path, tmp_path: Path
) -> None:
    folder = FOLDERS[-1]
    run(
        (generated_region / folder / "scenario.yaml").absolute(),
        tmp_path / "single",
        reproducible=True,
    )
    assert tree_bytes(tmp_path / "single") == tree_bytes(serial_run / folder)


def test_seed_is_derived_per_district(three_districts: Path, tmp_path: Path) -> None:
    run_region(three_districts, tmp_path / "seeded", seed=5, reproducible=True)
    seeds = [s["seed"] for s in district_summaries(tmp_path / "seeded")]
    assert seeds == [district_seed(5, f) for f in FOLDERS]
    assert len(set(seeds)) == len(FOLDERS)
    summary = json.loads(
        (tmp_path / "seeded" / "summary.json").read_text(encoding="utf-8")
    )
    assert summary["seed"] == 5


def test_existing_output_needs_overwrite(
    serial_run: Path, three_districts: Path, tmp_path: Path
) -> None:
    out = tmp_path / "copy"
    shutil.copytree(serial_run, out)
    with pytest.raises(OutputExistsError):
        run_region(three_districts, out)
    (out / "stations.csv").write_text("old", encoding="utf-8")
    run_region(three_districts, out, reproducible=True, overwrite=True)
    assert tree_bytes(out) == tree_bytes(serial_run)


def test_invalid_district_writes_nothing(
    generated_region: Path, tmp_path: Path
) -> None:
    root = tmp_path / "broken"
    for folder in FOLDERS[:2]:
        shutil.copytree(generated_region / folder, root / folder)
    bad = root / FOLDERS[1] / "scenario.yaml"
    bad.write_text(bad.read_text(encoding="utf-8") + "mystery: 1\n", encoding="utf-8")
    document = region_document(generated_region, FOLDERS[:2])
    (root / "region.yaml").write_text(yaml.safe_dump(document), encoding="utf-8")
    out = tmp_path / "out"
    with pytest.raises(ScenarioError) as caught:
        run_region(root / "region.yaml", out)
    assert [i.field for i in caught.value.issues] == ["mystery"]
    assert Path(caught.value.issues[0].file).parent.name == FOLDERS[1]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken"]  # no staging left


def test_cli_solves_a_region(
    three_districts: Path, serial_run: Path, tmp_path: Path
) -> None:
    out = tmp_path / "cli"
    result = CliRunner().invoke(
        cli, ["solve", str(three_districts), "--out", str(out), "--reproducible"]
    )
    assert result.exit_code == 0, result.output
    assert "over 3 district(s)" in result.output
    assert "\x1b" not in result.output  # no progress display: stderr is no terminal
    assert tree_bytes(out) == tree_bytes(serial_run)


@pytest.mark.parametrize(
    "options", [["--jobs", "2"], ["--scheduler", "tcp://127.0.0.1:8786"]]
)
def test_cli_parallel_options_need_a_region(
    generated_region: Path, tmp_path: Path, options: list[str]
) -> None:
    scenario = generated_region / FOLDERS[0] / "scenario.yaml"
    result = CliRunner().invoke(
        cli, ["solve", str(scenario), "--out", str(tmp_path / "o"), *options]
    )
    assert result.exit_code == 2
    assert "apply to a region" in result.output
    assert not (tmp_path / "o").exists()


def test_cli_jobs_and_scheduler_exclude_each_other(
    three_districts: Path, tmp_path: Path
) -> None:
    result = CliRunner().invoke(
        cli,
        [
            "solve",
            str(three_districts),
            "--out",
            str(tmp_path / "o"),
            "--jobs",
            "2",
            "--scheduler",
            "tcp://127.0.0.1:8786",
        ],
    )
    assert result.exit_code == 2
    assert "not both" in result.output


def test_serial_run_imports_no_dask(
    three_districts: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("dask", "distributed"):  # importing them now raises ImportError
        monkeypatch.setitem(sys.modules, name, None)
    run_region(three_districts, tmp_path / "o")
    assert (tmp_path / "o" / "summary.json").is_file()
