"""``--out`` paths that cannot be written are refused before anything is solved.

Every case runs the CLI on a scenario with a mistake in it: seeing the
``--out`` error and not the scenario's shows the path was checked first.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from deploy_opt.cli import cli
from deploy_opt.errors import OutputPathError
from deploy_opt.export.atomic import check_writable, write_directory

DATA = Path(__file__).resolve().parents[1] / "data" / "invalid"
BROKEN = DATA / "unknown_category.yaml"  # loading it would report a problem


def refused(out: str | Path, *expected: str) -> None:
    result = CliRunner().invoke(cli, ["solve", str(BROKEN), "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert "error: --out:" in result.output
    assert "nothing was solved" in result.output
    assert "problem(s) found" not in result.output  # the scenario was not read
    assert "Traceback" not in result.output
    for text in expected:
        assert text in result.output, result.output


def test_parent_is_a_file(tmp_path):
    (tmp_path / "notes.txt").write_text("x")
    refused(tmp_path / "notes.txt" / "plan", "notes.txt` is a file, expected a folder")
    assert (tmp_path / "notes.txt").read_text() == "x"


def test_grandparent_is_a_file(tmp_path):
    (tmp_path / "notes.txt").write_text("x")
    refused(tmp_path / "notes.txt" / "a" / "plan", "is a file, expected a folder")


def test_dangling_symlink_as_out(tmp_path):
    (tmp_path / "plan").symlink_to(tmp_path / "gone")
    refused(tmp_path / "plan", "is a symbolic link to", "which does not exist")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan"]


def test_dangling_symlink_in_the_parents(tmp_path):
    (tmp_path / "runs").symlink_to(tmp_path / "gone")
    refused(tmp_path / "runs" / "day1" / "plan", "runs` is a symbolic link to")
    assert not (tmp_path / "gone").exists()


def test_symlink_loop(tmp_path):
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    refused(tmp_path / "a" / "plan", "symbolic link that cannot be followed")


def test_nul_in_the_path(tmp_path):
    out = f"{tmp_path}/pl\0an"
    result = CliRunner().invoke(cli, ["solve", str(BROKEN), "--out", out])
    assert result.exit_code == 2, result.output
    assert "Invalid value for '--out'" in result.output
    assert "pl\\x00an` contains a NUL character" in result.output
    assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []


def test_over_long_name(tmp_path):
    refused(tmp_path / ("p" * 300), "300 bytes long; expected at most")
    assert list(tmp_path.iterdir()) == []


def test_name_that_leaves_no_room_for_the_staging_folder(tmp_path):
    # 250 bytes fit the file system but not ".<name>.tmp-<pid>-<random>"
    refused(tmp_path / ("p" * 250), "temporary folder")
    assert list(tmp_path.iterdir()) == []


def test_over_long_folder_name_in_the_parents(tmp_path):
    refused(tmp_path / ("é" * 200) / "plan", "400 bytes long")


def test_over_long_path(tmp_path):
    deep = tmp_path.joinpath(*["folder"] * 700) / "plan"
    refused(deep, "bytes long; expected at most")
    assert list(tmp_path.iterdir()) == []


def test_root_is_not_an_output_folder():
    refused("/", "file system root")


@pytest.mark.parametrize("place", ["/proc", "/sys", "/sys/kernel"])
def test_place_even_root_cannot_write(place):
    if not Path(place).is_dir():
        pytest.skip(f"{place} is not mounted here")
    refused(f"{place}/deploy_opt_plan/x", f"no folder can be created in `{place}`")


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write any folder")
def test_unwritable_folder(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        refused(locked / "plan", "is not writable")
    finally:
        locked.chmod(0o755)


def test_missing_parents_are_fine_and_nothing_is_left_by_the_check(tmp_path):
    out = tmp_path / "a" / "b" / "plan"
    check_writable(out, overwrite=False)
    assert list(tmp_path.iterdir()) == []  # the probe folder is gone
    write_directory(out, {"summary.json": b"{}"}, overwrite=False)
    assert (out / "summary.json").read_bytes() == b"{}"


def test_relative_path_with_dots(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sub").mkdir()
    write_directory(Path("sub/../plan"), {"summary.json": b"{}"}, overwrite=False)
    assert (tmp_path / "plan" / "summary.json").is_file()


def test_library_raises_output_path_error(tmp_path):
    (tmp_path / "f").write_text("")
    with pytest.raises(OutputPathError, match="is a file"):
        check_writable(tmp_path / "f" / "plan", overwrite=False)
    with pytest.raises(OutputPathError, match="NUL"):
        write_directory(f"{tmp_path}/a\0b", {"x": b""}, overwrite=False)
