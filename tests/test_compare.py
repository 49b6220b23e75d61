"""deploy-opt compare: a run against itself, and against a copy with one known edit."""

from __future__ import annotations

import csv
import json
import shutil

import pytest
from click.testing import CliRunner

from deploy_opt import run
from deploy_opt.cli import cli
from deploy_opt.compare import compare_runs


@pytest.fixture
def run_dir(make_scenario, tmp_path):
    stations = [
        {"id": "A", "x": 0, "y": 0},
        {"id": "B", "x": 100, "y": 0},
        {"id": "R", "x": 300, "y": 0, "category": "rawan"},
    ]
    bases = [
        {
            "id": "PS",
            "name": "Polsek A",
            "kind": "polsek",
            "x": 0,
            "y": 500,
            "polri": 6,
        },
        {
            "id": "KEL",
            "kind": "kelurahan",
            "x": 0,
            "y": 0,
            "kecamatan": "Kec A",
            "kelurahan": "Kel A",
            "linmas": 6,
        },
        {"id": "PKM", "kind": "puskesmas", "x": 0, "y": 100},
    ]
    out = tmp_path / "run"
    run(make_scenario(stations, bases), out, reproducible=True)
    return out


def _rows(path):
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def _write(path, header, rows):
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def _send_one_officer_home(run_dir, copy):
    """Copy ``run_dir`` and take one officer off the rawan TPS (a group of one),
    consistently in all three files. Returns (TPS id, slot id, old slot row)."""
    shutil.copytree(run_dir, copy)
    header, stations = _rows(copy / "stations.csv")
    tps = next(r for r in stations if r["category"] == "rawan")
    assert tps["police"] == "2" and tps["covered"] == "True"
    tps["police"], tps["covered"] = "1", "False"
    _write(copy / "stations.csv", header, stations)
    header, roster = _rows(copy / "roster.csv")
    slot = next(
        r for r in roster if r["agency"] == "polri" and r["group_id"] == tps["group_id"]
    )
    old = dict(slot)
    slot.update(group_id="", station_ids="", shift="reserve", travel_minutes="")
    _write(copy / "roster.csv", header, roster)
    summary = json.loads((copy / "summary.json").read_text(encoding="utf-8"))
    rawan = summary["coverage_by_category"]["rawan"]
    rawan["covered"] -= 1
    rawan["fraction"] = rawan["covered"] / rawan["stations"]
    police = summary["counts"]["personnel"]["polri"]
    police["assigned"] -= 1
    police["reserve"] += 1
    (copy / "summary.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    return tps["station_id"], slot["person_id"], old


def test_a_run_compared_with_itself_has_no_changes(run_dir, tmp_path):
    out = tmp_path / "same.json"
    result = CliRunner().invoke(
        cli, ["compare", str(run_dir), str(run_dir), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert result.output.rstrip().endswith("no changes")
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["changed"] is False
    assert document["stations"] == [] and document["roster"] == []
    assert {row["item"] for row in document["personnel"]} >= {"polri", "linmas"}


def test_a_known_edit_is_reported_exactly(run_dir, tmp_path):
    station_id, person_id, old = _send_one_officer_home(run_dir, tmp_path / "edited")
    comparison = compare_runs(run_dir, tmp_path / "edited")
    assert comparison.changed
    assert [(c.key, c.fields) for c in comparison.stations] == [
        (station_id, {"police": (2, 1), "covered": (True, False)})
    ]
    assert [(c.key, c.fields) for c in comparison.roster] == [
        (
            person_id,
            {
                "group_id": (old["group_id"], ""),
                "station_ids": (old["station_ids"], ""),
                "shift": (old["shift"], "reserve"),
            },
        )
    ]
    changed = {
        (row["section"], row["item"], row["field"])
        for row in comparison.rows()
        if row["changed"] and row["section"] in ("coverage", "personnel")
    }
    assert changed == {
        ("coverage", "rawan", "covered"),
        ("coverage", "rawan", "fraction"),
        ("personnel", "polri", "assigned"),
        ("personnel", "polri", "reserve"),
    }
    travel = dict(comparison.travel)["polri"]
    assert travel["slots"] == (travel["slots"][0], travel["slots"][0] - 1)


def test_the_command_prints_and_writes_the_edit(run_dir, tmp_path):
    station_id, person_id, _ = _send_one_officer_home(run_dir, tmp_path / "edited")
    out = tmp_path / "diff.csv"
    result = CliRunner().invoke(
        cli, ["compare", str(run_dir), str(tmp_path / "edited"), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output  # 0 also when the runs differ
    assert f"{station_id}: police 2 -> 1; covered yes -> no" in result.output
    assert "changed TPS assignments: 1" in result.output
    assert "changed roster slots: 1" in result.output
    assert "no changes" not in result.output
    _, rows = _rows(out)
    assignments = {
        (r["section"], r["item"], r["field"])
        for r in rows
        if r["section"] in ("station", "roster")
    }
    assert assignments == {
        ("station", station_id, "police"),
        ("station", station_id, "covered"),
        ("roster", person_id, "group_id"),
        ("roster", person_id, "station_ids"),
        ("roster", person_id, "shift"),
    }


def test_compare_with_a_folder_that_is_not_a_run_exits_2(run_dir, tmp_path):
    (tmp_path / "empty").mkdir()
    result = CliRunner().invoke(cli, ["compare", str(run_dir), str(tmp_path / "empty")])
    assert result.exit_code == 2 and "summary.json: missing" in result.output
    bad_out = CliRunner().invoke(
        cli, ["compare", str(run_dir), str(run_dir), "--out", str(tmp_path / "x.txt")]
    )
    assert bad_out.exit_code == 2 and ".csv or .json" in bad_out.output
