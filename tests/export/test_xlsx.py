"""The XLSX workbook, the --format registry and RunOutcome.write, on one tiny plan."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from deploy_opt import load_scenario, run
from deploy_opt.cli import cli
from deploy_opt.errors import OutputExistsError
from deploy_opt.export.formats import ANNOUNCED, FORMATS, FormatError, parse_formats
from deploy_opt.export.labels import LABELS, label, translate_reason
from deploy_opt.export.tables import STATION_COLUMNS, stations_table
from deploy_opt.export.xlsx import UNIT_COLUMNS, SheetNames
from scenario_builder import write_scenario

KECAMATAN = '=HYPERLINK("http://x","y")'
POLSEK = "=Polsek [A]: 1/2"
STATIONS = [
    {"id": "T1", "x": 0, "y": 0, "category": "rawan", "kecamatan": KECAMATAN},
    {"id": "T2", "x": 500, "y": 0},
    {"id": "T3", "x": 900, "y": 0},
]
PLACE = {"kelurahan": "Kel A", "kecamatan": "Kec A"}
BASES = [
    {"id": "PS1", "name": POLSEK, "kind": "polsek", "x": 0, "y": 100, "polri": 6},
    {"id": "KR1", "name": "Koramil A", "kind": "koramil", "x": 0, "y": 100, "tni": 2},
    {
        "id": "KEL",
        "name": "Pos A",
        "kind": "kelurahan",
        "x": 0,
        "y": 0,
        "linmas": 5,
        **PLACE,
    },
    {
        "id": "PKM",
        "name": "Puskesmas A",
        "kind": "puskesmas",
        "x": 100,
        "y": 0,
        "medis": 2,
    },
]


def scenario_at(folder: Path, **options: object) -> Path:
    """The tiny scenario, with TPS numbers and addresses added to its table."""
    path = write_scenario(folder, STATIONS, BASES, **options)  # type: ignore[arg-type]
    table = pd.read_csv(folder / "tps.csv", dtype=str, keep_default_na=False)
    table["number"] = ["001", "002", "003"]
    table["address"] = ["Jl. Merdeka 1", "=SUM(A1)", ""]
    table.to_csv(folder / "tps.csv", index=False)
    return path


@pytest.fixture(scope="module")
def plan(tmp_path_factory):
    """One solve of the tiny scenario (scenario path, outcome)."""
    path = scenario_at(tmp_path_factory.mktemp("xlsx") / "s")
    return path, run(path, None, reproducible=True)


def workbook(folder: Path):
    return load_workbook(folder / "plan.xlsx")


def test_workbook_has_summary_unit_and_linmas_sheets(plan, tmp_path):
    _, outcome = plan
    out = outcome.write(tmp_path / "out", formats="xlsx")
    assert sorted(p.name for p in out.iterdir()) == [
        "plan.xlsx",
        "roster.csv",
        "stations.csv",
        "summary.json",
    ]
    book = workbook(out)
    assert book.sheetnames == [
        "Ringkasan",
        "=Polsek _A__ 1_2",  # the forbidden []:/ become _; = is allowed
        "Koramil A",
        "Puskesmas A",
        "Linmas",
    ]
    polsek = book["=Polsek _A__ 1_2"]
    header = [c.value for c in polsek[1]]
    assert header == [label(c, "id") for c in UNIT_COLUMNS]
    rows = [
        dict(zip(header, (c.value for c in row), strict=True))
        for row in polsek.iter_rows(min_row=2)
    ]
    # one row per person x TPS: a pair for T1 alone (2 rows), a pair for the
    # group T2+T3 (4 rows), then the 2 police left in reserve
    on_duty = [r for r in rows if r["ID TPS"]]
    assert len(on_duty) == 6
    assert sorted(r["ID TPS"] for r in on_duty) == ["T1", "T1", "T2", "T2", "T3", "T3"]
    assert [r["Kelompok"] for r in rows if not r["ID TPS"]] == ["Cadangan"] * 2
    by_person = {r["Personel"]: r for r in rows}
    partner = by_person["POLRI-0001"]["Rekan"]
    assert partner.startswith("'" + POLSEK) and partner.endswith("POLRI-0002")
    t1 = next(r for r in rows if r["ID TPS"] == "T1")
    assert t1["No. TPS"] == "001" and t1["Alamat"] == "Jl. Merdeka 1"
    assert isinstance(t1["Bujur"], float) and isinstance(t1["Lintang"], float)
    linmas = book["Linmas"]
    assert next(c.value for c in linmas[1]) == label("linmas_post", "id")
    assert {row[0].value for row in linmas.iter_rows(min_row=2)} == {"Pos A"}
    assert linmas.max_row - 1 == 5  # 4 on duty, 1 in reserve


def test_formula_like_input_is_stored_as_text(plan, tmp_path):
    _, outcome = plan
    book = workbook(outcome.write(tmp_path / "out", formats="xlsx"))
    seen = set()
    for sheet in book:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert cell.data_type == "s"
                    seen.add(cell.value)
    assert "'" + KECAMATAN in seen  # the kecamatan, neutralised as in the CSV
    assert "'=SUM(A1)" in seen  # the address
    assert "'" + POLSEK in seen  # the unit's name (summary index)


def test_sheets_are_printable(plan, tmp_path):
    _, outcome = plan
    book = workbook(outcome.write(tmp_path / "out", formats="xlsx"))
    for name in book.sheetnames:
        sheet = book[name]
        assert sheet.page_setup.paperSize == 9  # A4
        assert sheet.page_setup.fitToWidth == 1
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        if name != "Ringkasan":
            assert sheet.freeze_panes == "A2"
            assert sheet.print_title_rows == "$1:$1"
            assert all(sheet.column_dimensions[c].width > 0 for c in "ABCDE")


def test_lang_en_and_id_headers(plan, tmp_path):
    _, outcome = plan
    english = workbook(outcome.write(tmp_path / "en", formats="xlsx", lang="en"))
    assert english.sheetnames[0] == "Summary"
    assert [c.value for c in english["Koramil A"][1]] == [
        label(c, "en") for c in UNIT_COLUMNS
    ]
    indonesian = workbook(outcome.write(tmp_path / "id", formats=["xlsx"]))
    assert indonesian.sheetnames[0] == "Ringkasan"
    assert [c.value for c in indonesian["Koramil A"][1]][1] == "Personel"


def test_scenario_language_sets_the_default(tmp_path):
    path = scenario_at(tmp_path / "s", extra={"language": "en"})
    outcome = run(path, tmp_path / "out", formats="xlsx", reproducible=True)
    assert outcome.lang == "en"
    assert workbook(tmp_path / "out").sheetnames[0] == "Summary"


def test_stations_csv_has_places_and_roster_unit_names(plan, tmp_path):
    _, outcome = plan
    out = outcome.write(tmp_path / "out")
    with (out / "stations.csv").open(encoding="utf-8", newline="") as handle:
        stations = list(csv.DictReader(handle))
    assert list(stations[0]) == STATION_COLUMNS
    t2 = next(r for r in stations if r["station_id"] == "T2")
    assert t2["tps_number"] == "002" and t2["address"] == "'=SUM(A1)"
    assert -7 < float(t2["lat"]) < -6 and 106 < float(t2["lon"]) < 107
    assert t2["medical_site_name"] == "Puskesmas A"
    roster = pd.read_csv(out / "roster.csv", dtype=str, keep_default_na=False)
    assert set(roster["unit_name"]) == {
        "'" + POLSEK,
        "Koramil A",
        "Pos A",
        "Puskesmas A",
    }
    assert set(roster["unit_kind"]) == {"polsek", "koramil", "kelurahan", "puskesmas"}


def test_places_follow_the_ids_not_the_row_order(plan):
    _, outcome = plan
    shuffled = outcome.scenario.stations.iloc[[2, 0, 1]]
    table = stations_table(outcome.data, outcome.result, outcome.report, shuffled)
    pd.testing.assert_frame_equal(table, outcome.stations)
    lon = dict(zip(table["station_id"], table["lon"], strict=True))
    assert lon["T1"] < lon["T2"] < lon["T3"]  # x = 0, 500, 900 m


def test_run_takes_a_loaded_scenario(plan):
    path, outcome = plan
    again = run(load_scenario(path), None, reproducible=True)
    pd.testing.assert_frame_equal(again.roster, outcome.roster)
    pd.testing.assert_frame_equal(again.stations, outcome.stations)
    coverage = again.coverage.set_index("category")
    for name, cov in again.summary["coverage_by_category"].items():
        assert coverage.loc[name, "covered"] == cov["covered"]
        assert coverage.loc[name, "stations"] == cov["stations"]


def test_write_is_atomic_and_refuses_to_clobber(plan, tmp_path):
    _, outcome = plan
    out = outcome.write(tmp_path / "out", formats="csv")
    before = (out / "summary.json").read_bytes()
    with pytest.raises(OutputExistsError, match="--overwrite"):
        outcome.write(out, formats="xlsx")
    assert not (out / "plan.xlsx").exists()
    outcome.write(out, formats="xlsx", overwrite=True)
    assert (out / "plan.xlsx").exists() and (
        out / "summary.json"
    ).read_bytes() == before
    theirs = tmp_path / "theirs"
    theirs.mkdir()
    (theirs / "notes.txt").write_text("keep")
    with pytest.raises(OutputExistsError, match="refusing"):
        outcome.write(theirs, overwrite=True)
    assert [p.name for p in theirs.iterdir()] == ["notes.txt"]
    with pytest.raises(FormatError, match="unknown format"):
        outcome.write(tmp_path / "never", formats="csv,docx")
    with pytest.raises(FormatError, match="unknown language"):
        outcome.write(tmp_path / "never", formats="xlsx", lang="fr")
    assert not (tmp_path / "never").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".never")]


def test_parse_formats():
    assert parse_formats("XLSX, csv,,xlsx") == ("csv", "json", "xlsx")
    assert parse_formats(None) == ("csv", "json")
    with pytest.raises(
        FormatError, match=r"unknown format 'odt'; known formats: csv, json, xlsx"
    ):
        parse_formats(["csv", "odt"])


def test_cli_refuses_unknown_and_unavailable_formats(plan, tmp_path, monkeypatch):
    path, _ = plan
    out = tmp_path / "out"

    def solve(formats: str):
        return CliRunner().invoke(
            cli, ["solve", str(path), "--out", str(out), "--format", formats]
        )

    result = solve("csv,bogus")
    assert result.exit_code == 2
    assert "unknown format 'bogus'" in result.output
    assert "known formats: csv, json, xlsx" in result.output
    # announced but not registered, and registered but its module not there yet
    monkeypatch.setitem(ANNOUNCED, "odt", "an OpenDocument workbook")
    monkeypatch.setitem(FORMATS, "svg", "deploy_opt.export.not_built_yet:files")
    for name in ("odt", "svg"):
        result = solve(f"xlsx,{name}")
        assert result.exit_code == 2, result.output
        assert f"format '{name}'" in result.output
        assert "not available yet" in result.output
    assert not out.exists()


def test_cli_writes_the_workbook_in_english(plan, tmp_path):
    path, _ = plan
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli,
        [
            "solve",
            str(path),
            "--out",
            str(out),
            "--format",
            "xlsx",
            "--lang",
            "en",
            "-q",
        ],
    )
    assert result.exit_code == 0, result.output
    assert workbook(out).sheetnames[0] == "Summary"
    assert (
        json.loads((out / "summary.json").read_text(encoding="utf-8"))["tool"]
        == "deploy_opt"
    )


def test_sheet_names_are_valid_unique_and_stable():
    names = SheetNames(reserved=["Ringkasan", "Linmas"])
    made = [
        names.add(n)
        for n in [
            "Polsek Ciledug",
            "polsek ciledug",
            "A" * 40,
            "A" * 40,
            "x[1]:y*z?/w\\v",
            "'quoted'",
            "linmas",
            "",
            "History",
        ]
    ]
    assert made == [
        "Polsek Ciledug",
        "polsek ciledug (2)",
        "A" * 31,
        "A" * 27 + " (2)",
        "x_1__y_z__w_v",
        "quoted",
        "linmas (2)",
        "Unit",
        "History (2)",
    ]
    assert all(len(n) <= 31 for n in made)
    # openpyxl accepts every one of them as a title
    from openpyxl import Workbook

    book = Workbook()
    for n in made:
        book.create_sheet(n)
    buffer = io.BytesIO()
    book.save(buffer)
    assert load_workbook(buffer).sheetnames[1:] == made


def test_reasons_in_indonesian():
    reason = (
        "Polsek Ciledug has 64 police for 68 needed by the 34 groups it can reach; "
        "higher-risk groups came first"
    )
    assert translate_reason(reason, "id") == (
        "Polsek Ciledug memiliki 64 personel Polri untuk 68 yang dibutuhkan 34 "
        "kelompok dalam jangkauannya; kelompok berisiko lebih tinggi didahulukan"
    )
    assert translate_reason(reason, "en") == reason
    assert translate_reason("something new", "id") == "something new"
    assert all(len(pair) == 2 and all(pair) for pair in LABELS.values())


def test_workbook_bytes_carry_no_clock(plan, tmp_path):
    _, outcome = plan
    content = (
        outcome.write(tmp_path / "out", formats="xlsx") / "plan.xlsx"
    ).read_bytes()
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert {e.date_time for e in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = archive.read("docProps/core.xml").decode()
    assert (
        re.findall(r"<dcterms:(?:created|modified)[^>]*>([^<]*)<", core)
        == ["1980-01-01T00:00:00Z"] * 2
    )
    again = outcome.files("xlsx")["plan.xlsx"]
    assert again == content
