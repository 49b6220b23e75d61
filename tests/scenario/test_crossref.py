"""Kelurahan names under two kecamatan: legitimate, unless one is a stray row."""

from __future__ import annotations

import shutil
from pathlib import Path

from deploy_opt import load_scenario

INVALID = Path(__file__).resolve().parents[1] / "data" / "invalid"
HEADER = "tps_id,lon,lat,kelurahan,kecamatan,category,kind\n"


def _load(tmp_path, rows: list[str]):
    shutil.copytree(INVALID / "common", tmp_path / "common")
    (tmp_path / "common" / "tps.csv").write_text(HEADER + "".join(rows))
    shutil.copy(INVALID / "_valid.yaml", tmp_path / "scenario.yaml")
    return load_scenario(tmp_path / "scenario.yaml")


def _row(n: int, kelurahan: str, kecamatan: str) -> str:
    return f"T{n:03d},106.63{n:02d},-6.1800,{kelurahan},{kecamatan},kurang_rawan,\n"


def test_a_stray_kecamatan_for_a_kelurahan_is_a_warning(tmp_path):
    rows = [_row(n, "Sukasari", "Tangerang") for n in range(1, 4)]
    rows += [_row(4, "Babakan", "Tangerang"), _row(5, "Sukasari", "Tangerang Kota")]
    scenario = _load(tmp_path, rows)
    (warning,) = [w for w in scenario.warnings if w.field == "column kecamatan"]
    assert warning.line == 6
    assert "has 3 TPS in kecamatan 'Tangerang' but 1 in 'Tangerang Kota'" in (
        warning.message
    )


def test_the_same_kelurahan_name_in_two_kecamatan_is_fine(tmp_path):
    rows = [_row(n, "Sukasari", "Tangerang") for n in range(1, 4)]
    rows += [_row(4, "Babakan", "Tangerang")]
    rows += [_row(n, "Sukasari", "Cibodas") for n in range(5, 8)]
    scenario = _load(tmp_path, rows)
    assert not [w for w in scenario.warnings if w.field == "column kecamatan"]
