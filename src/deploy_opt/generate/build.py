"""``generate``: write a synthetic district or a preset region, atomically."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from deploy_opt.errors import DeployOptError
from deploy_opt.export.atomic import staged_directory
from deploy_opt.generate import rules
from deploy_opt.generate.categories import mix_for
from deploy_opt.generate.district import DistrictSpec
from deploy_opt.generate.presets import MAX_DISTRICT_TPS, MIN_DISTRICT_TPS, PRESETS
from deploy_opt.generate.write import (
    MARKER,
    region_entry,
    write_district,
    write_marker,
    write_region,
)

logger = logging.getLogger("deploy_opt")

SEED_MAX = 2**31 - 1  # the scenario's solver.seed range


class GenerateError(DeployOptError, ValueError):
    """An option of ``generate`` has a value it cannot use."""


@dataclass(frozen=True)
class GenerateReport:
    """What was written: totals and the district folders."""

    out_dir: Path
    stations: int
    categories: dict[str, int]
    districts: tuple[str, ...]


def _check_options(
    seed: int, stations: int | None, preset: str | None, scale: float
) -> None:
    if (stations is None) == (preset is None):
        msg = "give exactly one of --stations N or --preset NAME"
        raise GenerateError(msg)
    if not 0 <= seed <= SEED_MAX:
        msg = f"--seed must be a whole number from 0 to {SEED_MAX}, got {seed}"
        raise GenerateError(msg)
    if stations is not None and not MIN_DISTRICT_TPS <= stations <= MAX_DISTRICT_TPS:
        msg = (
            f"--stations must be from {MIN_DISTRICT_TPS} to {MAX_DISTRICT_TPS:,} "
            f"(one district), got {stations:,}; use --preset for more"
        )
        raise GenerateError(msg)
    if preset is not None and preset not in PRESETS:
        msg = f"unknown preset {preset!r}; expected one of {sorted(PRESETS)}"
        raise GenerateError(msg)
    if not 0 < scale <= 1:
        msg = f"--scale must be in (0, 1], got {scale:g}"
        raise GenerateError(msg)
    if stations is not None and scale != 1:
        msg = "--scale applies to presets only"
        raise GenerateError(msg)


def single_district(stations: int, seed: int) -> DistrictSpec:
    """The district of ``--stations N --seed S``: a mixed urban/rural Polres."""
    return DistrictSpec(
        name=f"Polres Sintetis {stations} TPS seed {seed}",
        code="9901",
        folder=".",
        area="a synthetic kabupaten",
        province="a synthetic province",
        polda="Polda Sintetis",
        lat=-6.9,
        lon=107.6,
        urban=0.6,
        categories=mix_for(stations),
        seed=seed,
    )


def generate(
    out_dir: str | Path,
    *,
    seed: int = 0,
    stations: int | None = None,
    preset: str | None = None,
    scale: float = 1.0,
    overwrite: bool = False,
) -> GenerateReport:
    """Write a synthetic district (``stations``) or region (``preset``) to ``out_dir``.

    A district is ``scenario.yaml`` + ``data/tps.csv`` + ``data/bases.csv``; a
    region is one such folder per Polres plus ``region.yaml``. Same arguments,
    same bytes. The folder appears complete or not at all.

    Raises
    ------
    GenerateError
        When an option is out of range or both/neither of ``stations`` and
        ``preset`` are given.
    OutputExistsError
        When ``out_dir`` exists and may not be replaced.
    """
    _check_options(seed, stations, preset, scale)
    out_dir = Path(out_dir)
    with staged_directory(out_dir, overwrite=overwrite, marker=MARKER) as staging:
        if stations is not None:
            spec = single_district(stations, seed)
            write_district(spec, staging)
            specs = [spec]
            info: dict[str, object] = {"stations": stations, "seed": seed}
        else:
            assert preset is not None
            specs = PRESETS[preset](seed, scale)
            entries = []
            for number, spec in enumerate(specs, start=1):
                logger.info(
                    "district %d/%d: %s (%d TPS)",
                    number,
                    len(specs),
                    spec.name,
                    spec.stations,
                )
                write_district(spec, staging / spec.folder)
                entries.append(region_entry(spec))
            info = {"preset": preset, "seed": seed, "scale": scale}
            write_region(
                staging,
                {
                    "region_version": 1,
                    "name": _region_name(preset, scale),
                    "preset": preset,
                    "seed": seed,
                    "scale": scale,
                    "stations": sum(s.stations for s in specs),
                    "categories": _totals(specs),
                },
                entries,
            )
        write_marker(staging, {**info, "districts": len(specs)})
    return GenerateReport(
        out_dir=out_dir,
        stations=sum(s.stations for s in specs),
        categories=_totals(specs),
        districts=tuple(s.folder for s in specs),
    )


def _totals(specs: list[DistrictSpec]) -> dict[str, int]:
    return {
        name: sum(s.categories.get(name, 0) for s in specs)
        for name in rules.CATEGORY_ORDER
    }


def _region_name(preset: str, scale: float) -> str:
    title = {"polda-metro-jaya": "Polda Metro Jaya", "nasional": "Indonesia"}[preset]
    suffix = "" if scale == 1 else f", scaled x{scale:g}"
    return f"{title} - Pemilu 2024 scale (synthetic{suffix})"
