"""SIGTERM and Ctrl-C end ``deploy-opt solve`` cleanly: a message, 143 / 130, no output.

A logging handler (the public logging interface, not a patch of our code)
acts when a chosen progress line is logged, so the signal always arrives at
that point: inside the solve, or while the output files are being written
(the staging folder exists then), without any sleep that could race.

Two tests run the real console entry point in a child process and signal it
from outside; the others signal the test process itself (cheaper: no second
interpreter loading pandas and OR-Tools).
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from deploy_opt.cli import cli, install_signal_handlers

VALID = Path(__file__).resolve().parents[1] / "data" / "invalid" / "_valid.yaml"

#: Progress lines: the first inside the solve, the second after the atomic
#: writer made its staging folder (logged at -vv).
IN_SOLVE = "formed "
WRITING = "writing the outputs into"

DRIVER = """
import logging, signal, sys
from deploy_opt.cli import main

MARK = sys.argv[1]

class PauseAt(logging.Handler):
    def emit(self, record):
        if record.getMessage().startswith(MARK):
            print("ready", flush=True)
            signal.pause()

logging.getLogger().addHandler(PauseAt(logging.DEBUG))
sys.argv = ["deploy-opt", *sys.argv[2:]]
main()
"""
COMMAND = (sys.executable, "-c", DRIVER)


def run_child(pause_at: str, out: Path, *extra: str) -> tuple[int, str, str]:
    """Run the CLI in a child, SIGTERM it at ``pause_at``; exit code and output."""
    child = subprocess.Popen(
        [*COMMAND, pause_at, "-vv", "solve", str(VALID), "--out", str(out), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        line = child.stdout.readline()
        assert line == "ready\n", child.communicate(timeout=120)
        child.send_signal(signal.SIGTERM)
        stdout, stderr = child.communicate(timeout=120)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    return child.returncode, stdout, stderr


def test_sigterm_in_the_solve_ends_the_process_with_143(tmp_path):
    out = tmp_path / "plan"
    returncode, stdout, stderr = run_child(IN_SOLVE, out)
    assert returncode == 143, stderr
    assert "terminated (SIGTERM); no output was written" in stderr
    assert "Traceback" not in stderr
    assert stdout == ""  # no summary printed
    assert list(tmp_path.iterdir()) == []


def test_sigterm_while_replacing_keeps_the_earlier_output(tmp_path):
    out = tmp_path / "plan"
    out.mkdir()
    earlier = json.dumps({"tool": "deploy_opt", "run": "earlier"})
    (out / "summary.json").write_text(earlier)
    returncode, _, stderr = run_child(WRITING, out, "--overwrite")
    assert returncode == 143, stderr
    assert f"terminated (SIGTERM); {out} was left as it was" in stderr
    assert [p.name for p in tmp_path.iterdir()] == ["plan"]  # no staging folder
    assert (out / "summary.json").read_text() == earlier


class SignalAt(logging.Handler):
    """Send ``sig`` to this process when a record starts with ``mark``."""

    def __init__(self, mark: str, sig: signal.Signals) -> None:
        super().__init__(logging.DEBUG)
        self.mark, self.sig = mark, sig

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().startswith(self.mark):
            os.kill(os.getpid(), self.sig)


@pytest.fixture
def sigterm_handled() -> Iterator[None]:
    before = signal.getsignal(signal.SIGTERM)
    install_signal_handlers()
    yield
    signal.signal(signal.SIGTERM, before)


@pytest.mark.usefixtures("sigterm_handled")
@pytest.mark.parametrize(
    ("pause_at", "sig", "code", "message"),
    [
        (WRITING, signal.SIGTERM, 143, "terminated (SIGTERM)"),
        (IN_SOLVE, signal.SIGINT, 130, "interrupted (Ctrl-C)"),
        (WRITING, signal.SIGINT, 130, "interrupted (Ctrl-C)"),
    ],
)
def test_signal_leaves_nothing_half_written(tmp_path, pause_at, sig, code, message):
    out = tmp_path / "plan"
    handler = SignalAt(pause_at, sig)
    logging.getLogger().addHandler(handler)
    try:
        result = CliRunner().invoke(
            cli, ["-vv", "solve", str(VALID), "--out", str(out)]
        )
    finally:
        logging.getLogger().removeHandler(handler)
    assert result.exit_code == code, result.output
    assert f"{message}; no output was written" in result.stderr
    assert "checker:" not in result.stdout  # no summary printed
    assert list(tmp_path.iterdir()) == []  # neither the output nor a staging folder
