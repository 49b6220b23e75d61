"""Read point tables (CSV with lon/lat, or any GIS file) into plain DataFrames.

Each returned frame has one column per mapped field plus ``_line``: in a CSV
file the physical line where the record starts (blank lines and quoted cells
spanning lines counted), in a GIS file the 1-based feature number (such files
are registered with :meth:`RowProblems.register_features`, so messages say
``feature N (id ...)``). GIS point geometries become ``lon``/``lat`` in the
scenario CRS; a feature without a usable point is reported and has ``_nogeom``
set.

Every mapped text cell is refused when it holds a control character (C0
including tab and line breaks, DEL, C1, Unicode line separators and
bidirectional overrides): such characters come from pasting or broken
quoting, make a name differ from the same name typed elsewhere, and would be
copied into the outputs.
"""

from __future__ import annotations

import csv
import io
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from deploy_opt.errors import Issue
from deploy_opt.scenario.files import display_path, file_problem, read_regular_file
from deploy_opt.scenario.problems import RowProblems
from deploy_opt.scenario.schema import TableSource
from deploy_opt.scenario.yaml_source import control_character

#: Spreadsheet files: refused with a hint (GDAL would read them without geometry).
SPREADSHEET_SUFFIXES = frozenset({".xlsx", ".xls", ".xlsm", ".ods"})
CSV_SUFFIXES = frozenset({".csv", ".txt", ".tsv"})
#: Largest table accepted (a national TPS list is ~100 MB as CSV).
MAX_TABLE_BYTES = 512 * 2**20


class _DecodeError(ValueError):
    def __init__(self, reason: str, line: int) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line


def read_point_table(
    source: TableSource,
    path: Path,
    fields: tuple[str, ...],
    required: frozenset[str],
    default_crs: str,
    issues: list[Issue],
    rows: RowProblems,
) -> pd.DataFrame | None:
    """Read ``path`` and map its columns to ``fields``; problems go to ``issues``/``rows``.

    Returns ``None`` when the file cannot be used at all.
    """
    name = display_path(path)
    problem = file_problem(path, MAX_TABLE_BYTES)
    if problem is not None:
        issues.append(Issue(name, "(file)", problem))
        return None
    header_line: int | None = None
    if path.suffix.lower() in SPREADSHEET_SUFFIXES:
        issues.append(
            Issue(
                name,
                "(file)",
                f"is a spreadsheet ({path.suffix}); deploy_opt reads tables as CSV: "
                "save the sheet as 'CSV UTF-8 (comma delimited)' and refer to the .csv",
            )
        )
        return None
    try:
        if path.suffix.lower() in CSV_SUFFIXES:
            raw, header_line = _read_csv(path, source.encoding, name, issues, rows)
        else:
            raw = _read_gis(path, source.layer, source.crs, default_crs, name, rows)
    except _DecodeError as exc:
        issues.append(
            Issue(
                name,
                "(file)",
                f"not {source.encoding} text ({exc.reason}); set `encoding` "
                "(for example latin-1 or cp1252) in the scenario",
                exc.line,
            )
        )
        return None
    except Exception as exc:  # any reader failure is the file's problem
        detail = getattr(exc, "strerror", None) or str(exc)
        issues.append(Issue(name, "(file)", f"cannot read as a table: {detail}"))
        return None
    if raw is None:
        return None
    if raw.empty:
        issues.append(Issue(name, "(file)", "has no rows"))
        return None

    columns = {field: source.columns.get(field, field) for field in fields}
    rows.register_columns(name, columns)
    out = pd.DataFrame(index=raw.index)
    for field, column in columns.items():
        if column in raw.columns:
            out[field] = raw[column]
        elif field in source.defaults:
            out[field] = source.defaults[field]
        elif field in required:
            mapped = "" if column == field else f" (mapped from `{field}`)"
            issues.append(
                Issue(
                    name,
                    f"column {column}",
                    f"missing column{mapped}; the file has: {_listed(raw.columns)}",
                    header_line,
                )
            )
        else:
            out[field] = None
    out["_line"] = raw["_line"].to_numpy()
    if "_nogeom" in raw:
        out["_nogeom"] = raw["_nogeom"].to_numpy()
        ids = out["id"] if "id" in out else pd.Series([""] * len(out))
        rows.register_features(
            name,
            {
                int(line): _cell(value)
                for line, value in zip(out["_line"], ids, strict=True)
            },
        )
    _check_text_cells(out, fields, name, rows)
    return out.reset_index(drop=True)


def _listed(columns: pd.Index) -> list[str]:
    return [c for c in columns if not str(c).startswith("_")]


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return str(value).strip()


