"""Paths that cannot be files: built at test time (FIFOs, symlink loops, ...).

Each one, as the scenario itself or as a file it refers to, must end the CLI
with exit 2 and a message naming the file and field, before any solve and
without creating the output folder. FIFO cases run the real command in a
background thread with a watchdog that unblocks it, so a regression hangs
no test run.
"""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from deploy_opt import ScenarioError, load_scenario
from deploy_opt.cli import cli

INVALID = Path(__file__).resolve().parents[1] / "data" / "invalid"
VALID = (INVALID / "_valid.yaml").read_text()


def _scenario(tmp_path: Path, text: str = VALID) -> Path:
    shutil.copytree(INVALID / "common", tmp_path / "common")
    path = tmp_path / "scenario.yaml"
    path.write_text(text)
    return path


def _solve_with_a_watchdog(scenario: str, out: Path, fifo: Path) -> tuple[int, str]:
    """Run ``deploy-opt solve``; if it blocks on the FIFO, unblock it and fail."""
    outcome: list[Result] = []
    worker = threading.Thread(
        target=lambda: outcome.append(
            CliRunner().invoke(cli, ["solve", scenario, "--out", str(out)])
        ),
        daemon=True,
    )
    worker.start()
    worker.join(timeout=60)
    if worker.is_alive():  # blocked opening the FIFO: write to it to let go
        with fifo.open("w") as handle:
            handle.write("x")
        worker.join(timeout=10)
        pytest.fail(f"deploy-opt solve blocked on the FIFO {fifo}")
    return outcome[0].exit_code, outcome[0].output


def _assert_refused(code: int, output: str, out: Path, *fragments: str) -> None:
    assert code == 2, output
    assert "Traceback" not in output
    for fragment in fragments:
        assert fragment in output, output
    assert not out.exists()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifo_as_stations_file_is_refused_without_hanging(tmp_path):
    scenario = _scenario(tmp_path, VALID.replace("common/tps.csv", "common/pipe.csv"))
    os.mkfifo(tmp_path / "common" / "pipe.csv")
    code, output = _solve_with_a_watchdog(
        str(scenario), tmp_path / "out", tmp_path / "common" / "pipe.csv"
    )
    _assert_refused(
        code,
        output,
        tmp_path / "out",
        f"{scenario}:6: stations.file: is a named pipe (FIFO)",
    )


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifo_as_scenario_is_refused_without_hanging(tmp_path):
    os.mkfifo(tmp_path / "scenario.yaml")
    code, output = _solve_with_a_watchdog(
        str(tmp_path / "scenario.yaml"), tmp_path / "out", tmp_path / "scenario.yaml"
    )
    _assert_refused(
        code,
        output,
        tmp_path / "out",
        f"{tmp_path / 'scenario.yaml'}: (file): is a named pipe (FIFO)",
    )


def _loop(folder: Path, name: str) -> None:
    (folder / name).symlink_to(folder / f"{name}.other")
    (folder / f"{name}.other").symlink_to(folder / name)


def _device_link(folder: Path, name: str) -> None:
    (folder / name).symlink_to("/dev/zero")


# (what to build, scenario text or None for the scenario itself, expected text)
REFERENCE_CASES = {
    "bases_symlink_loop": (
        lambda root: _loop(root / "common", "loop.csv"),
        VALID.replace("common/bases.csv", "common/loop.csv"),
        ":13: bases[0].file: file not found: the path runs into a loop of symbolic links",
    ),
    "boundary_symlink_loop": (
        lambda root: _loop(root / "common", "loop.geojson"),
        VALID.replace("common/boundary.geojson", "common/loop.geojson"),
        ":4: district.boundary: file not found: the path runs into a loop",
    ),
    "stations_file_is_a_device": (
        lambda root: _device_link(root / "common", "zero.csv"),
        VALID.replace("common/tps.csv", "common/zero.csv"),
        ":6: stations.file: is a device, expected a regular file",
    ),
}


@pytest.mark.parametrize("case", sorted(REFERENCE_CASES))
def test_odd_file_reference_is_refused(tmp_path, case):
    build, text, expected = REFERENCE_CASES[case]
    if case == "stations_file_is_a_device" and not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero")
    scenario = _scenario(tmp_path, text)
    build(tmp_path)
    # even with outside files allowed (/dev/zero is outside the folder)
    result = CliRunner().invoke(
        cli,
        [
            "solve",
            str(scenario),
            "--out",
            str(tmp_path / "out"),
            "--allow-outside-files",
        ],
    )
    _assert_refused(
        result.exit_code, result.output, tmp_path / "out", f"{scenario}{expected}"
    )


def _big_yaml(path: Path) -> None:
    path.write_text(VALID + "# padding\n" * 120_000)  # 1.2 MB, limit 1 MiB


SCENARIO_CASES = {
    "symlink_loop": (lambda p: _loop(p.parent, p.name), "loop of symbolic links"),
    "folder": (lambda p: p.mkdir(), "is a folder, expected a file"),
    "too_large": (_big_yaml, "a file here may have at most 1.0 MiB"),
}


@pytest.mark.parametrize("case", sorted(SCENARIO_CASES))
def test_odd_scenario_path_is_refused(tmp_path, case):
    build, expected = SCENARIO_CASES[case]
    scenario = tmp_path / "scenario.yaml"
    build(scenario)
    result = CliRunner().invoke(
        cli, ["solve", str(scenario), "--out", str(tmp_path / "out")]
    )
    _assert_refused(
        result.exit_code,
        result.output,
        tmp_path / "out",
        f"{scenario}: (file): ",
        expected,
    )


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("scen\x00ario.yaml", "the path contains a NUL character"),
        ("s" * 300 + ".yaml", "file systems allow 255 per name"),
        ("d/" * 2100 + "scenario.yaml", "at most 4,096"),
    ],
    ids=["nul", "long_name", "long_path"],
)
def test_unusable_scenario_name_is_refused(tmp_path, name, expected):
    path = tmp_path / name
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    (issue,) = caught.value.issues
    assert (issue.field, issue.line) == ("(file)", None)
    assert expected in issue.message
    result = CliRunner().invoke(
        cli, ["solve", str(path), "--out", str(tmp_path / "out")]
    )
    # the CLI may refuse a NUL in its argument itself; either way: exit 2
    _assert_refused(
        result.exit_code,
        result.output,
        tmp_path / "out",
        "NUL" if "\x00" in name else expected,
    )
