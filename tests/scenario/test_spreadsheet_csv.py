"""CSV as spreadsheets save it: byte-order mark, ';' separators, decimal commas."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np

from deploy_opt import load_scenario

INVALID = Path(__file__).resolve().parents[1] / "data" / "invalid"


def test_excel_indonesian_locale_csv_loads_like_the_plain_one(tmp_path):
    shutil.copytree(INVALID / "common", tmp_path / "common")
    lines = (INVALID / "common" / "tps.csv").read_text().splitlines()
    excel = [line.replace(",", ";") for line in lines]
    excel = [excel[0]] + [
        row.replace(".", ",") for row in excel[1:]
    ]  # 106.63 -> 106,63
    (tmp_path / "common" / "tps.csv").write_bytes(
        ("\n".join(excel) + "\n").encode("utf-8-sig")
    )
    shutil.copy(INVALID / "_valid.yaml", tmp_path / "scenario.yaml")
    excel_stations = load_scenario(tmp_path / "scenario.yaml").stations
    plain = load_scenario(INVALID / "_valid.yaml").stations
    assert list(excel_stations["id"]) == list(plain["id"])
    np.testing.assert_allclose(excel_stations["lon"], plain["lon"])
    np.testing.assert_allclose(excel_stations["lat"], plain["lat"])
