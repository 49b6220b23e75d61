"""SIGTERM and Ctrl-C end a real ``deploy-opt solve`` process cleanly.

The child runs the real console entry point. A logging handler (the public
logging interface, not a patch of our code) prints ``ready`` when a chosen
progress line is logged and then waits in ``signal.pause()``, so the signal
always arrives at that point: inside the solve, or while the output files
are being written, without any sleep that could race.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest

VALID = Path(__file__).resolve().parents[1] / "data" / "invalid" / "_valid.yaml"

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

#: Progress lines: the first inside the solve, the second after the staging
#: folder of the atomic writer was made (it is logged at -vv).
IN_SOLVE = "formed "
COMMAND = (sys.executable, "-c", DRIVER)
WRITING = "writing the outputs into"


def run_until(pause_at: str, out: Path, sig: signal.Signals, *extra: str):
    child = subprocess.Popen(
        [*COMMAND, pause_at, "-vv", "solve", str(VALID), "--out", str(out), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        line = child.stdout.readline()
        assert line == "ready\n", child.communicate(timeout=60)
        child.send_signal(sig)
        stdout, stderr = child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    return child.returncode, stdout, stderr


@pytest.mark.parametrize(
    ("pause_at", "sig", "code", "message"),
    [
        (IN_SOLVE, signal.SIGTERM, 143, "terminated (SIGTERM)"),
        (WRITING, signal.SIGTERM, 143, "terminated (SIGTERM)"),
        (IN_SOLVE, signal.SIGINT, 130, "interrupted (Ctrl-C)"),
    ],
)
def test_signal_stops_the_run_and_writes_nothing(
    tmp_path, pause_at, sig, code, message
):
    out = tmp_path / "plan"
    returncode, stdout, stderr = run_until(pause_at, out, sig)
    assert returncode == code, stderr
    assert f"{message}; no output was written" in stderr
    assert "Traceback" not in stderr
    assert stdout == ""  # no summary printed
    assert list(tmp_path.iterdir()) == []  # neither the output nor a staging folder


def test_sigterm_while_replacing_keeps_the_earlier_output(tmp_path):
    out = tmp_path / "plan"
    out.mkdir()
    earlier = json.dumps({"tool": "deploy_opt", "run": "earlier"})
    (out / "summary.json").write_text(earlier)
    returncode, _, stderr = run_until(WRITING, out, signal.SIGTERM, "--overwrite")
    assert returncode == 143, stderr
    assert f"terminated (SIGTERM); {out} was left as it was" in stderr
    assert [p.name for p in tmp_path.iterdir()] == ["plan"]
    assert (out / "summary.json").read_text() == earlier
