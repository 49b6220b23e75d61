"""Shared fixtures: the shipped sample and a builder for tiny hand-checkable scenarios.

Hypothesis profiles (chosen by ``HYPOTHESIS_PROFILE``; by default ``ci`` when
the ``CI`` variable is set, else ``dev``):

- ``ci``: derandomised, no example database: the same examples on every run
  and every fresh clone, so a red build is always reproducible. ``make test``
  uses it.
- ``dev``: random, with the local example database: explores new examples on
  each run and replays the failures it found.

Tests keep their own ``max_examples``; neither profile changes it.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from scenario_builder import write_scenario

settings.register_profile(
    "ci", derandomize=True, database=None, deadline=None, print_blob=True
)
settings.register_profile("dev", derandomize=False, print_blob=True)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
)

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "scenarios" / "tangerang-kota" / "scenario.yaml"


@pytest.fixture(scope="session", autouse=True)
def ctrl_c_delivered() -> Any:
    """Ctrl-C (SIGINT) raises KeyboardInterrupt here and in child processes.

    A shell starts background jobs (``make test &``, nohup, some CI runners)
    with SIGINT ignored, and Python keeps an ignored SIGINT ignored, also in
    the processes it starts. The Ctrl-C tests need it delivered as a user's
    terminal would, so the session restores Python's default handler
    (children then start with the default disposition).
    """
    previous = signal.getsignal(signal.SIGINT)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


@pytest.fixture
def make_scenario(tmp_path: Path) -> Callable[..., Path]:
    """Factory: ``make_scenario(stations, bases, **options)`` -> scenario path."""
    counter = iter(range(1000))

    def factory(
        stations: list[dict[str, Any]], bases: list[dict[str, Any]], **options: Any
    ) -> Path:
        return write_scenario(
            tmp_path / f"s{next(counter)}", stations, bases, **options
        )

    return factory


@pytest.fixture(scope="session")
def sample_path() -> Path:
    """The shipped Polres Metro Tangerang Kota scenario."""
    return SAMPLE