def _check_text_cells(
    frame: pd.DataFrame, fields: tuple[str, ...], file: str, rows: RowProblems
) -> None:
    for field in fields:
        if field not in frame:
            continue
        for value, line in zip(frame[field], frame["_line"], strict=True):
            if not isinstance(value, str):
                continue
            found = control_character(value)
            if found is None:
                continue
            if "tab" in found:
                hint = "; cells pasted together? replace it with a space"
            elif "line break" in found or "carriage return" in found:
                hint = (
                    '; a quoted cell spans lines: check for an unclosed quote ("), '
                    "or join the lines"
                )
            else:
                hint = "; remove it (it would be copied into the outputs)"
            rows.add(file, field, f"control character {found} in the cell{hint}", line)


def _read_csv(
    path: Path, encoding: str, name: str, issues: list[Issue], rows: RowProblems
) -> tuple[pd.DataFrame | None, int | None]:
    """The table as text cells plus ``_line``, and the header's line."""
    # Spreadsheets save UTF-8 with a byte-order mark, and in the Indonesian
    # locale with ';' between cells (the comma is the decimal mark).
    if encoding.lower().replace("_", "-") in {"utf-8", "utf8"}:
        encoding = "utf-8-sig"
    data = read_regular_file(path, MAX_TABLE_BYTES)
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise _DecodeError(
            str(exc.reason), data.count(b"\n", 0, exc.start) + 1
        ) from None
    first = next((line for line in text.splitlines() if line.strip()), "")
    sep = max(("\t", ";", ","), key=first.count) if first else ","
    reader = csv.reader(
        io.StringIO(text, newline=""), delimiter=sep, skipinitialspace=True
    )
    header: list[str] | None = None
    header_line: int | None = None
    records: list[tuple[int, list[str]]] = []
    previous = 0
    try:
        for row in reader:
            start, previous = previous + 1, reader.line_num
            if not any(cell.strip() for cell in row):
                continue  # blank line, or a row of empty cells from a spreadsheet
            if header is None:
                header, header_line = [cell.strip() for cell in row], start
            else:
                records.append((start, row))
    except csv.Error as exc:
        issues.append(
            Issue(name, "(file)", f"cannot read as CSV: {exc}", reader.line_num)
        )
        return None, header_line
    if header is None:
        return pd.DataFrame(), None
    width = len(header)
    first_seen: dict[str, int] = {}
    for position, column in enumerate(header, start=1):
        if column and column in first_seen:
            issues.append(
                Issue(
                    name,
                    f"column {column}",
                    f"appears twice in the header (cells {first_seen[column]} and "
                    f"{position}); rename one",
                    header_line,
                )
            )
        first_seen.setdefault(column, position)
    cells: dict[str, list[str]] = {column: [] for column in first_seen}
    lines = []
    for start, row in records:
        if len(row) > width and any(cell.strip() for cell in row[width:]):
            rows.add(
                name,
                "(row)",
                f"{len(row)} cells but the header has {width}; a {sep!r} inside a "
                "value? put the value in quotes",
                start,
            )
        padded = row + [""] * (width - len(row))
        for column, position in first_seen.items():
            cells[column].append(padded[position - 1])
        lines.append(start)
    frame = pd.DataFrame(cells, dtype=object)
    frame["_line"] = np.asarray(lines, dtype=np.int64)
    return frame, header_line


def _read_gis(
    path: Path,
    layer: str | None,
    source_crs: str | None,
    target_crs: str,
    name: str,
    rows: RowProblems,
) -> pd.DataFrame:
    import geopandas as gpd
    import shapely

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gdf = gpd.read_file(path, layer=layer) if layer else gpd.read_file(path)
    if gdf.crs is None:
        gdf = gdf.set_crs(source_crs or target_crs)
    if len(gdf) == 0:
        return pd.DataFrame()
    geometry = gdf.geometry.to_numpy()
    kinds = shapely.get_type_id(geometry)
    usable = (kinds == shapely.GeometryType.POINT) & ~shapely.is_empty(geometry)
    for number, (geom, ok) in enumerate(zip(geometry, usable, strict=True), start=1):
        if ok:
            continue
        if geom is None or shapely.is_empty(geom):
            message = "has no geometry; expected a Point"
        else:
            message = f"is a {geom.geom_type}; expected a Point"
        rows.add(name, "(geometry)", message, number)
    points = gdf.geometry.where(usable, None).to_crs(target_crs)
    frame = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
    frame = frame.astype(object).where(frame.notna(), "")
    with np.errstate(invalid="ignore"):
        frame["lon"] = shapely.get_x(points.to_numpy())
        frame["lat"] = shapely.get_y(points.to_numpy())
    frame["_nogeom"] = ~usable
    frame["_line"] = np.arange(1, len(frame) + 1)
    return frame.reset_index(drop=True)
