"""A solve whose names look like spreadsheet formulas writes only inert cells."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from click.testing import CliRunner

from deploy_opt.cli import cli
from scenario_builder import default_categories

FORMULA = "=cmd|'/C calc'!A0"
KECAMATAN = '=HYPERLINK("http://x")'


def cells(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_category_names_and_group_labels_are_neutralised(make_scenario, tmp_path):
    categories = default_categories()
    categories[FORMULA] = categories.pop("rawan")
    place = {"kecamatan": KECAMATAN, "kelurahan": "@SUM(1)"}
    stations = [
        {"id": "-A", "x": 0, "y": 0, "category": FORMULA, **place},
        {"id": "+B", "x": 7000, "y": 0, **place},
    ]
    bases = [
        {"id": "=PS", "kind": "polsek", "x": 0, "y": 1000, "polri": 4},
        {"id": "KEL", "kind": "kelurahan", "x": 0, "y": 0, "linmas": 4, **place},
    ]
    scenario = make_scenario(stations, bases, categories=categories)
    out = tmp_path / "plan"
    result = CliRunner().invoke(cli, ["solve", str(scenario), "--out", str(out)])
    assert result.exit_code == 0, result.output
    stations_csv = cells(out / "stations.csv")
    roster_csv = cells(out / "roster.csv")
    for row in stations_csv + roster_csv:
        for value in row.values():
            assert value[:1] not in {"=", "+", "-", "@"} or is_number(value), value
    by_id = {row["station_id"]: row for row in stations_csv}
    assert set(by_id) == {"'-A", "'+B"}
    assert by_id["'-A"]["category"] == "'" + FORMULA
    assert by_id["'-A"]["group_id"].startswith("'" + FORMULA + "-HYPERLINK_HTTP_X-")
    assert by_id["'+B"]["kecamatan"] == "'" + KECAMATAN
    assert {row["unit_id"] for row in roster_csv} == {"'=PS", "KEL"}
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert (
        FORMULA in summary["coverage_by_category"]
    )  # JSON keeps the names as they are
