"""The command line end to end on the shipped sample and on tiny inputs."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from deploy_opt import __version__
from deploy_opt.cli import cli

INVALID = Path(__file__).resolve().parent / "data" / "invalid"


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory, sample_path):
    out = tmp_path_factory.mktemp("sample") / "plan"
    result = CliRunner().invoke(
        cli, ["solve", str(sample_path), "--out", str(out), "--time-limit", "20"]
    )
    assert result.exit_code == 0, result.output
    return out, result.output


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_version():
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0 and __version__ in result.output


def test_validate_sample(sample_path):
    result = CliRunner().invoke(cli, ["validate", str(sample_path)])
    assert result.exit_code == 0, result.output
    assert "6,940 TPS in 18 kecamatan" in result.output
    assert "15 khusus" in result.output and "22 rawan" in result.output


def test_sample_meets_the_acceptance_list(sample_run):
    out, text = sample_run
    summary = json.loads((out / "summary.json").read_text())
    coverage = summary["coverage_by_category"]
    assert coverage["rawan"]["stations"] == 22 and coverage["rawan"]["fraction"] == 1.0
    assert (
        coverage["khusus"]["stations"] == 15 and coverage["khusus"]["fraction"] == 1.0
    )
    personnel = summary["counts"]["personnel"]
    assert (
        personnel["polri"]["available"] == 1212
        and personnel["polri"]["assigned"] <= 1212
    )
    assert personnel["tni"]["available"] == 978 and personnel["tni"]["assigned"] <= 978
    assert summary["check"]["passed"] is True
    assert (
        summary["status"] in {"optimal", "feasible"}
        and summary["bound"] <= summary["objective"]
    )
    assert summary["travel_model"] == "straight_line"
    stations = read_csv(out / "stations.csv")
    assert len(stations) == 6940
    assert all(row["linmas"] == "2" for row in stations)
    assert list(stations[0])[:10] == [
        "station_id",
        "category",
        "group_id",
        "police",
        "tni",
        "linmas",
        "medical_site_id",
        "medical_minutes",
        "covered",
        "shortfall_reason",
    ]
    # every shortfall is explained in the summary and on its TPS rows
    short_ids = {s for item in summary["shortfalls"] for s in item["station_ids"]}
    assert short_ids == {
        row["station_id"] for row in stations if row["shortfall_reason"]
    }
    assert all(item["reason"] for item in summary["shortfalls"])
    roster = read_csv(out / "roster.csv")
    assert sum(1 for r in roster if r["agency"] == "polri") == 1212
    assert sum(1 for r in roster if r["agency"] == "linmas") == 13880
    assert "checker: passed" in text


def test_existing_output_is_not_clobbered(sample_run, sample_path):
    out, _ = sample_run
    before = (out / "summary.json").read_bytes()
    result = CliRunner().invoke(cli, ["solve", str(sample_path), "--out", str(out)])
    assert result.exit_code == 2
    assert "--overwrite" in result.output
    assert (out / "summary.json").read_bytes() == before


def test_overwrite_replaces_output(tmp_path):
    out = tmp_path / "plan"
    scenario = INVALID / "_valid.yaml"
    first = CliRunner().invoke(cli, ["solve", str(scenario), "--out", str(out)])
    assert first.exit_code == 0, first.output
    (out / "stale.txt").write_text("old")
    again = CliRunner().invoke(
        cli, ["-q", "solve", str(scenario), "--out", str(out), "--overwrite"]
    )
    assert again.exit_code == 0, again.output
    assert sorted(p.name for p in out.iterdir()) == [
        "roster.csv",
        "stations.csv",
        "summary.json",
    ]
    assert not list(tmp_path.glob(".plan.*"))  # no temporary directories left behind


def test_overwrite_refuses_a_directory_that_is_not_ours(tmp_path):
    out = tmp_path / "documents"
    out.mkdir()
    (out / "letter.txt").write_text("precious")
    result = CliRunner().invoke(
        cli, ["solve", str(INVALID / "_valid.yaml"), "--out", str(out), "--overwrite"]
    )
    assert result.exit_code == 2
    assert (out / "letter.txt").read_text() == "precious"


def test_invalid_scenario_creates_no_output(tmp_path):
    out = tmp_path / "plan"
    result = CliRunner().invoke(
        cli, ["solve", str(INVALID / "unknown_category.yaml"), "--out", str(out)]
    )
    assert result.exit_code == 2
    assert not out.exists()


def copy_sample(sample_path: Path, target: Path) -> Path:
    shutil.copytree(sample_path.parent, target)
    return target / "scenario.yaml"


def test_three_mistakes_in_the_yaml_are_all_listed(sample_path, tmp_path):
    scenario = copy_sample(sample_path, tmp_path / "copy")
    text = scenario.read_text()
    text = text.replace("pattern: 2-2-4", "pattern: 2-0-4")  # a pattern with tps = 0
    text = text.replace(
        "file: data/tps.csv", "file: data/tps_final.csv"
    )  # missing file
    text = text.replace(
        "    medis: {speed_kmh: 35",
        "    satpol: {speed_kmh: 20}\n    medis: {speed_kmh: 35",
    )
    scenario.write_text(text)
    result = CliRunner().invoke(cli, ["validate", str(scenario)])
    assert result.exit_code == 2
    assert "3 problem(s)" in result.output
    assert "secures 0 TPS" in result.output
    assert "tps_final.csv" in result.output and "file not found" in result.output
    assert "unknown agency ['satpol']" in result.output
    assert "Traceback" not in result.output


def test_three_mistakes_in_the_tables_are_all_listed(sample_path, tmp_path):
    scenario = copy_sample(sample_path, tmp_path / "copy")
    tps = scenario.parent / "data" / "tps.csv"
    lines = tps.read_text().splitlines()
    lines[5] = lines[5].replace(",kurang_rawan,", ",sangat-rawan,")  # unknown category
    lines[9] = (
        lines[8].split(",")[0] + "," + ",".join(lines[9].split(",")[1:])
    )  # duplicate id
    tps.write_text("\n".join(lines) + "\n")
    bases = scenario.parent / "data" / "bases.csv"
    rows = bases.read_text().splitlines()
    cells = rows[3].split(",")
    cells[8] = "-5"  # negative police headcount
    rows[3] = ",".join(cells)
    bases.write_text("\n".join(rows) + "\n")
    result = CliRunner().invoke(cli, ["validate", str(scenario)])
    assert result.exit_code == 2, result.output
    assert (
        "tps.csv:6: column category: unknown category 'sangat-rawan'" in result.output
    )
    assert "tps.csv:10: column tps_id: duplicate TPS id" in result.output
    assert (
        "bases.csv:4: column polri: headcount must be a whole number" in result.output
    )
