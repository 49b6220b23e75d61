"""region.yaml is checked like a scenario: every problem with file, field and line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from region_helpers import FOLDERS

from deploy_opt.cli import cli
from deploy_opt.errors import ScenarioError
from deploy_opt.region import is_region_file, load_region, validate_region

HEADER = "region_version: 1\nname: test region\ndistricts:\n"


def entry(folder: str, name: str | None = None) -> str:
    return f"- name: {name or folder}\n  folder: {folder}\n"


def problems(path: Path) -> list:
    with pytest.raises(ScenarioError) as caught:
        load_region(path)
    return caught.value.issues


def test_generated_region_loads_in_order(three_districts: Path) -> None:
    region = load_region(three_districts)
    assert [d.folder for d in region.districts] == list(FOLDERS)
    assert all(d.scenario_path.is_file() for d in region.districts)
    assert is_region_file(three_districts)
    assert not is_region_file(three_districts.parent / FOLDERS[0] / "scenario.yaml")


def test_unknown_keys_are_refused_with_their_line(
    write_region: Callable[..., Path],
) -> None:
    text = HEADER + entry(FOLDERS[0]) + "  polres_code: 3171\n" + "colour: blue\n"
    found = problems(write_region("unknown.yaml", text=text))
    where = {(i.field, i.line) for i in found}
    assert ("districts[0].polres_code", 6) in where
    assert ("colour", 7) in where
    assert all(i.file.endswith("unknown.yaml") for i in found)
    assert all("unknown key" in i.message for i in found)


def test_missing_folder_is_named(write_region: Callable[..., Path]) -> None:
    text = HEADER + entry(FOLDERS[0]) + entry("3999-polres-nowhere")
    (issue,) = problems(write_region("missing.yaml", text=text))
    assert issue.field == "districts[1].folder"
    assert issue.line == 7
    assert "3999-polres-nowhere" in issue.message
    assert "does not exist" in issue.message


def test_folder_without_scenario_is_named(
    write_region: Callable[..., Path], generated_region: Path
) -> None:
    (generated_region / "empty-polres").mkdir(exist_ok=True)
    (issue,) = problems(write_region("empty.yaml", text=HEADER + entry("empty-polres")))
    assert "empty-polres" in issue.message
    assert "scenario.yaml" in issue.message


@pytest.mark.parametrize("folder", ["../elsewhere", "/etc", "a/b", ".hidden", "x y"])
def test_folder_must_be_a_plain_name(
    write_region: Callable[..., Path], folder: str
) -> None:
    text = HEADER + f"- name: X\n  folder: '{folder}'\n"
    (issue,) = problems(write_region("bad-folder.yaml", text=text))
    assert issue.field == "districts[0].folder"
    assert "expected the name of a folder next to region.yaml" in issue.message


def test_every_problem_at_once(write_region: Callable[..., Path]) -> None:
    text = (
        "region_version: 2\n"
        "districts:\n"
        + entry(FOLDERS[0])
        + entry(FOLDERS[0], name="again")
        + "- folder: 3999-x\n"
    )
    found = problems(write_region("many.yaml", text=text))
    fields = {i.field: i.message for i in found}
    assert "expected 1" in fields["region_version"]
    assert fields["name"] == "required key is missing"
    assert fields["districts[2].name"] == "required key is missing"
    assert "listed twice" in fields["districts[1].folder"]


def test_empty_district_list_is_refused(write_region: Callable[..., Path]) -> None:
    (issue,) = problems(write_region("none.yaml", text=HEADER.rstrip() + " []\n"))
    assert issue.field == "districts"


def test_validate_region_reads_every_district(three_districts: Path) -> None:
    _, checks = validate_region(three_districts)
    assert [c.folder for c in checks] == list(FOLDERS)
    assert all(c.stations > 0 and c.bases > 0 for c in checks)


def test_validate_lists_problems_of_all_district_scenarios(
    generated_region: Path, tmp_path: Path
) -> None:
    import shutil

    root = tmp_path / "broken"
    for folder in FOLDERS[:2]:
        shutil.copytree(generated_region / folder, root / folder)
        path = root / folder / "scenario.yaml"
        path.write_text(
            path.read_text(encoding="utf-8") + "mystery: 1\n", encoding="utf-8"
        )
    region = root / "region.yaml"
    region.write_text(HEADER + entry(FOLDERS[0]) + entry(FOLDERS[1]), encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        validate_region(region)
    assert {Path(i.file).parent.name for i in caught.value.issues} == set(FOLDERS[:2])

    result = CliRunner().invoke(cli, ["validate", str(region)])
    assert result.exit_code == 2
    assert result.output.count("mystery") == 2


def test_cli_validate_accepts_the_region(three_districts: Path) -> None:
    result = CliRunner().invoke(cli, ["validate", str(three_districts)])
    assert result.exit_code == 0, result.output
    assert "valid region. 3 district(s)" in result.output


def test_cli_validate_names_the_missing_folder(
    write_region: Callable[..., Path],
) -> None:
    path = write_region("cli-missing.yaml", text=HEADER + entry("3999-polres-gone"))
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code == 2
    assert "cli-missing.yaml:5: districts[0].folder" in result.output
    assert "3999-polres-gone" in result.output
    assert "Traceback" not in result.output
