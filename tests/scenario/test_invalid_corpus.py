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
        2,
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
        "column tps_id",
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
    "empty_station_id": (
        "common/empty_station_id.csv",
        "column tps_id",
        3,
        "empty TPS id",
    ),
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
        "column base_id",
        2,
        "duplicate base id 'PS1'",
    ),
    "wrong_encoding": ("common/latin1.csv", "(file)", 2, "set `encoding`"),
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
    # YAML hazards
    "yaml_deep_nesting": (
        "yaml_deep_nesting.yaml",
        "(structure)",
        4,
        "nested more than 40 levels",
    ),
    "yaml_alias_bomb": ("yaml_alias_bomb.yaml", "(structure)", 7, "alias bomb"),
    "yaml_recursive_alias": (
        "yaml_recursive_alias.yaml",
        "(structure)",
        4,
        "recursive structure",
    ),
    "yaml_too_many_aliases": (
        "yaml_too_many_aliases.yaml",
        "(structure)",
        203,
        "more than 200 aliases",
    ),
    "duplicate_key": (
        "duplicate_key.yaml",
        "categories",
        23,
        "duplicate key 'categories' (also on line 9)",
    ),
    "yaml_control_character": (
        "yaml_control_character.yaml",
        "name",
        3,
        "control character U+0000 (NUL)",
    ),
    "yaml_not_utf8": ("yaml_not_utf8.yaml", "(file)", 4, "not UTF-8 text"),
    "yaml_raw_nul_byte": (
        "yaml_raw_nul_byte.yaml",
        "(syntax)",
        3,
        "U+0000 is not allowed",
    ),
    # odd file references
    "stations_file_nul": (
        "stations_file_nul.yaml",
        "stations.file",
        7,
        "contains a NUL character",
    ),
    "stations_file_long_name": (
        "stations_file_long_name.yaml",
        "stations.file",
        7,
        "file systems allow 255 per name",
    ),
    "stations_file_path_too_long": (
        "stations_file_path_too_long.yaml",
        "stations.file",
        7,
        "at most 4,096",
    ),
    "stations_file_is_folder": (
        "stations_file_is_folder.yaml",
        "stations.file",
        7,
        "is a folder, expected a file",
    ),
    "boundary_file_is_folder": (
        "boundary_file_is_folder.yaml",
        "district.boundary",
        5,
        "is a folder, expected a file",
    ),
    # values that were accepted silently
    "headcount_thousands_dot": (
        "common/headcount_thousands_dot.csv",
        "column polri",
        2,
        "'1.000' groups its digits with a thousands separator",
    ),
    "headcount_thousands_comma": (
        "common/headcount_thousands_comma.csv",
        "column polri",
        2,
        "'1,000' groups its digits with a thousands separator",
    ),
    "headcount_thousands_space": (
        "common/headcount_thousands_space.csv",
        "column polri",
        2,
        "'1 000' groups its digits with a thousands separator",
    ),
    "voters_thousands": (
        "common/voters_thousands.csv",
        "column voters",
        3,
        "'1.234' groups its digits",
    ),
    "control_nul_in_name": (
        "common/control_nul_in_name.csv",
        "column name",
        2,
        "control character U+0000 (NUL)",
    ),
    "control_tab_in_kelurahan": (
        "common/control_tab_in_kelurahan.csv",
        "column kelurahan",
        4,
        "control character U+0009 (tab)",
    ),
    "control_newline_in_id": (
        "common/control_newline_in_id.csv",
        "column tps_id",
        4,
        "check for an unclosed quote",
    ),
    "control_bidi_in_kecamatan": (
        "common/control_bidi_in_kecamatan.csv",
        "column kecamatan",
        5,
        "U+202E (RIGHT-TO-LEFT OVERRIDE)",
    ),
    # line and feature numbers
    "line_after_blank_lines": (
        "common/blank_lines.csv",
        "column category",
        7,
        "unknown category 'waspada'",
    ),
    "line_after_quoted_newlines": (
        "common/quoted_newlines.csv",
        "column category",
        7,
        "unknown category 'waspada'",
    ),
    "duplicate_header_column": (
        "common/duplicate_header.csv",
        "column lat",
        1,
        "appears twice in the header (cells 3 and 7)",
    ),
    "row_with_extra_cells": (
        "common/extra_cells.csv",
        "(row)",
        3,
        "9 cells but the header has 7",
    ),
    "geojson_line_feature": (
        "common/line_feature.geojson",
        "(geometry)",
        None,
        "feature 3 (id 'T003'): is a LineString; expected a Point",
    ),
    "geojson_bad_feature": (
        "common/bad_category_feature.geojson",
        "column category",
        None,
        "feature 2 (id 'T002'): unknown category 'waspada'",
    ),
    "station_far_outside_zone": (
        "common/far_away_feature.geojson",
        "column lon/lat",
        None,
        "feature 2 (id 'T002'): point is far outside the area of EPSG:32748",
    ),
    # schema and table problems in one run
    "schema_and_table_errors": (
        "schema_and_table_errors.yaml",
        "travell",
        16,
        "unknown key",
    ),
    # cross-references
    "linmas_post_misspelt_kelurahan": (
        "common/linmas_misspelt_kelurahan.csv",
        "column kelurahan",
        4,
        "has no kelurahan 'Sukasar' in tps.csv; did you mean 'Sukasari'?",
    ),
    "linmas_post_without_kelurahan": (
        "common/linmas_without_kelurahan.csv",
        "column kelurahan",
        4,
        "has 6 Linmas but no kelurahan",
    ),
    "linmas_post_wrong_kecamatan": (
        "common/linmas_wrong_kecamatan.csv",
        "column kecamatan",
        4,
        "kecamatan 'Tangrang' is not in tps.csv; kelurahan 'Sukasari' is in 'Tangerang'",
    ),
    "jurisdiction_unknown_kecamatan": (
        "common/jurisdiction_unknown.csv",
        "column jurisdiction",
        2,
        "kecamatan 'Tangrang' does not exist (no TPS in it); did you mean 'Tangerang'?",
    ),
    "tps_kelurahan_not_in_kecamatan": (
        "common/tps_kelurahan_elsewhere.csv",
        "column kelurahan",
        5,
        "kelurahan 'Babakan' is in kecamatan 'Tangerang' per kelurahan_boundary.geojson, "
        "not in 'Cibodas'",
    ),
    "tps_kelurahan_misspelt": (
        "common/tps_kelurahan_misspelt.csv",
        "column kelurahan",
        5,
        "has no kelurahan 'Babakn' in kelurahan_boundary.geojson; did you mean 'Babakan'?",
    ),
    "district_field_missing": (
        "district_field_missing.yaml",
        "district.kelurahan_field",
        7,
        "has no attribute 'kelurahan'",
    ),
    # personnel tables
    "personnel_duplicate_id": (
        "common/personnel_duplicate_id.csv",
        "column nrp",
        4,
        "duplicate id (NRP) '87050001', first on line 2",
    ),
    "stations_spreadsheet": (
        "common/tps.xlsx",
        "(file)",
        None,
        "save the sheet as 'CSV UTF-8 (comma delimited)'",
    ),
    "personnel_unknown_unit": (
        "common/personnel_unknown_unit.csv",
        "column unit",
        3,
        "unknown unit 'PS11': no base has this id or name; did you mean 'PS1'?",
    ),
    "personnel_too_many": (
        "common/personnel_too_many.csv",
        "column unit",
        7,
        "more named tni persons for base 'KR1' (Koramil Tangerang) than its tni "
        "headcount of 5",
    ),
    "personnel_control_character": (
        "common/personnel_control_character.csv",
        "column name",
        3,
        "control character U+0009 (tab)",
    ),
    "personnel_missing_name": (
        "common/personnel_missing_name.csv",
        "column name",
        3,
        "empty name",
    ),
    "personnel_unknown_agency": (
        "common/personnel_unknown_agency.csv",
        "column agency",
        3,
        "unknown agency 'TNI-AD'",
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


def _located(file: Path | str, field: str, line: int | None) -> str:
    """How the CLI prints the place of a problem: ``file:line: field:``."""
    return f"{file}:{line}: {field}:" if line is not None else f"{file}: {field}:"


@pytest.mark.parametrize("stem", sorted(CASES))
def test_cli_exits_2_without_traceback_and_writes_nothing(stem, tmp_path):
    file, field, line, fragment = CASES[stem]
    for command in (["validate"], ["solve", "--out", str(tmp_path / "plan")]):
        result = CliRunner().invoke(cli, [*command, str(INVALID / f"{stem}.yaml")])
        assert result.exit_code == 2, result.output
        assert "Traceback" not in result.output
        assert fragment in result.output
        assert _located(INVALID / file, field, line) in result.output, result.output
    assert not list(tmp_path.iterdir())  # no output directory, no staging folder


def test_reference_with_district_places_is_valid():
    scenario = load_scenario(INVALID / "_valid_with_places.yaml")
    assert not scenario.warnings


def test_schema_and_table_problems_are_listed_together():
    with pytest.raises(ScenarioError) as caught:
        load_scenario(INVALID / "schema_and_table_errors.yaml")
    fields = {(Path(i.file).name, i.field) for i in caught.value.issues}
    assert ("schema_and_table_errors.yaml", "travell") in fields
    assert ("unknown_category.csv", "column category") in fields
