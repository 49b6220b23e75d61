"""Read a finished run's folder (``stations.csv``, ``roster.csv``, ``summary.json``).

Used by ``deploy-opt report`` and ``deploy-opt compare``. Every problem names
the file (and the column and line where there is one) and what was expected.
Text cells that the CSV writer made inert for spreadsheets (a leading ``'``
before ``= + - @``) are read back as they were.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from deploy_opt.errors import DeployOptError

STATIONS_FILE = "stations.csv"
ROSTER_FILE = "roster.csv"
SUMMARY_FILE = "summary.json"

#: Columns a run's tables must have (later columns are optional).
STATION_REQUIRED = (
    "station_id",
    "category",
    "group_id",
    "police",
    "tni",
    "linmas",
    "medical_site_id",
    "medical_minutes",
    "covered",
    "kecamatan",
    "kelurahan",
)
STATION_OPTIONAL = (
    "rule",
    "rule_reason",
    "shortfall_reason",
    "medical_site_name",
    "team_site_id",
    "tps_number",
    "address",
)
ROSTER_REQUIRED = (
    "person_id",
    "agency",
    "unit_id",
    "group_id",
    "station_ids",
    "shift",
    "travel_minutes",
)
ROSTER_OPTIONAL = ("unit_name", "unit_kind", "name", "rank")
_COUNTS = ("police", "tni", "linmas")
_MINUTES = {"stations": ("medical_minutes",), "roster": ("travel_minutes",)}
_SUMMARY_KEYS = ("scenario", "status", "coverage_by_category", "shortfalls", "counts")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


class RunDirError(DeployOptError, ValueError):
    """A folder that is not (or no longer) a complete deploy_opt run."""


@dataclass(frozen=True)
class Run:
    """The three tables of a finished run."""

    folder: Path
    stations: pd.DataFrame
    roster: pd.DataFrame
    summary: dict[str, Any]


def load_run(folder: str | Path) -> Run:
    """Read and check the run in ``folder``.

    Raises
    ------
    RunDirError
        When the folder or one of its files is missing, unreadable or not a
        deploy_opt output (the message names the file and what is wrong).
    """
    folder = Path(folder)
    if not folder.is_dir():
        what = "does not exist" if not folder.exists() else "is not a folder"
        msg = f"{folder} {what}; expected the output folder of `deploy-opt solve`"
        raise RunDirError(msg)
    summary = parse_summary(_read(folder / SUMMARY_FILE), folder / SUMMARY_FILE)
    stations = parse_table(
        _read(folder / STATIONS_FILE), folder / STATIONS_FILE, "stations"
    )
    roster = parse_table(_read(folder / ROSTER_FILE), folder / ROSTER_FILE, "roster")
    return Run(folder, stations, roster, summary)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        msg = f"{path}: missing; a deploy_opt run folder holds {STATIONS_FILE}, {ROSTER_FILE} and {SUMMARY_FILE}"
        raise RunDirError(msg) from None
    except OSError as exc:
        msg = f"{path}: cannot be read ({exc.strerror})"
        raise RunDirError(msg) from exc


def parse_summary(content: bytes, path: Path | str = SUMMARY_FILE) -> dict[str, Any]:
    """``summary.json`` as a dict, checked to be a deploy_opt run summary."""
    try:
        summary = json.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        msg = f"{path}: not valid UTF-8 JSON ({exc})"
        raise RunDirError(msg) from None
    if not isinstance(summary, dict) or summary.get("tool") != "deploy_opt":
        msg = f'{path}: not a deploy_opt summary (expected "tool": "deploy_opt")'
        raise RunDirError(msg)
    missing = [key for key in _SUMMARY_KEYS if key not in summary]
    if missing:
        msg = (
            f"{path}: field(s) {', '.join(missing)} missing; expected the summary of "
            "one district's run (for a region, give one district's folder)"
        )
        raise RunDirError(msg)
    personnel = (
        summary["counts"].get("personnel")
        if isinstance(summary["counts"], dict)
        else None
    )
    if not isinstance(personnel, dict) or not isinstance(
        summary["coverage_by_category"], dict
    ):
        msg = f"{path}: counts.personnel and coverage_by_category must be objects"
        raise RunDirError(msg)
    if not isinstance(summary["shortfalls"], list):
        msg = f"{path}: shortfalls must be a list"
        raise RunDirError(msg)
    return summary


def parse_table(content: bytes, path: Path | str, kind: str) -> pd.DataFrame:
    """``stations.csv`` or ``roster.csv`` (``kind`` "stations"/"roster"), typed.

    Text columns are ``str`` ("" when empty), head counts ``int``, minutes
    ``float`` (NaN when empty), ``covered`` ``bool``.
    """
    required, optional = (
        (STATION_REQUIRED, STATION_OPTIONAL)
        if kind == "stations"
        else (ROSTER_REQUIRED, ROSTER_OPTIONAL)
    )
    try:
        frame = pd.read_csv(
            io.BytesIO(content), dtype=str, keep_default_na=False, encoding="utf-8"
        )
    except (UnicodeDecodeError, ValueError) as exc:
        msg = f"{path}: not a readable UTF-8 CSV table ({exc})"
        raise RunDirError(msg) from None
    missing = [c for c in required if c not in frame.columns]
    if missing:
        msg = f"{path}: column(s) {', '.join(missing)} missing; expected a deploy_opt {kind} table"
        raise RunDirError(msg)
    for column in optional:
        if column not in frame.columns:
            frame[column] = ""
    for column in frame.columns:
        frame[column] = frame[column].map(_unescape)
    if kind == "stations":
        for column in _COUNTS:
            frame[column] = _numbers(frame[column], path, column, integer=True)
        bad = ~frame["covered"].isin(["True", "False"])
        if bad.any():
            _bad_cell(path, "covered", frame, bad, "True or False")
        frame["covered"] = frame["covered"] == "True"
    for column in _MINUTES[kind]:
        frame[column] = _numbers(frame[column], path, column, integer=False)
    key = "station_id" if kind == "stations" else "person_id"
    repeated = frame[key].duplicated()
    if repeated.any():
        _bad_cell(path, key, frame, repeated, "each id once")
    return frame


def _unescape(text: str) -> str:
    """Undo the spreadsheet guard of ``safe_text`` (``'=x`` -> ``=x``)."""
    if len(text) > 1 and text[0] == "'" and text[1:].startswith(_FORMULA_START):
        return text[1:]
    return text


def _numbers(
    column: pd.Series, path: Path | str, name: str, *, integer: bool
) -> pd.Series:
    values = pd.to_numeric(column.replace("", None), errors="coerce")
    bad = values.isna() & (column != "" if not integer else True)
    if integer:
        bad = bad | (values % 1 != 0)
    if bad.any():
        what = "a whole number" if integer else "a number of minutes or empty"
        _bad_cell(path, name, column.to_frame(), bad, what)
    return values.astype(int) if integer else values.astype(float)


def _bad_cell(
    path: Path | str, column: str, frame: pd.DataFrame, bad: pd.Series, expected: str
) -> None:
    row = int(bad.to_numpy().nonzero()[0][0])
    value = frame[column].iloc[row]
    msg = f"{path}, column {column}, line {row + 2}: {value!r}; expected {expected}"
    raise RunDirError(msg)
