"""Progress on the terminal (rich): a bar over a region's districts, a line per stage of a solve.

Shown only when stderr is a terminal and ``-q`` is not given, so CI logs stay
clean. The stage lines follow deploy_opt's own log records (the pipeline's and
the solver's "done" messages), so no solver code knows about the display.
While a display is live, deploy_opt's log lines are printed above it.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

from deploy_opt.export.cells import escape_controls

logger = logging.getLogger("deploy_opt")

#: A stage ends with a log record; (test on the record, stage it ends, next stage).
_Rule = tuple[Callable[[logging.LogRecord], bool], str, str]


def _template(prefix: str) -> Callable[[logging.LogRecord], bool]:
    return lambda record: isinstance(record.msg, str) and record.msg.startswith(prefix)


def _agency(name: str) -> Callable[[logging.LogRecord], bool]:
    return lambda record: (
        isinstance(record.msg, str)
        and record.msg.startswith("%s: %d of %d groups staffed")
        and bool(record.args)
        and record.args[0] == name  # type: ignore[index]
    )


#: The stages of one solve, each ended by the record that reports it done.
STAGES: tuple[_Rule, ...] = (
    (_template("%d TPS, %d bases"), "scenario and travel times", "grouping TPS"),
    (_template("formed %d groups"), "grouping", "police allocation"),
    (_agency("polri"), "police allocation", "TNI allocation"),
    (_agency("tni"), "TNI allocation", "Linmas, medical teams, check and outputs"),
)
FIRST_STAGE = "reading the scenario, travel times"


def _done_line(text: str) -> Text:
    """``done`` in green, then ``text`` (from inputs: no markup, controls escaped)."""
    return Text.assemble(("done", "green"), escape_controls(text))


def progress_enabled(quiet: bool) -> bool:
    """Whether to show progress: not ``quiet`` and stderr is a terminal."""
    return not quiet and sys.stderr.isatty()


@contextmanager
def _log_above() -> Iterator[None]:
    """Print deploy_opt's log lines above a live display (enter it after the
    display starts) and let INFO records reach the display's handler without
    printing more than the verbosity asks for."""
    shown = logger.getEffectiveLevel()
    # a live display replaces sys.stderr by a proxy that prints above it
    original = getattr(sys.stderr, "rich_proxied_file", sys.stderr)
    saved = [(h, h.level, getattr(h, "stream", None)) for h in logger.handlers]
    for handler, level, stream in saved:
        handler.setLevel(max(level, shown))
        if isinstance(handler, logging.StreamHandler) and stream is original:
            handler.setStream(sys.stderr)
    old_level = logger.level
    logger.setLevel(min(shown, logging.INFO))
    try:
        yield
    finally:
        logger.setLevel(old_level)
        for handler, level, stream in saved:
            handler.setLevel(level)
            if stream is not None and isinstance(handler, logging.StreamHandler):
                handler.setStream(stream)


class _StageHandler(logging.Handler):
    """Moves the status line on when a stage's "done" record arrives."""

    def __init__(self, console: Console, update: Callable[[str], None]) -> None:
        super().__init__(logging.INFO)
        self.console = console
        self.update = update
        self.stage = FIRST_STAGE
        self.started = time.monotonic()
        self.next_rule = 0

    def emit(self, record: logging.LogRecord) -> None:
        if self.next_rule >= len(STAGES):
            return
        test, done, following = STAGES[self.next_rule]
        if not test(record):
            return
        self.next_rule += 1
        self.done(done, record.getMessage())
        self.stage = following
        self.update(following)

    def done(self, stage: str, detail: str = "") -> None:
        now = time.monotonic()
        text = f" {stage} ({now - self.started:.1f} s)" + (
            f": {detail}" if detail else ""
        )
        self.console.print(_done_line(text), highlight=False)
        self.started = now


@contextmanager
def stage_status(console: Console | None = None) -> Iterator[None]:
    """Show a status line for the running stage of a solve and a line per stage done."""
    console = console or Console(stderr=True)
    with console.status(FIRST_STAGE) as status:
        handler = _StageHandler(console, status.update)
        with _log_above():
            logger.addHandler(handler)
            try:
                yield
                handler.done(handler.stage)
            finally:
                logger.removeHandler(handler)


class DistrictBar:
    """A progress bar over a region's districts (a :class:`RegionListener`)."""

    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console(stderr=True)
        self.progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=self.console,
        )
        self.task = self.progress.add_task("districts", total=None)

    def start(self, names: Sequence[str]) -> None:
        """The region's districts are about to be solved."""
        self.progress.update(self.task, total=len(names), description="districts")

    def finished(self, digest: dict[str, Any]) -> None:
        """One district is done."""
        self.console.print(
            _done_line(
                f" {digest['name']}: {digest['status']}, {digest['stations']:,} TPS, "
                f"{digest['shortfalls']:,} shortfall(s)"
            ),
            highlight=False,
        )
        self.progress.advance(self.task)


@contextmanager
def district_bar(console: Console | None = None) -> Iterator[DistrictBar]:
    """A live :class:`DistrictBar` for the duration of the block."""
    bar = DistrictBar(console)
    with bar.progress, _log_above():
        yield bar
