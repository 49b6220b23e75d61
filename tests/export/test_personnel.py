"""Named personnel: the persons fill their unit's slots, pairs stay together."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from deploy_opt import ScenarioError, load_scenario, run
from deploy_opt.cli import cli
from deploy_opt.export.labels import label
from deploy_opt.export.tables import ROSTER_COLUMNS, roster_table
from scenario_builder import default_categories, write_scenario

STATIONS = [
    {"id": "T1", "x": 0, "y": 0, "category": "rawan"},
    {"id": "T2", "x": 500, "y": 0},
    {"id": "T3", "x": 900, "y": 0},
]
PLACE = {"kelurahan": "Kel A", "kecamatan": "Kec A"}
BASES = [
    {"id": "PS1", "name": "Polsek A", "kind": "polsek", "x": 0, "y": 100, "polri": 6},
    {"id": "KR1", "name": "Koramil A", "kind": "koramil", "x": 0, "y": 100, "tni": 2},
    {"id": "KEL", "name": "Pos A", "kind": "kelurahan", "x": 0, "y": 0, "linmas": 6}
    | PLACE,
]
#: The Polsek's own spreadsheet (one unit: `defaults: {unit: PS1}`), in its
#: own column names; five of its six officers.
POLSEK_TABLE = (
    "NRP;Nama;Pangkat;HP\n"
    "87050001;Budi Santoso;Bripka;0812-1\n"
    "87050002;Sari Dewi;Brigpol;\n"
    "87050003;Andi Wijaya;Bripda;0812-3\n"
    "87050004;Rina Putri;Bripda;\n"
    "87050005;Dedi Kurnia;Aipda;\n"
)
#: One list for other units: the unit by its name, the agency left to its kind.
OTHERS_TABLE = "id,name,rank,unit\n21001,Joko Susilo,Serda,Koramil A\n"
POLSEK_IDS = [f"8705000{n}" for n in range(1, 6)]


def scenario_at(folder: Path, *, named: bool = True) -> Path:
    categories = default_categories()
    categories["rawan"]["tni"] = 1
    extra = {}
    if named:
        extra["personnel"] = [
            {
                "file": "personel_polsek.csv",
                "columns": {
                    "id": "NRP",
                    "name": "Nama",
                    "rank": "Pangkat",
                    "phone": "HP",
                },
                "defaults": {"unit": "PS1"},
            },
            {"file": "personel_lain.csv"},
        ]
    path = write_scenario(folder, STATIONS, BASES, categories=categories, extra=extra)
    (folder / "personel_polsek.csv").write_text(POLSEK_TABLE, encoding="utf-8")
    (folder / "personel_lain.csv").write_text(OTHERS_TABLE, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def plan(tmp_path_factory):
    """One solve of the tiny scenario with named personnel."""
    return run(
        scenario_at(tmp_path_factory.mktemp("named") / "s"), None, reproducible=True
    )


def by_person(roster: pd.DataFrame) -> dict[str, pd.Series]:
    return {str(row["person_id"]): row for _, row in roster.iterrows()}


def test_persons_fill_their_units_slots_in_table_order(plan):
    roster = plan.roster
    numbered = roster_table(plan.data, plan.result)
    # the same slots in the same order; only who fills them changed
    assert roster["slot_id"].tolist() == numbered["person_id"].tolist()
    for column in ("agency", "unit_id", "group_id", "station_ids", "shift"):
        assert roster[column].tolist() == numbered[column].tolist()
    polsek = roster[(roster["unit_id"] == "PS1") & (roster["agency"] == "polri")]
    assert polsek["person_id"].tolist()[:5] == POLSEK_IDS
    assert polsek["name"].tolist()[:2] == ["Budi Santoso", "Sari Dewi"]
    assert polsek["rank"].tolist()[:2] == ["Bripka", "Brigpol"]
    assert polsek["phone"].tolist()[:2] == ["0812-1", ""]
    # six slots, five persons: the last slot keeps its number
    assert polsek["person_id"].iloc[5] == polsek["slot_id"].iloc[5] == "PS1/POLRI-0006"
    assert polsek["name"].iloc[5] == ""
    # a unit named by its name; the agency taken from the Koramil's kind
    koramil = roster[roster["unit_id"] == "KR1"]
    assert koramil["person_id"].tolist() == ["21001", "KR1/TNI-0002"]
    assert koramil["name"].iloc[0] == "Joko Susilo"
    # a unit without named persons keeps its numbered slots
    linmas = roster[roster["agency"] == "linmas"]
    assert (linmas["person_id"] == linmas["slot_id"]).all()
    assert (linmas["name"] == "").all()


def test_consecutive_persons_serve_in_the_same_group(plan):
    persons = by_person(plan.roster)
    first, second, third, fourth = (persons[i] for i in POLSEK_IDS[:4])
    assert first["group_id"] and first["group_id"] == second["group_id"]
    assert third["group_id"] and third["group_id"] == fourth["group_id"]
    assert first["group_id"] != third["group_id"]


def test_partner_names_the_other_persons_of_the_group(plan):
    roster = plan.roster
    persons = by_person(roster)
    for _, row in roster.iterrows():
        if row["shift"] == "reserve":
            assert row["partner"] == ""
            continue
        linmas = roster["agency"] == "linmas"
        crew = roster[
            (linmas & (roster["station_ids"] == row["station_ids"]))
            if row["agency"] == "linmas"
            else (~linmas & (roster["group_id"] == row["group_id"]))
        ]
        others = sorted(p for p in crew["person_id"] if p != row["person_id"])
        assert sorted(row["partner"].split(";")) == others
    # the pair is each other's partner (and the TNI of the rawan group theirs)
    first, second = persons[POLSEK_IDS[0]], persons[POLSEK_IDS[1]]
    assert POLSEK_IDS[1] in first["partner"].split(";")
    assert POLSEK_IDS[0] in second["partner"].split(";")
    soldier = persons["21001"]  # the first TNI slot: the one rawan group's
    assert soldier["group_id"].startswith("rawan")
    pair = roster[(roster["group_id"] == soldier["group_id"]) & ~linmas]
    assert set(soldier["partner"].split(";")) == set(pair["person_id"]) - {"21001"}


def test_warnings_say_which_slots_stay_numbered(plan):
    messages = [w.message for w in plan.scenario.warnings]
    assert any("5 of the 6 polri of base 'PS1'" in m for m in messages), messages
    assert any("1 of the 2 tni of base 'KR1'" in m for m in messages), messages


def test_without_personnel_slots_stay_numbered(tmp_path):
    outcome = run(scenario_at(tmp_path / "s", named=False), None, reproducible=True)
    roster = outcome.roster
    assert list(roster.columns) == ROSTER_COLUMNS
    assert roster["person_id"].str.contains("/").all()
    assert outcome.scenario.personnel is None


def test_cli_writes_names_into_roster_and_workbook(tmp_path):
    path = scenario_at(tmp_path / "s")
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli,
        ["solve", str(path), "--out", str(out), "--reproducible", "--format", "xlsx"],
    )
    assert result.exit_code == 0, result.output
    roster = pd.read_csv(out / "roster.csv", dtype=str, keep_default_na=False)
    assert list(roster.columns) == [*ROSTER_COLUMNS, "slot_id", "name", "rank", "phone"]
    assert roster["person_id"].is_unique
    assert set(POLSEK_IDS) <= set(roster["person_id"])

    book = load_workbook(out / "plan.xlsx")
    sheet = book["Polsek A"]
    header = [c.value for c in sheet[1]]
    for key in ("person", "name", "rank", "phone", "partners"):
        assert label(key, "id") in header
    rows = [
        dict(zip(header, (c.value for c in r), strict=True))
        for r in sheet.iter_rows(min_row=2)
    ]
    budi = next(r for r in rows if r["Personel"] == POLSEK_IDS[0])
    assert (budi["Nama"], budi["Pangkat"], budi["No. HP"]) == (
        "Budi Santoso",
        "Bripka",
        "0812-1",
    )
    assert "Brigpol Sari Dewi" in budi["Rekan"]
    numbered = [r for r in rows if r["Personel"] == "POLRI-0006"]
    assert numbered and numbered[0]["Nama"] is None


def write(folder: Path, name: str, text: str) -> None:
    (folder / name).write_text(text, encoding="utf-8")


def load_problems(tmp_path: Path, personnel: list[dict], files: dict[str, str]):
    folder = tmp_path / "s"
    path = write_scenario(folder, STATIONS, BASES, extra={"personnel": personnel})
    for name, text in files.items():
        write(folder, name, text)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    return [str(i) for i in caught.value.issues]


def test_a_table_of_several_units_needs_the_unit_column(tmp_path):
    problems = load_problems(
        tmp_path, [{"file": "p.csv"}], {"p.csv": "id,name\n1,Budi\n"}
    )
    assert any(
        "p.csv: column unit: missing column" in p and "defaults: {unit: BASE_ID}" in p
        for p in problems
    ), problems


def test_a_unit_name_shared_by_two_bases_needs_the_id(tmp_path):
    folder = tmp_path / "s"
    bases = [
        *BASES,
        {"id": "PS2", "name": "Polsek A", "kind": "polsek", "x": 0, "y": 0},
    ]
    path = write_scenario(
        folder, STATIONS, bases, extra={"personnel": [{"file": "p.csv"}]}
    )
    write(folder, "p.csv", "id,name,unit\n1,Budi,polsek a\n")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert any(
        i.line == 2 and "names several bases ('PS1', 'PS2')" in i.message
        for i in caught.value.issues
    ), caught.value.issues


def test_a_base_of_kind_other_with_two_agencies_needs_the_agency(tmp_path):
    folder = tmp_path / "s"
    other = {"id": "X1", "kind": "other", "x": 0, "y": 0, "polri": 2, "tni": 2}
    path = write_scenario(
        folder, STATIONS, [*BASES, other], extra={"personnel": [{"file": "p.csv"}]}
    )
    write(folder, "p.csv", "id,name,unit,agency\n1,Budi,X1,\n2,Joko,X1,tni\n")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    issues = [(i.field, i.line) for i in caught.value.issues]
    assert issues == [("column agency", 2)], caught.value.issues


def test_a_personnel_file_must_exist_and_be_csv(tmp_path):
    problems = load_problems(
        tmp_path,
        [{"file": "missing.csv"}, {"file": "personel.xlsx"}],
        {},
    )
    assert any("personnel[0].file" in p and "file not found" in p for p in problems), (
        problems
    )
    assert any(
        "personnel[1]" in p and "save the spreadsheet as CSV" in p for p in problems
    )
