"""Keep the features of a GIS file that belong to one district (docs/new-district.md).

Two uses in the new-district recipe:

* cut your kota's kelurahan polygons out of a province file, by attribute::

      python scripts/clip_to_district.py jakarta_kelurahan.geojson \\
          --where kode_kabkota=31.72 --out data/kelurahan.geojson

* keep the puskesmas / hospitals that lie inside your district::

      python scripts/clip_to_district.py puskesmas_jakarta.geojson \\
          --inside data/kelurahan.geojson --out data/puskesmas.geojson

``--where FIELD=VALUE`` compares ignoring case and spaces; a value ending in
``*`` matches every value starting with the rest (``kode=31.72.*``). Several
``--where`` must all hold. ``--inside`` keeps features whose geometry lies in
the polygons of that file (or within ``--tolerance-m`` metres of them, default 0:
a facility just across the line belongs to the neighbouring kota). The output is
GeoJSON in WGS84 (EPSG:4326), coordinates rounded to 6 decimals, features in
their input order. Exit code 2 with a message for a bad file or field.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely


class UsageProblem(Exception):
    """A mistake in the command or the input files (exit code 2)."""


def _norm(text: object) -> str:
    return " ".join(str(text).split()).casefold()


def parse_where(expr: str) -> tuple[str, str]:
    """``FIELD=VALUE`` -> ``(FIELD, VALUE)``."""
    field, sep, value = expr.partition("=")
    if not sep or not field.strip():
        raise UsageProblem(
            f"--where {expr!r}: write FIELD=VALUE, e.g. kode_kabkota=31.72"
        )
    return field.strip(), value.strip()


def matches(values: pd.Series, pattern: str) -> pd.Series:
    """Which ``values`` equal ``pattern`` (a trailing ``*``: start with it)."""
    wanted = _norm(pattern)
    text = values.map(lambda v: "" if pd.isna(v) else _norm(v))
    if wanted.endswith("*"):
        return text.str.startswith(wanted[:-1])
    return text == wanted


def _read(path: Path) -> gpd.GeoDataFrame:
    if not path.is_file():
        raise UsageProblem(f"{path}: no such file")
    try:
        frame = gpd.read_file(path)
    except Exception as exc:  # pyogrio raises several types for unreadable files
        raise UsageProblem(
            f"{path}: not a GIS file geopandas can read ({exc})"
        ) from exc
    if frame.crs is None:
        raise UsageProblem(f"{path}: the file names no coordinate system (CRS)")
    return frame


def clip(
    source: Path,
    where: list[str],
    inside: Path | None,
    tolerance_m: float,
) -> tuple[gpd.GeoDataFrame, int]:
    """The features of ``source`` that pass every filter (in WGS84), and the total."""
    frame = _read(source)
    keep = pd.Series(True, index=frame.index)
    for expr in where:
        field, value = parse_where(expr)
        if field not in frame.columns:
            fields = ", ".join(c for c in frame.columns if c != "geometry")
            raise UsageProblem(
                f"{source}: no field {field!r}; the fields are: {fields}"
            )
        keep &= matches(frame[field], value)
    if inside is not None:
        district = _read(inside)
        metric = district.estimate_utm_crs()
        area = shapely.union_all(district.to_crs(metric).geometry.to_numpy())
        area = area.buffer(tolerance_m)
        shapely.prepare(area)
        keep &= frame.to_crs(metric).geometry.within(area).to_numpy()
    kept = frame[keep].to_crs("EPSG:4326")
    if kept.empty:
        raise UsageProblem(f"{source}: no feature passes the filters; nothing written")
    return kept, len(frame)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        epilog="See docs/new-district.md.",
    )
    parser.add_argument("source", type=Path, help="GeoJSON, GeoPackage or Shapefile")
    parser.add_argument("--out", type=Path, required=True, help="GeoJSON file to write")
    parser.add_argument(
        "--where",
        action="append",
        default=[],
        metavar="FIELD=VALUE",
        help="keep features whose FIELD is VALUE (VALUE* = starts with VALUE)",
    )
    parser.add_argument(
        "--inside", type=Path, help="keep features inside the polygons of this file"
    )
    parser.add_argument(
        "--tolerance-m",
        type=float,
        default=0.0,
        help="how far outside the polygons a feature may lie (default 0 m)",
    )
    args = parser.parse_args(argv)
    try:
        if not args.where and args.inside is None:
            raise UsageProblem(
                "give --where and/or --inside: otherwise nothing is filtered"
            )
        kept, total = clip(args.source, args.where, args.inside, args.tolerance_m)
        if args.out.exists() and args.out.is_dir():
            raise UsageProblem(f"--out {args.out} is a folder; give a file name")
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.unlink(missing_ok=True)
        kept.to_file(args.out, driver="GeoJSON", COORDINATE_PRECISION=6)
    except UsageProblem as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"{len(kept)} of {total} features written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
