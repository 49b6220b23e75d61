"""Command-line options: ranges CP-SAT takes, -v/-q anywhere, light start-up."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from deploy_opt import __version__
from deploy_opt.cli import MAX_SEED, MAX_WORKERS, cli, terminal_text

VALID = Path(__file__).resolve().parents[1] / "data" / "invalid" / "_valid.yaml"
HEAVY = {
    "pandas",
    "geopandas",
    "ortools",
    "scipy",
    "networkx",
    "shapely",
    "numpy",
    "rich",
    "dask",
    "distributed",
}


def solve_args(out: Path, *options: str) -> list[str]:
    return ["solve", str(VALID), "--out", str(out), *options]


@pytest.mark.parametrize(
    ("options", "option", "expected"),
    [
        (["--seed", str(MAX_SEED + 1)], "--seed", f"0<=x<={MAX_SEED}"),
        (["--seed", "-1"], "--seed", f"0<=x<={MAX_SEED}"),
        (["--seed", "1e3"], "--seed", "not a valid integer"),
        (["--workers", "0"], "--workers", f"1<=x<={MAX_WORKERS}"),
        (["--workers", str(MAX_WORKERS + 1)], "--workers", f"1<=x<={MAX_WORKERS}"),
        (["--workers", "10001"], "--workers", f"1<=x<={MAX_WORKERS}"),
        (["--time-limit", "nan"], "--time-limit", "positive, finite"),
        (["--time-limit", "NaN"], "--time-limit", "positive, finite"),
        (["--time-limit", "inf"], "--time-limit", "positive, finite"),
        (["--time-limit", "-inf"], "--time-limit", "positive, finite"),
        (["--time-limit", "-5"], "--time-limit", "positive, finite"),
        (["--time-limit", "0"], "--time-limit", "positive, finite"),
        (["--time-limit", "1e999"], "--time-limit", "positive, finite"),
        (["--time-limit", "ten"], "--time-limit", "not a number of seconds"),
    ],
)
def test_out_of_range_option_is_a_usage_error(tmp_path, options, option, expected):
    out = tmp_path / "plan"
    result = CliRunner().invoke(cli, solve_args(out, *options))
    assert result.exit_code == 2, result.output
    assert f"'{option}'" in result.output and expected in result.output
    assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []


def test_largest_seed_and_many_workers_are_accepted(tmp_path):
    out = tmp_path / "plan"
    result = CliRunner().invoke(
        cli,
        solve_args(out, "--seed", str(MAX_SEED), "--workers", "4", "--time-limit", "5"),
    )
    assert result.exit_code == 0, result.output
    assert json.loads((out / "summary.json").read_text())["seed"] == MAX_SEED


@pytest.mark.parametrize(
    "args",
    [
        ["solve", str(VALID), "--out", "{out}", "-q"],
        ["-q", "solve", str(VALID), "--out", "{out}"],
        ["solve", "-q", str(VALID), "--out", "{out}"],
    ],
)
def test_quiet_before_or_after_the_command(tmp_path, args):
    out = tmp_path / "plan"
    result = CliRunner().invoke(cli, [a.replace("{out}", str(out)) for a in args])
    assert result.exit_code == 0, result.output
    assert result.output == ""
    assert (out / "summary.json").is_file()


@pytest.mark.parametrize(
    ("args", "shown"),
    [
        (["validate", str(VALID)], False),
        (["validate", str(VALID), "-v"], True),
        (["-v", "validate", str(VALID)], True),
        (["validate", "--verbose", str(VALID)], True),
        (["-v", "validate", str(VALID), "-q"], False),  # they add up across places
    ],
)
def test_verbose_before_or_after_the_command(args, shown):
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert ("INFO: read " in result.stderr) is shown


def test_version_and_help():
    version = CliRunner().invoke(cli, ["--version"])
    assert version.exit_code == 0 and __version__ in version.output
    helptext = CliRunner().invoke(cli, ["--help"])
    assert helptext.exit_code == 0 and "show-versions" in helptext.output


def test_show_versions_lists_the_key_libraries():
    result = CliRunner().invoke(cli, ["show-versions"])
    assert result.exit_code == 0, result.output
    names = {line.split()[0] for line in result.output.splitlines()}
    assert {"python", "deploy-opt", "ortools", "numpy", "pandas"} <= names
    assert f"deploy-opt   {__version__}" in result.output


@pytest.mark.parametrize(
    ("code", "argv"),
    [
        ("import deploy_opt.cli", []),
        ("import deploy_opt", []),
        ("import deploy_opt; deploy_opt.__version__", []),
        ("from deploy_opt.cli import main; main()", ["--help"]),
        ("from deploy_opt.cli import main; main()", ["--version"]),
        ("from deploy_opt.cli import main; main()", ["solve", "--help"]),
        ("from deploy_opt.cli import main; main()", ["show-versions"]),
    ],
)
def test_start_up_imports_no_heavy_library(code, argv):
    """--help, --version and show-versions must not load pandas, OR-Tools and the like."""
    script = (
        "import sys\n"
        f"sys.argv = ['deploy-opt', *{argv!r}]\n"
        "try:\n"
        f"    {code}\n"
        "except SystemExit as exc:\n"
        "    assert exc.code in (0, None), exc.code\n"
        f"heavy = {sorted(HEAVY)!r}\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy), file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stderr.strip().splitlines()[-1] == "[]"


def test_public_names_still_import():
    import deploy_opt

    assert callable(deploy_opt.run) and callable(deploy_opt.load_scenario)
    assert set(deploy_opt.__all__) <= set(dir(deploy_opt))
    with pytest.raises(AttributeError, match="no_such_name"):
        _ = deploy_opt.no_such_name


@pytest.mark.parametrize("command", ["validate", "solve"])
def test_nul_in_the_scenario_path_is_a_usage_error(tmp_path, command):
    args = [command, f"{tmp_path}/scen\0ario.yaml"]
    if command == "solve":
        args += ["--out", str(tmp_path / "plan")]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2, result.output
    assert "Invalid value for 'SCENARIO'" in result.output
    assert "scen\\x00ario.yaml` contains a NUL character" in result.output
    assert list(tmp_path.iterdir()) == []


def test_terminal_output_shows_control_characters_as_escapes(tmp_path):
    # an ESC sequence in a name must not reach the terminal (colours, cursor moves)
    assert terminal_text("Kec \x1b[2J A\nnext") == "Kec \\x1b[2J A\nnext"
    (tmp_path / "file").write_text("")
    out = tmp_path / "file" / "pl\x1b[31man"
    result = CliRunner().invoke(cli, solve_args(out))
    assert result.exit_code == 2, result.output
    assert "\x1b" not in result.output and "pl\\x1b[31man" in result.output
