"""Solve or check a region: every district scenario as an independent subproblem."""

from __future__ import annotations

import logging
import time
from collections.abc import Generator, Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from deploy_opt.errors import Issue, ScenarioError
from deploy_opt.export.atomic import check_writable, staged_directory
from deploy_opt.region.district import DistrictResult, DistrictTask, district_seed
from deploy_opt.region.merge import RegionWriter
from deploy_opt.region.spec import Region, load_region

logger = logging.getLogger("deploy_opt")

#: Most ``--jobs``: worker processes on this machine.
MAX_JOBS = 256


class RegionListener(Protocol):
    """Told when the districts start and as each one finishes (progress display)."""

    def start(self, names: Sequence[str]) -> None:
        """The districts about to be solved, in region order."""

    def finished(self, digest: dict[str, Any]) -> None:
        """One district is solved and written (its summary digest)."""


@dataclass(frozen=True)
class RegionOutcome:
    """What a region run produced: the merged summary and where it is."""

    region: Region
    summary: dict[str, Any]
    out_dir: Path
    runtime_s: float


@dataclass(frozen=True)
class DistrictCheck:
    """One valid district scenario: its counts and warnings."""

    name: str
    folder: str
    stations: int
    bases: int
    warnings: tuple[Issue, ...]


def run_region(
    region_path: str | Path,
    out_dir: str | Path,
    *,
    jobs: int = 1,
    scheduler: str | None = None,
    time_limit_s: float | None = None,
    seed: int | None = None,
    reproducible: bool = False,
    overwrite: bool = False,
    workers: int = 1,
    allow_outside_files: bool = False,
    formats: str | Sequence[str] = ("csv", "json"),
    lang: str | None = None,
    listener: RegionListener | None = None,
) -> RegionOutcome:
    """Solve every district of ``region_path`` and write the region to ``out_dir``.

    Each district is today's pipeline on its own scenario; its outputs go to
    ``out_dir/<folder>/`` as it finishes, and ``out_dir`` gets the merged
    ``stations.csv``, ``roster.csv`` (region order, a ``district`` column in
    front) and ``summary.json``. The whole folder appears at once at the end.

    Parameters
    ----------
    jobs
        1 solves in this process (no Dask); more starts a Dask LocalCluster
        of that many single-threaded worker processes on 127.0.0.1.
    scheduler
        Address of an existing Dask scheduler to use instead (``jobs`` must
        then be 1).
    time_limit_s, workers, formats, lang
        Per district, as for a single scenario (``formats`` shape the district
        folders; the merged files are CSV and JSON).
    seed
        None keeps each district's scenario seed; a number gives each district
        a seed derived from it and its folder (:func:`district_seed`).

    Serial, LocalCluster and external-cluster runs write the same bytes; with
    ``reproducible`` reruns do too (no wall-clock time in the summaries).

    Raises
    ------
    ScenarioError
        When region.yaml or a district scenario is invalid (nothing written).
    OutputExistsError, OutputPathError
        When ``out_dir`` may not be written (checked before anything is solved).
    """
    if not 1 <= jobs <= MAX_JOBS:
        msg = f"jobs must be 1..{MAX_JOBS}, got {jobs}"
        raise ValueError(msg)
    if scheduler is not None and jobs != 1:
        msg = "give either jobs > 1 (a local cluster) or a scheduler address, not both"
        raise ValueError(msg)
    from deploy_opt.export.formats import FormatError, parse_formats

    chosen = parse_formats(formats)
    if lang is not None and lang not in ("id", "en"):
        msg = f"unknown language {lang!r}; expected one of id, en"
        raise FormatError(msg)
    started = time.monotonic()
    out = Path(out_dir)
    check_writable(out, overwrite=overwrite)
    region = load_region(region_path, allow_outside_files=allow_outside_files)
    tasks = [
        DistrictTask(
            index=d.index,
            folder=d.folder,
            scenario_path=str(d.scenario_path.absolute()),
            time_limit_s=time_limit_s,
            seed=None if seed is None else district_seed(seed, d.folder),
            workers=workers,
            reproducible=reproducible,
            allow_outside_files=allow_outside_files,
            formats=chosen,
            lang=lang,
        )
        for d in region.districts
    ]
    if listener is not None:
        listener.start([d.name for d in region.districts])
    with (
        staged_directory(out, overwrite=overwrite) as staging,
        closing(_results(region, tasks, jobs, scheduler)) as results,
    ):
        writer = RegionWriter(region, staging)
        for result in results:  # on any error, closing() shuts a cluster down
            if result.issues:
                raise ScenarioError(list(result.issues))
            digest = writer.add(result)
            logger.info(
                "%s: %s, %d shortfall(s)",
                result.folder,
                digest["status"],
                digest["shortfalls"],
            )
            if listener is not None:
                listener.finished(digest)
        runtime_s = time.monotonic() - started
        summary = writer.finish(
            _header(region, seed, time_limit_s, reproducible, runtime_s)
        )
    return RegionOutcome(region, summary, out, time.monotonic() - started)


def _results(
    region: Region, tasks: list[DistrictTask], jobs: int, scheduler: str | None
) -> Generator[DistrictResult, None, None]:
    if jobs == 1 and scheduler is None:
        from deploy_opt.region.execute import run_serial

        return run_serial(tasks)
    from deploy_opt.region.execute import run_dask

    # largest first, so that no big district starts last (outputs do not
    # depend on this order)
    size = {d.index: d.stations_hint for d in region.districts}
    ordered = sorted(tasks, key=lambda t: (-size[t.index], t.index))
    return run_dask(ordered, jobs=jobs, scheduler=scheduler)


def _header(
    region: Region,
    seed: int | None,
    time_limit_s: float | None,
    reproducible: bool,
    runtime_s: float,
) -> dict[str, Any]:
    from deploy_opt.export.versions import versions

    header: dict[str, Any] = {
        "region": region.spec.name,
        "region_file": region.path.name,
        "reproducible": reproducible,
        "runtime_s": None if reproducible else round(runtime_s, 3),
        "seed": seed,
        "seed_note": "each district's scenario seed (solver.seed)"
        if seed is None
        else "each district gets a seed derived from this one and its folder",
        "time_limit_s": time_limit_s,
        "time_limit_note": "per district"
        if time_limit_s is not None
        else "per district, each scenario's solver.time_limit_s",
        "versions": versions(),
    }
    return header


def validate_region(
    region_path: str | Path, *, allow_outside_files: bool = False
) -> tuple[Region, list[DistrictCheck]]:
    """Check region.yaml and every district scenario it lists, one at a time.

    Raises
    ------
    ScenarioError
        With every problem of the region file and of all district scenarios.
    """
    from deploy_opt.scenario import load_scenario

    region = load_region(region_path, allow_outside_files=allow_outside_files)
    issues: list[Issue] = []
    checks = []
    for district in region.districts:
        try:
            scenario = load_scenario(
                district.scenario_path, allow_outside_files=allow_outside_files
            )
        except ScenarioError as exc:
            issues += [*exc.issues, *exc.warnings]
            continue
        checks.append(
            DistrictCheck(
                district.name,
                district.folder,
                len(scenario.stations),
                len(scenario.bases),
                scenario.warnings,
            )
        )
    if any(i.severity == "error" for i in issues):
        raise ScenarioError(issues)
    return region, checks
