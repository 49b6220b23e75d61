"""The helper scripts of docs/new-district.md: KPU list + boundary -> a scenario that loads."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pandas as pd
import pytest

from deploy_opt import load_scenario

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"


def _script(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        f"new_district_{name}", SCRIPTS / f"{name}.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[f"new_district_{name}"] = module  # dataclasses look the module up
    spec.loader.exec_module(module)
    return module


tps_from_kpu = _script("tps_from_kpu")
clip_to_district = _script("clip_to_district")


def _square(x: float, y: float, d: float = 0.01) -> list[list[list[float]]]:
    return [[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]]


def _boundary(path: Path) -> Path:
    """Three kelurahan squares in Jakarta; the third in another kota."""
    features = [
        ("31.72.03.1001", "Koja", "31.72", 106.90),
        ("31.72.03.1003", "Lagoa", "31.72", 106.91),
        ("31.71.01.1001", "Gambir", "31.71", 106.82),
    ]
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"kode": k, "nama": n, "kode_kabkota": kk},
                        "geometry": {
                            "type": "Polygon",
                            "coordinates": _square(x, -6.13),
                        },
                    }
                    for k, n, kk, x in features
                ],
            }
        )
    )
    return path


def test_count_list_becomes_a_scenario_that_loads(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    province = _boundary(tmp_path / "province.geojson")
    assert (
        clip_to_district.main(
            [
                str(province),
                "--where",
                "kode_kabkota=31.72",
                "--out",
                str(data / "kel.geojson"),
            ]
        )
        == 0
    )
    kpu = tmp_path / "kpu.csv"
    kpu.write_text(
        "kode_kemendagri;desa;kecamatan;kabkota;tps_regular;tps_special_range\n"
        "31.72.03.1001;KOJA;KOJA;JAKARTA UTARA;3;\n"
        "31.72.03.1003;LAGOA;KOJA;JAKARTA UTARA;2;901-902\n"
        "31.71.01.1001;GAMBIR;GAMBIR;JAKARTA PUSAT;4;\n",
        encoding="utf-8-sig",
    )
    args = [
        str(kpu),
        "--where",
        "kabkota=jakarta utara",
        "--boundary",
        str(data / "kel.geojson"),
    ]
    args += ["--out", str(data / "tps.csv"), "--linmas-out", str(data / "linmas.csv")]
    assert tps_from_kpu.main(args) == 0
    tps = pd.read_csv(data / "tps.csv", dtype=str)
    assert list(tps["tps_id"]) == [
        "3172031001-001", "3172031001-002", "3172031001-003",
        "3172031003-001", "3172031003-002", "3172031003-901", "3172031003-902",
    ]  # fmt: skip
    assert set(tps["kelurahan"]) == {"Koja", "Lagoa"}
    assert tps["coord_source"].str.startswith("approximate").all()
    special = tps[tps["kind"] == "special"]
    assert len(special) == 2 and special[["lon", "lat"]].nunique().max() == 1
    linmas = pd.read_csv(data / "linmas.csv")
    assert dict(zip(linmas["kelurahan"], linmas["linmas"], strict=True)) == {
        "Koja": 6,
        "Lagoa": 8,
    }
    units = pd.DataFrame(
        [["POLSEK-KOJA", "Polsek Koja", "polsek", 106.905, -6.125, "Koja", "Koja", 10]],
        columns=[
            "base_id",
            "name",
            "kind",
            "lon",
            "lat",
            "kecamatan",
            "jurisdiction",
            "polri",
        ],
    )
    units.to_csv(data / "units.csv", index=False)
    (tmp_path / "scenario.yaml").write_text(
        "name: trial\nprojected_crs: EPSG:32748\n"
        "district: {boundary: data/kel.geojson}\n"
        "stations: {file: data/tps.csv, columns: {id: tps_id}}\n"
        "categories:\n"
        "  kurang_rawan: {weight: 1, pattern: 2-4-8, pattern_order: P-T-L}\n"
        "bases:\n"
        "  - {file: data/units.csv, columns: {id: base_id}}\n"
        "  - {file: data/linmas.csv, columns: {id: base_id}}\n"
        "travel:\n  model: straight_line\n  agencies:\n"
        "    polri: {speed_kmh: 25, max_minutes: 30}\n"
        "    tni: {speed_kmh: 25, max_minutes: 30}\n"
        "    linmas: {speed_kmh: 4.5}\n"
        "    medis: {speed_kmh: 35, max_minutes: 20}\n"
    )
    scenario = load_scenario(tmp_path / "scenario.yaml")
    assert len(scenario.stations) == 7


def test_per_tps_list_keeps_given_points_and_refuses_unknown_kelurahan(
    tmp_path, capsys
):
    boundary = _boundary(tmp_path / "kel.geojson")
    kpu = tmp_path / "kpu.csv"
    kpu.write_text(
        "Kecamatan;Kelurahan/Desa;No. TPS;DPT;Koordinat\n"
        'KOJA;KOJA;TPS 1;245;"-6,125; 106,905"\n'
        "KOJA;LAGOA;002;250;\n"
    )
    out = tmp_path / "tps.csv"
    assert (
        tps_from_kpu.main([str(kpu), "--boundary", str(boundary), "--out", str(out)])
        == 0
    )
    tps = pd.read_csv(out, dtype=str).set_index("tps_id")
    assert tps.loc["3172031001-001", ["lon", "lat", "number", "voters"]].tolist() == [
        "106.905", "-6.125", "001", "245",
    ]  # fmt: skip
    assert tps.loc["3172031003-002", "coord_source"].startswith("approximate")

    kpu.write_text("Kecamatan;Kelurahan/Desa;No. TPS;DPT\nKOJA;LAGOAA;1;1.250\n")
    bad = tmp_path / "bad.csv"
    assert (
        tps_from_kpu.main([str(kpu), "--boundary", str(boundary), "--out", str(bad)])
        == 2
    )
    assert (
        "line 2: kelurahan 'LAGOAA' not in the boundary file (did you mean 'LAGOA'?)"
        in (capsys.readouterr().err)
    )
    assert not bad.exists()


@pytest.mark.parametrize("where", ["kode_kabkota=31.72", "kode=31.72.*"])
def test_clip_keeps_the_district_and_refuses_unknown_fields(tmp_path, where, capsys):
    boundary = _boundary(tmp_path / "province.geojson")
    out = tmp_path / "kel.geojson"
    assert (
        clip_to_district.main([str(boundary), "--where", where, "--out", str(out)]) == 0
    )
    names = [f["properties"]["nama"] for f in json.loads(out.read_text())["features"]]
    assert names == ["Koja", "Lagoa"]
    assert (
        clip_to_district.main([str(boundary), "--where", "kota=x", "--out", str(out)])
        == 2
    )
    assert "no field 'kota'" in capsys.readouterr().err
