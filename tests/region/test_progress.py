"""Progress display: a line per stage of a solve, a bar over a region's districts."""

from __future__ import annotations

import io
import logging
import sys
from pathlib import Path

import pytest
from region_helpers import FOLDERS
from rich.console import Console

from deploy_opt.pipeline import run
from deploy_opt.progress import district_bar, progress_enabled, stage_status
from deploy_opt.region import run_region

STAGES = (
    "scenario and travel times",
    "grouping",
    "police allocation",
    "TNI allocation",
    "Linmas, medical teams, check and outputs",
)


def terminal() -> tuple[Console, io.StringIO]:
    buffer = io.StringIO()
    return Console(
        file=buffer, force_terminal=True, width=200, color_system=None
    ), buffer


def test_a_line_per_stage_in_order(generated_region: Path, tmp_path: Path) -> None:
    logger = logging.getLogger("deploy_opt")
    level, handlers = logger.level, list(logger.handlers)
    console, buffer = terminal()
    with stage_status(console):
        run(
            generated_region / FOLDERS[0] / "scenario.yaml",
            tmp_path / "o",
            reproducible=True,
        )
    text = buffer.getvalue()
    positions = [text.find(f"done {stage} (") for stage in STAGES]
    assert -1 not in positions, text
    assert positions == sorted(positions)
    assert "formed " in text  # the stage's own record says what it did
    assert (logger.level, logger.handlers) == (level, handlers)


def test_a_bar_over_the_districts(three_districts: Path, tmp_path: Path) -> None:
    console, buffer = terminal()
    with district_bar(console) as bar:
        run_region(three_districts, tmp_path / "o", reproducible=True, listener=bar)
    text = buffer.getvalue()
    for name in (
        "Polres Metro Jakarta Pusat",
        "Polres Metro Jakarta Barat",
        "Polres Kepulauan Seribu",
    ):
        assert f"done {name}: " in text
    assert "3/3" in text


def test_off_when_quiet_or_not_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stderr", io.StringIO())
    assert not progress_enabled(quiet=False)
    monkeypatch.setattr(sys, "stderr", Terminal())
    assert progress_enabled(quiet=False)
    assert not progress_enabled(quiet=True)
