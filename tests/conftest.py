"""Shared fixtures: the shipped sample and a builder for tiny hand-checkable scenarios."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from scenario_builder import write_scenario

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "scenarios" / "tangerang-kota" / "scenario.yaml"


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
