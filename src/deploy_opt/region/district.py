"""One district's subproblem: the plain pipeline, run where a worker is.

:func:`solve_district` is what a Dask worker (or the serial loop) runs. It
takes and returns small, picklable values: the task in, the district's
output files as bytes out, plus its rows for the region's merged tables.
Nothing depends on which process runs it, so serial and parallel runs give
the same bytes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from deploy_opt.errors import Issue, ScenarioError

#: Merged tables: the district column and the ids deploy_opt makes, which can
#: repeat across districts (group ids from kecamatan names, person ids from
#: base ids), get ``<folder>/`` in front.
DISTRICT_COLUMN = "district"
PREFIXED = {"stations": ("group_id",), "roster": ("person_id", "group_id")}


@dataclass(frozen=True)
class DistrictTask:
    """What a worker needs to solve one district."""

    index: int
    folder: str
    scenario_path: str
    time_limit_s: float | None
    seed: int | None
    workers: int
    reproducible: bool
    allow_outside_files: bool
    formats: tuple[str, ...] = ("csv", "json")
    lang: str | None = None


@dataclass(frozen=True)
class DistrictResult:
    """A solved district (``files`` and ``parts``) or its input problems (``issues``)."""

    index: int
    folder: str
    files: dict[str, bytes] = field(default_factory=dict)
    parts: dict[str, bytes] = field(default_factory=dict)
    issues: tuple[Issue, ...] = ()


def district_seed(seed: int, folder: str) -> int:
    """The seed of district ``folder`` in a run with ``--seed seed``.

    Derived from both (BLAKE2b), so it does not depend on the district's place
    in the list or on which worker runs it; in CP-SAT's range 0..2**31-1.
    """
    digest = hashlib.blake2b(f"{seed}:{folder}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") % 2**31


def solve_district(task: DistrictTask) -> DistrictResult:
    """Solve one district scenario; invalid input comes back as ``issues``."""
    from deploy_opt.export.tables import to_csv_bytes
    from deploy_opt.pipeline import run

    try:
        outcome = run(
            Path(task.scenario_path),
            None,
            time_limit_s=task.time_limit_s,
            seed=task.seed,
            workers=task.workers,
            allow_outside_files=task.allow_outside_files,
            reproducible=task.reproducible,
        )
    except ScenarioError as exc:  # its issues are data; the exception does not pickle
        return DistrictResult(
            task.index, task.folder, issues=(*exc.issues, *exc.warnings)
        )
    tables = {"stations": outcome.stations, "roster": outcome.roster}
    parts = {}
    for name, frame in tables.items():
        merged = frame.copy()
        for column in PREFIXED[name]:
            merged[column] = [
                f"{task.folder}/{value}" if isinstance(value, str) and value else value
                for value in merged[column]
            ]
        merged.insert(0, DISTRICT_COLUMN, task.folder)
        parts[f"{name}.csv"] = to_csv_bytes(merged)
    return DistrictResult(
        task.index,
        task.folder,
        files=outcome.files(task.formats, lang=task.lang),
        parts=parts,
    )
