"""Read point tables (CSV with lon/lat, or any GIS file) into plain DataFrames.

Each returned frame has one column per mapped field plus ``_line`` (the line in a
CSV file, or the 1-based feature number in a GIS file) for error messages. GIS
point geometries become ``lon``/``lat`` in the scenario CRS.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd

from deploy_opt.errors import Issue
from deploy_opt.scenario.schema import TableSource

CSV_SUFFIXES = frozenset({".csv", ".txt", ".tsv"})


def read_point_table(
    source: TableSource,
    path: Path,
    fields: tuple[str, ...],
    required: frozenset[str],
    default_crs: str,
    issues: list[Issue],
) -> pd.DataFrame | None:
    """Read ``path`` and map its columns to ``fields``; problems go to ``issues``.

    Returns ``None`` when the file cannot be used at all.
    """
    name = str(path)
    if not path.exists():
        issues.append(Issue(name, "(file)", "file not found"))
        return None
    if path.is_dir():
        issues.append(Issue(name, "(file)", "is a directory, expected a file"))
        return None
    try:
        if path.suffix.lower() in CSV_SUFFIXES:
            raw = _read_csv(path, source.encoding)
            line_offset = 2  # header is line 1
        else:
            raw = _read_gis(path, source.layer, source.crs, default_crs)
            line_offset = 1
    except UnicodeDecodeError as exc:
        issues.append(
            Issue(
                name,
                "(file)",
                f"not {source.encoding} text ({exc.reason}); set `encoding` "
                "(for example latin-1 or cp1252) in the scenario",
            )
        )
        return None
    except (ValueError, OSError, RuntimeError) as exc:
        issues.append(Issue(name, "(file)", f"cannot read as a table: {exc}"))
        return None
    except Exception as exc:
        issues.append(Issue(name, "(file)", f"cannot read as a table: {exc}"))
        return None
    if raw.empty:
        issues.append(Issue(name, "(file)", "has no rows"))
        return None

    columns = {field: source.columns.get(field, field) for field in fields}
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
                    f"missing column{mapped}; the file has: {list(raw.columns)}",
                    1 if line_offset == 2 else None,
                )
            )
        else:
            out[field] = None
    out["_line"] = raw.index.to_numpy() + line_offset
    return out.reset_index(drop=True)


def _read_csv(path: Path, encoding: str) -> pd.DataFrame:
    # Spreadsheets save UTF-8 with a byte-order mark, and in the Indonesian
    # locale with ';' between cells (the comma is the decimal mark).
    if encoding.lower().replace("_", "-") in {"utf-8", "utf8"}:
        encoding = "utf-8-sig"
    with path.open(encoding=encoding, newline="") as handle:
        header = handle.readline()
    sep = max(("\t", ";", ","), key=header.count) if header.strip() else ","
    frame = pd.read_csv(
        path,
        sep=sep,
        dtype=str,
        keep_default_na=False,
        index_col=False,  # a row with an extra cell is an error, not an index
        encoding=encoding,
        skipinitialspace=True,
    )
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


def _read_gis(
    path: Path, layer: str | None, source_crs: str | None, target_crs: str
) -> pd.DataFrame:
    import geopandas as gpd

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gdf = gpd.read_file(path, layer=layer) if layer else gpd.read_file(path)
    if gdf.crs is None:
        gdf = gdf.set_crs(source_crs or target_crs)
    if len(gdf) == 0:
        return pd.DataFrame()
    geom_types = set(gdf.geometry.geom_type.dropna())
    if not geom_types <= {"Point"}:
        msg = f"expected Point geometries, found {sorted(geom_types)}"
        raise ValueError(msg)
    gdf = gdf.to_crs(target_crs)
    frame = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
    frame = frame.astype(object).where(frame.notna(), "")
    frame["lon"] = gdf.geometry.x.to_numpy()
    frame["lat"] = gdf.geometry.y.to_numpy()
    return frame
