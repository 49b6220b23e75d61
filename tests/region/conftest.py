"""A tiny generated Polda region (scale 0.005) and helpers to write region files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from region_helpers import FOLDERS, region_document

from deploy_opt.generate import generate


@pytest.fixture(scope="session")
def generated_region(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``deploy-opt generate --preset polda-metro-jaya --scale 0.005 --seed 0``."""
    out = tmp_path_factory.mktemp("region") / "pmj"
    generate(out, seed=0, preset="polda-metro-jaya", scale=0.005)
    return out


@pytest.fixture(scope="session")
def write_region(generated_region: Path) -> Callable[..., Path]:
    """Factory: write ``<generated>/<name>`` listing ``folders``; return its path."""

    def factory(
        name: str = "three.yaml",
        folders: tuple[str, ...] = FOLDERS,
        text: str | None = None,
    ) -> Path:
        path = generated_region / name
        if text is None:
            text = yaml.safe_dump(
                region_document(generated_region, folders), sort_keys=False
            )
        path.write_text(text, encoding="utf-8")
        return path

    return factory


@pytest.fixture(scope="session")
def three_districts(write_region: Callable[..., Path]) -> Path:
    """region file listing :data:`FOLDERS`."""
    return write_region()


@pytest.fixture(scope="session")
def serial_run(three_districts: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The three districts solved in this process, reproducibly."""
    from deploy_opt.region import run_region

    out = tmp_path_factory.mktemp("serial") / "out"
    run_region(three_districts, out, reproducible=True)
    return out
