"""One small bad file per failure mode: each names its file, field and line."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from deploy_opt import ScenarioError, load_scenario
from deploy_opt.cli import cli

INVALID = Path(__file__).resolve().parents[1] / "data" / "invalid"

# file stem -> (file the problem is in, field, line or None, message fragment)
CASES: dict[str, tuple[str, str, int | None, str]] = {
    "malformed_yaml": ("malformed_yaml.yaml", "(syntax)", 9, "malformed YAML"),
    "not_a_mapping": ("not_a_mapping.yaml", "(top level)", 1, "expected a mapping"),
    "python_object_tag": (
        "python_object_tag.yaml",
        "(syntax)",
        3,
        "could not determine a constructor",
    ),
    "unknown_key": ("unknown_key.yaml", "travell", 16, "unknown key"),
    "missing_required_key": (
        "missing_required_key.yaml",
        "name",
        None,
        "required key is missing",
    ),
    "missing_stations_file": (
        "missing_stations_file.yaml",
        "stations.file",
        7,
        "file not found",
    ),
    "missing_boundary_file": (
        "missing_boundary_file.yaml",
        "district.boundary",
        5,
        "file not found",
    ),
    "pattern_tps_zero": (
        "pattern_tps_zero.yaml",
        "categories.rawan",
        11,
        "secures 0 TPS",
    ),
    "named_tps_zero": (
        "named_tps_zero.yaml",
        "categories.kurang_rawan.tps",
        12,
        "greater than 0",
    ),
    "pattern_without_order": (
        "pattern_without_order.yaml",
        "categories.rawan",
        11,
        "needs `pattern_order`",
    ),
    "pattern_fractional_linmas": (
        "pattern_fractional_linmas.yaml",
        "categories.rawan",
        11,
        "not a whole number per TPS",
    ),
    "pattern_not_numbers": (
        "pattern_not_numbers.yaml",
        "categories.rawan",
        11,
        "not three numbers",
    ),
    "police_below_minimum": (
        "police_below_minimum.yaml",
        "categories.kurang_rawan.police",
        12,
        "body-system",
    ),
    "weight_not_number": (
        "weight_not_number.yaml",
        "categories.khusus.weight",
        10,
        "valid number",
    ),
    "negative_weight": (
        "negative_weight.yaml",
        "categories.khusus.weight",
        10,
        "greater than 0",
    ),
    "unknown_agency": (
        "unknown_agency.yaml",
        "travel.agencies",
        18,
        "unknown agency ['satpol']",
    ),
    "missing_agency_speed": (
        "missing_agency_speed.yaml",
        "travel.agencies",
        18,
        "missing agency ['tni']",
    ),
    "negative_speed": (
        "negative_speed.yaml",
        "travel.agencies.polri.speed_kmh",
        19,
        "greater than 0",
    ),
    "detour_below_one": (
        "detour_below_one.yaml",
        "travel.detour_factor",
        17,
        "greater than or equal to 1",
    ),
    "no_categories": (
        "no_categories.yaml",
        "categories",
        9,
        "at least one risk category",
    ),
    "missing_column": ("common/tps.csv", "column tps_number", 1, "missing column"),
    "unknown_station_field": (
        "unknown_station_field.yaml",
        "stations.columns",
        8,
        "unknown field(s) ['risk']",
    ),
    "unknown_category": (
        "common/unknown_category.csv",
        "column category",
        4,
        "unknown category 'waspada'",
    ),
    "duplicate_tps_id": (
        "common/duplicate_tps_id.csv",
        "column id",
        3,
        "duplicate TPS id 'T001'",
    ),
    "point_outside_district": (
        "common/point_outside_district.csv",
        "column lon/lat",
        3,
        "outside the district",
    ),
    "swapped_lon_lat": ("common/swapped_lon_lat.csv", "column lat", 3, "swapped"),
    "coordinate_not_number": (
        "common/coordinate_not_number.csv",
        "column lon",
        3,
        "expected a number",
    ),
    "empty_station_table": (
        "common/empty_station_table.csv",
        "(file)",
        None,
        "has no rows",
    ),
    "empty_station_id": ("common/empty_station_id.csv", "column id", 3, "empty TPS id"),
    "negative_voters": (
        "common/negative_voters.csv",
        "column voters",
        2,
        "whole number >= 0",
    ),
    "negative_headcount": (
        "common/negative_headcount.csv",
        "column polri",
        2,
        "found '-10'",
    ),
    "non_integer_headcount": (
        "common/non_integer_headcount.csv",
        "column polri",
        2,
        "found '2.5'",
    ),
    "huge_headcount": (
        "common/huge_headcount.csv",
        "column polri",
        2,
        "from 0 to 1,000,000",
    ),
    "unknown_base_kind": (
        "common/unknown_base_kind.csv",
        "column kind",
        2,
        "unknown base kind 'markas'",
    ),
    "duplicate_base_id": (
        "common/bases.csv",
        "column id",
        2,
        "duplicate base id 'PS1'",
    ),
    "wrong_encoding": ("common/latin1.csv", "(file)", None, "set `encoding`"),
    "unknown_encoding": (
        "unknown_encoding.yaml",
        "stations.encoding",
        9,
        "unknown encoding 'klingon'",
    ),
    "unknown_crs": ("unknown_crs.yaml", "crs", 4, "unknown CRS 'EPSG:99999'"),
    "huge_speed": (
        "huge_speed.yaml",
        "travel.agencies.polri.speed_kmh",
        19,
        "less than or equal to 300",
    ),
    "wrong_crs": ("wrong_crs.yaml", "crs", 4, "no TPS lies inside the district"),
    "projected_crs_in_degrees": (
        "projected_crs_in_degrees.yaml",
        "projected_crs",
        4,
        "not a projected CRS in metres",
    ),
}


def test_every_file_in_the_corpus_has_a_case():
    stems = {p.stem for p in INVALID.glob("*.yaml") if not p.stem.startswith("_")}
    assert stems == set(CASES)


def test_reference_scenario_is_valid():
    scenario = load_scenario(INVALID / "_valid.yaml")
    assert len(scenario.stations) == 4


@pytest.mark.parametrize("stem", sorted(CASES))
def test_invalid_file_is_reported_precisely(stem):
    file, field, line, fragment = CASES[stem]
    with pytest.raises(ScenarioError) as caught:
        load_scenario(INVALID / f"{stem}.yaml")
    matching = [i for i in caught.value.issues if fragment in i.message]
    assert matching, [str(i) for i in caught.value.issues]
    issue = matching[0]
    assert Path(issue.file) == INVALID / file
    assert issue.field == field
    if line is not None:
        assert issue.line == line


@pytest.mark.parametrize("stem", sorted(CASES))
def test_cli_exits_2_without_traceback_and_writes_nothing(stem, tmp_path):
    for command in (["validate"], ["solve", "--out", str(tmp_path / "plan")]):
        result = CliRunner().invoke(cli, [*command, str(INVALID / f"{stem}.yaml")])
        assert result.exit_code == 2, result.output
        assert "Traceback" not in result.output
        assert CASES[stem][3] in result.output
    assert not list(tmp_path.iterdir())  # no output directory, no staging folder
