"""The output formats of a run, and the one atomic write of all their files.

Each format has a writer with the signature of :data:`Writer`::

    def files(scenario, data, result, stations, roster, summary, lang) -> dict[str, bytes]

returning file name (``/`` separates subfolders) -> content. To add a format,
add one line to :data:`FORMATS`: ``"name": "module:function"`` (imported only
when the format is asked for, so its libraries load only then) or the function
itself. A name in :data:`ANNOUNCED` and not (yet) in :data:`FORMATS` is refused
with a clear message; an announced format whose writer module is not there is
refused the same way.

This module imports nothing heavy, so the command line can check ``--format``
before anything is read or solved.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, Literal

from deploy_opt.errors import DeployOptError

if TYPE_CHECKING:
    import pandas as pd

    from deploy_opt.problem import ProblemData
    from deploy_opt.result import Result
    from deploy_opt.scenario import Scenario

Lang = Literal["id", "en"]
#: Languages of headers and reasons in the XLSX (and later the report).
LANGUAGES: tuple[Lang, ...] = ("id", "en")

Writer = Callable[
    [
        "Scenario",
        "ProblemData",
        "Result",
        "pd.DataFrame",
        "pd.DataFrame",
        dict[str, Any],
        str,
    ],
    dict[str, bytes],
]

#: Every available format: name -> its writer ("module:function" or the function).
FORMATS: dict[str, str | Writer] = {
    "csv": "deploy_opt.export.formats:csv_files",
    "json": "deploy_opt.export.formats:json_files",
    "xlsx": "deploy_opt.export.xlsx:files",
    "geojson": "deploy_opt.export.geo_layers:geojson_files",
    "gpkg": "deploy_opt.export.geo_layers:gpkg_files",
    "html": "deploy_opt.export.html_map:html_files",
    "pdf": "deploy_opt.export.report:files",
}

#: Formats announced for ``--format`` but not built yet: name -> what it will be.
ANNOUNCED: dict[str, str] = {
    "geojson": "GeoJSON layers for QGIS",
    "gpkg": "GeoPackage layers for QGIS",
    "html": "the HTML map",
    "pdf": "the PDF briefing report",
}

#: Written on every run, whatever is asked for.
ALWAYS: tuple[str, ...] = ("csv", "json")


class FormatError(DeployOptError, ValueError):
    """An output format that does not exist or is not available yet."""


def known_formats() -> list[str]:
    """Every format name ``--format`` knows, available or announced, in order."""
    return [*FORMATS, *(name for name in ANNOUNCED if name not in FORMATS)]


def parse_formats(formats: str | Iterable[str] | None) -> tuple[str, ...]:
    """The formats to write: ``formats`` (``"csv,xlsx"`` or a list) plus :data:`ALWAYS`.

    Names are case-insensitive, blanks and repeats are ignored; the result is
    in the order of :data:`FORMATS`.

    Raises
    ------
    FormatError
        For an unknown name (listing the known ones) or one not available yet.
    """
    if formats is None:
        asked: list[str] = []
    elif isinstance(formats, str):
        asked = formats.split(",")
    else:
        asked = [part for item in formats for part in str(item).split(",")]
    names = {name.strip().lower() for name in asked} - {""}
    unknown = sorted(n for n in names if n not in FORMATS and n not in ANNOUNCED)
    if unknown:
        shown = ", ".join(repr(n) for n in unknown)
        msg = f"unknown format {shown}; known formats: {', '.join(known_formats())}"
        raise FormatError(msg)
    for name in sorted(names):
        if name not in FORMATS or not _module_present(FORMATS[name]):
            msg = (
                f"format {name!r} ({ANNOUNCED.get(name, name)}) is not available yet "
                f"in this version; available: {', '.join(_available())}"
            )
            raise FormatError(msg)
    chosen = names | set(ALWAYS)
    return tuple(name for name in FORMATS if name in chosen)


def _available() -> list[str]:
    return [name for name, writer in FORMATS.items() if _module_present(writer)]


def _module_present(writer: str | Writer) -> bool:
    """False when a writer named by its module cannot be found (not built yet)."""
    if not isinstance(writer, str):
        return True
    module = writer.partition(":")[0]
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


def writer_of(name: str) -> Writer:
    """The writer function of the available format ``name``."""
    writer = FORMATS[name]
    if not isinstance(writer, str):
        return writer
    module, _, function = writer.partition(":")
    found: Writer = getattr(importlib.import_module(module), function)
    return found


def output_files(
    formats: Iterable[str],
    scenario: Scenario,
    data: ProblemData,
    result: Result,
    stations: pd.DataFrame,
    roster: pd.DataFrame,
    summary: dict[str, Any],
    lang: str,
) -> dict[str, bytes]:
    """All files of ``formats`` (checked by :func:`parse_formats`), name -> bytes.

    Raises
    ------
    FormatError
        When ``lang`` is not a known language or two formats write the same file.
    """
    if lang not in LANGUAGES:
        msg = f"unknown language {lang!r}; expected one of {', '.join(LANGUAGES)}"
        raise FormatError(msg)
    files: dict[str, bytes] = {}
    for name in parse_formats(formats):
        made = writer_of(name)(scenario, data, result, stations, roster, summary, lang)
        for file_name, content in made.items():
            _check_name(file_name, name)
            if file_name in files:
                msg = (
                    f"format {name!r} writes {file_name!r}, which another format wrote"
                )
                raise FormatError(msg)
            files[file_name] = content
    return files


def _check_name(file_name: str, format_name: str) -> None:
    """A writer's file name must stay inside the output folder."""
    path = PurePosixPath(file_name)
    if (
        not file_name
        or path.is_absolute()
        or ".." in path.parts
        or "\\" in file_name
        or "\0" in file_name
    ):
        msg = f"format {format_name!r} returned the file name {file_name!r}; expected a relative path"
        raise FormatError(msg)


def write_files(out_dir: Path, files: Mapping[str, bytes], *, overwrite: bool) -> None:
    """Write ``files`` (subfolders allowed) as one atomic output directory.

    Raises
    ------
    OutputExistsError, OutputPathError
        See :func:`deploy_opt.export.atomic.check_writable`.
    """
    from deploy_opt.export.atomic import staged_directory

    with staged_directory(out_dir, overwrite=overwrite) as staging:
        for name, content in sorted(files.items()):
            target = staging / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)


def csv_files(
    scenario: Scenario,
    data: ProblemData,
    result: Result,
    stations: pd.DataFrame,
    roster: pd.DataFrame,
    summary: dict[str, Any],
    lang: str,
) -> dict[str, bytes]:
    """``stations.csv`` and ``roster.csv`` (English column names in every language)."""
    from deploy_opt.export.tables import to_csv_bytes

    return {"stations.csv": to_csv_bytes(stations), "roster.csv": to_csv_bytes(roster)}


def json_files(
    scenario: Scenario,
    data: ProblemData,
    result: Result,
    stations: pd.DataFrame,
    roster: pd.DataFrame,
    summary: dict[str, Any],
    lang: str,
) -> dict[str, bytes]:
    """``summary.json``: also the marker that makes the folder ours to replace."""
    from deploy_opt.export.summary import to_json_bytes

    return {"summary.json": to_json_bytes(summary)}
