"""Turn a KPU TPS list into the TPS table deploy_opt reads (docs/new-district.md).

The KPU list may come in either of two shapes (CSV, or XLSX with ``--sheet``):

* **one row per TPS**: kelurahan/desa, kecamatan, TPS number, and where known
  the address, voters (DPT) and coordinates (``lat``/``lon`` columns, or one
  ``koordinat`` cell ``-6.12, 106.90`` as Google Maps copies it);
* **one row per kelurahan** with the number of TPS (``jumlah_tps``,
  ``tps_regular``, ...): TPS 1..n of each kelurahan, plus a range such as
  ``901-933`` (``tps_special_range``) for special TPS, which get kind
  ``special``.

Every row is matched to its kelurahan polygon in ``--boundary`` (by code
where both files have one, else by name ignoring case and punctuation, with
the kecamatan where the boundary has a kecamatan field). A TPS without
coordinates is placed at a random point inside its kelurahan polygon (TPS
9xx of a kelurahan share one point): such a point is APPROXIMATE, and the
``coord_source`` column says so on every row. Same input and ``--seed``,
same output.

Writes ``--out`` (``tps_id, number, kelurahan, kecamatan, category, kind,
address, [voters,] lon, lat, coord_source``), and on request a Linmas post
per kelurahan (``--linmas-out``, ``--linmas-per-tps`` Linmas per TPS) and a
units template with one Polsek and one Koramil per kecamatan
(``--units-out``; headcounts 0 and approximate points, to be filled in).

Example (Jakarta Utara from the KawalPemilu count per kelurahan)::

    python scripts/tps_from_kpu.py tps_2024_per_kelurahan.csv \\
        --where kabkota="JAKARTA UTARA" --boundary data/kelurahan.geojson \\
        --out data/tps.csv --linmas-out data/linmas.csv --units-out data/units.csv

Exit code 2 with a message (file, column, line) for anything that does not
fit; nothing is written then.
"""

from __future__ import annotations

import argparse
import difflib
import re
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

#: Header names tried for each field (compared ignoring case, spaces, ``_ . /``).
GUESSES: dict[str, tuple[str, ...]] = {
    "kelurahan": (
        "kelurahan",
        "desa",
        "kelurahan/desa",
        "desa/kelurahan",
        "nama_kelurahan",
        "nama_desa",
        "kel/desa",
        "kel",
        "village",
    ),
    "kecamatan": ("kecamatan", "nama_kecamatan", "kec", "district"),
    "number": ("no_tps", "nomor_tps", "tps", "no. tps", "tps_no", "number"),
    "count": ("jumlah_tps", "tps_regular", "jml_tps", "tps_total", "total_tps"),
    "range": ("tps_special_range",),
    "code": ("kode_kemendagri", "kode_kelurahan", "kode_desa", "kode_wilayah"),
    "address": ("alamat", "alamat_tps", "lokasi", "address"),
    "voters": ("dpt", "jumlah_dpt", "total_dpt", "pemilih", "voters"),
    "lat": ("lat", "latitude", "lintang"),
    "lon": ("lon", "lng", "long", "longitude", "bujur"),
    "latlon": ("koordinat", "coordinates", "latlon", "lat_lon", "titik_koordinat"),
}
APPROXIMATE = "approximate: random point in the kelurahan polygon (seed {seed})"
APPROXIMATE_SPECIAL = (
    "approximate: one point in the kelurahan polygon for its TPS 9xx (seed {seed})"
)
APPROXIMATE_BASE = (
    "approximate: a point inside the {area} polygon; replace with the real address"
)


class UsageProblem(Exception):
    """A mistake in the command or the input files (exit code 2)."""


def key(text: object) -> str:
    """Compare form of a name: no accents, case, spaces or punctuation."""
    plain = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return re.sub(r"[^0-9a-z]", "", plain.casefold())


def digits(text: object) -> str:
    return re.sub(r"\D", "", str(text))


def nice(name: str) -> str:
    """``KELAPA GADING`` -> ``Kelapa Gading``; mixed-case names stay as they are."""
    name = " ".join(name.split())
    return name.title() if name.isupper() else name


@dataclass(frozen=True)
class Columns:
    """Which KPU column holds each field (``None``: not in the file)."""

    kelurahan: str
    kecamatan: str | None
    number: str | None
    count: str | None
    range: str | None
    code: str | None
    address: str | None
    voters: str | None
    lat: str | None
    lon: str | None
    latlon: str | None


def find_columns(
    headers: list[str], given: dict[str, str | None], source: str
) -> Columns:
    """Map each field to a header: the one given on the command line, else a guess."""
    by_key = {key(h): h for h in headers}
    found: dict[str, str | None] = {}
    for field, guesses in GUESSES.items():
        name = given.get(field)
        if name is not None:
            if key(name) not in by_key:
                raise UsageProblem(
                    f"{source}: no column {name!r} (--{field}-col); "
                    f"the columns are: {', '.join(headers)}"
                )
            found[field] = by_key[key(name)]
        else:
            found[field] = next(
                (by_key[key(g)] for g in guesses if key(g) in by_key), None
            )
    if found["kelurahan"] is None:
        raise UsageProblem(
            f"{source}: no kelurahan/desa column found; name it with --kelurahan-col "
            f"(the columns are: {', '.join(headers)})"
        )
    if found["number"] is None and found["count"] is None:
        raise UsageProblem(
            f"{source}: neither a TPS number column (one row per TPS) nor a TPS count "
            "column (one row per kelurahan) found; name one with --number-col or "
            f"--count-col (the columns are: {', '.join(headers)})"
        )
    if (
        found["number"] is not None
        and found["count"] is not None
        and not given.get("count")
    ):
        found["count"] = None  # a per-TPS list that also carries a kelurahan total
    return Columns(**found)


def read_kpu(path: Path, sheet: str | None, encoding: str) -> pd.DataFrame:
    """Every cell as stripped text; ``_line`` is the spreadsheet row (header = 1)."""
    if not path.is_file():
        raise UsageProblem(f"{path}: no such file")
    try:
        if path.suffix.lower() in {".xlsx", ".xlsm", ".xls"}:
            frame = pd.read_excel(path, sheet_name=sheet or 0, dtype=str)
        else:
            frame = pd.read_csv(
                path,
                sep=None,
                engine="python",
                dtype=str,
                encoding=encoding,
                keep_default_na=False,
                skip_blank_lines=False,
            )
    except UnicodeDecodeError as exc:
        raise UsageProblem(
            f"{path}: not {encoding} text ({exc.reason}); try --encoding cp1252"
        ) from exc
    except (ValueError, pd.errors.ParserError) as exc:
        raise UsageProblem(f"{path}: cannot read it as a table ({exc})") from exc
    frame.columns = [" ".join(str(c).lstrip("\ufeff").split()) for c in frame.columns]
    frame = frame.fillna("").map(lambda v: " ".join(str(v).split()))
    frame["_line"] = np.arange(len(frame)) + 2
    return frame[frame.drop(columns="_line").ne("").any(axis=1)]


def apply_where(frame: pd.DataFrame, where: list[str], source: str) -> pd.DataFrame:
    """Keep rows whose column equals the value (ignoring case, spaces and punctuation)."""
    by_key = {key(c): c for c in frame.columns}
    for expr in where:
        column, sep, value = expr.partition("=")
        if not sep or key(column) not in by_key:
            raise UsageProblem(
                f"--where {expr!r}: write COLUMN=VALUE with a column of {source} "
                f"({', '.join(c for c in frame.columns if c != '_line')})"
            )
        frame = frame[frame[by_key[key(column)]].map(key) == key(value)]
    if frame.empty:
        raise UsageProblem(f"{source}: no row left after --where {' '.join(where)}")
    return frame


def read_boundary(
    path: Path, name_field: str, code_field: str | None, kecamatan_field: str | None
) -> gpd.GeoDataFrame:
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
    for field in (name_field, code_field, kecamatan_field):
        if field is not None and field not in frame.columns:
            fields = ", ".join(c for c in frame.columns if c != "geometry")
            raise UsageProblem(f"{path}: no field {field!r}; the fields are: {fields}")
    kinds = set(frame.geometry.geom_type)
    if not kinds <= {"Polygon", "MultiPolygon"}:
        raise UsageProblem(
            f"{path}: expected kelurahan polygons, found {sorted(kinds)}"
        )
    return frame


def match_polygons(
    kpu: pd.DataFrame,
    cols: Columns,
    boundary: gpd.GeoDataFrame,
    name_field: str,
    code_field: str | None,
    kecamatan_field: str | None,
    source: str,
) -> np.ndarray:
    """Index of the boundary polygon of each KPU row; every miss is listed at once."""
    names = boundary[name_field].map(key)
    by_code = {}
    if cols.code is not None and code_field is not None:
        by_code = {
            digits(c): i
            for i, c in zip(boundary.index, boundary[code_field], strict=True)
        }
    by_name: dict[str, list[int]] = {}
    for i, n in zip(boundary.index, names, strict=True):
        by_name.setdefault(n, []).append(i)
    kec_of = boundary[kecamatan_field].map(key) if kecamatan_field else None
    found: dict[int, int] = {}
    misses = []
    for cell in kpu.drop_duplicates("_line").to_dict("records"):
        line = cell["_line"]
        if by_code and digits(cell[cols.code]) in by_code:
            found[line] = by_code[digits(cell[cols.code])]
            continue
        kel = cell[cols.kelurahan]
        hits = by_name.get(key(kel), [])
        if len(hits) > 1 and kec_of is not None and cols.kecamatan is not None:
            hits = [i for i in hits if kec_of[i] == key(cell[cols.kecamatan])]
        if len(hits) == 1:
            found[line] = hits[0]
        elif hits:
            misses.append(
                f"line {line}: kelurahan {kel!r} has {len(hits)} polygons; give "
                "--boundary-kecamatan-field (or codes: --code-col, --boundary-code-field)"
            )
        else:
            close = difflib.get_close_matches(
                str(kel).upper(), [str(n).upper() for n in boundary[name_field]], n=1
            )
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            misses.append(
                f"line {line}: kelurahan {kel!r} not in the boundary file{hint}"
            )
    if misses:
        shown = "\n  ".join(misses[:20])
        more = f"\n  ... and {len(misses) - 20} more" if len(misses) > 20 else ""
        wider = (
            "\n  (does the list cover more than your district? keep its rows with "
            "--where, e.g. --where kabkota='JAKARTA UTARA')"
            if len(misses) > len(found)
            else ""
        )
        raise UsageProblem(
            f"{source}: {len(misses)} row(s) match no kelurahan polygon:"
            f"\n  {shown}{more}{wider}"
        )
    return np.array([found[line] for line in kpu["_line"]], dtype=int)


def number_text(cell: str, line: int, source: str, column: str) -> str:
    """``TPS 001`` -> ``001``: the digits of a TPS number."""
    found = digits(cell)
    if not found:
        raise UsageProblem(
            f"{source} line {line}, column {column}: {cell!r} is no TPS number"
        )
    return f"{int(found):03d}"


def parse_float(cell: str) -> float | None:
    if cell == "":
        return None
    try:
        return float(cell.replace(",", "."))
    except ValueError:
        return None


def split_pair(cell: str) -> list[str]:
    """``-6.12, 106.9`` / ``-6,12; 106,9`` / ``-6.12 106.9`` -> its two parts."""
    cell = cell.strip()
    if ";" in cell:
        parts = cell.split(";")
    elif re.search(r",\s", cell):
        parts = re.split(r",\s+", cell)
    elif cell.count(",") == 1:
        parts = cell.split(",")
    else:
        parts = cell.split()
    return [p.strip() for p in parts if p.strip()]


def given_points(
    kpu: pd.DataFrame, cols: Columns, source: str
) -> tuple[np.ndarray, np.ndarray]:
    """lon, lat of each row (NaN where the list gives none)."""
    lon = np.full(len(kpu), np.nan)
    lat = np.full(len(kpu), np.nan)
    problems = []
    for n, row in enumerate(kpu.to_dict("records")):
        if cols.latlon is not None and row[cols.latlon]:
            values = [parse_float(p) for p in split_pair(row[cols.latlon])]
            if len(values) != 2 or None in values:
                problems.append(
                    f"line {row['_line']}, column {cols.latlon}: "
                    f"{row[cols.latlon]!r} is not 'lat, lon'"
                )
                continue
            lat[n], lon[n] = values
        elif (
            cols.lat is not None
            and cols.lon is not None
            and (row[cols.lat] or row[cols.lon])
        ):
            la, lo = parse_float(row[cols.lat]), parse_float(row[cols.lon])
            if la is None or lo is None:
                problems.append(
                    f"line {row['_line']}: lat {row[cols.lat]!r}, lon "
                    f"{row[cols.lon]!r} are not two decimal numbers"
                )
                continue
            lat[n], lon[n] = la, lo
        if not np.isnan(lat[n]) and abs(lat[n]) > abs(lon[n]):
            problems.append(
                f"line {row['_line']}: lat {lat[n]} and lon {lon[n]} look "
                "swapped (Indonesia: lat -11..6, lon 95..141)"
            )
    if problems:
        raise UsageProblem(
            f"{source}: coordinates not understood:\n  " + "\n  ".join(problems)
        )
    return lon, lat


def random_points(
    polygon: shapely.Geometry, count: int, rng: np.random.Generator
) -> np.ndarray:
    """``count`` uniform random points inside ``polygon`` (rejection sampling)."""
    minx, miny, maxx, maxy = polygon.bounds
    shapely.prepare(polygon)
    found, have = [], 0
    while have < count:
        xy = rng.uniform((minx, miny), (maxx, maxy), size=(max(64, 4 * count), 2))
        inside = xy[shapely.contains_xy(polygon, xy[:, 0], xy[:, 1])]
        found.append(inside)
        have += len(inside)
    return np.concatenate(found)[:count]


def expand_counts(kpu: pd.DataFrame, cols: Columns, source: str) -> pd.DataFrame:
    """One row per TPS from a count per kelurahan (plus a ``901-933`` range)."""
    rows = []
    for row in kpu.to_dict("records"):
        count = row[cols.count]
        if not re.fullmatch(r"\d+", count):
            raise UsageProblem(
                f"{source} line {row['_line']}, column {cols.count}: {count!r} is not a "
                "whole number of TPS (write 1000, not 1.000)"
            )
        for n in range(1, int(count) + 1):
            rows.append({**row, "_number": f"{n:03d}", "_kind": ""})
        span = row[cols.range] if cols.range else ""
        if span:
            m = re.fullmatch(r"(\d+)\s*-\s*(\d+)", span)
            if not m or int(m[1]) > int(m[2]):
                raise UsageProblem(
                    f"{source} line {row['_line']}, column {cols.range}: "
                    f"{span!r} is not a range such as 901-933"
                )
            for n in range(int(m[1]), int(m[2]) + 1):
                rows.append({**row, "_number": f"{n:03d}", "_kind": "special"})
    return pd.DataFrame(rows)


def build(args: argparse.Namespace) -> dict[str, pd.DataFrame]:
    """The tables to write: ``tps`` and, on request, ``linmas`` and ``units``."""
    source = str(args.kpu)
    kpu = read_kpu(args.kpu, args.sheet, args.encoding)
    kpu = apply_where(kpu, args.where, source)
    given = {f: getattr(args, f"{f}_col") for f in GUESSES}
    cols = find_columns([c for c in kpu.columns if c != "_line"], given, source)
    boundary = read_boundary(
        args.boundary,
        args.boundary_name_field,
        args.boundary_code_field,
        args.boundary_kecamatan_field,
    )
    metric = boundary.estimate_utm_crs()
    boundary = boundary.to_crs(metric)
    if cols.count is not None:
        tps = expand_counts(kpu, cols, source)
    else:
        tps = kpu.assign(
            _number=[
                number_text(c, ln, source, cols.number)
                for c, ln in zip(kpu[cols.number], kpu["_line"], strict=True)
            ],
            _kind="",
        )
    code_field = args.boundary_code_field
    if code_field is None and "kode" in boundary.columns:
        code_field = "kode"
    poly = match_polygons(
        tps,
        cols,
        boundary,
        args.boundary_name_field,
        code_field,
        args.boundary_kecamatan_field,
        source,
    )
    tps["_poly"] = poly
    kel_name = boundary[args.boundary_name_field].map(lambda v: nice(str(v)))
    tps["kelurahan"] = kel_name.loc[poly].to_numpy()
    if cols.kecamatan is not None:
        tps["kecamatan"] = tps[cols.kecamatan].map(nice)
    elif args.boundary_kecamatan_field:
        tps["kecamatan"] = (
            boundary[args.boundary_kecamatan_field]
            .loc[poly]
            .map(lambda v: nice(str(v)))
            .to_numpy()
        )
    else:
        raise UsageProblem(
            f"{source}: no kecamatan column; give --kecamatan-col or "
            "--boundary-kecamatan-field"
        )
    area_code = {
        i: digits(boundary.at[i, code_field]) or key(kel_name[i])
        if code_field
        else key(kel_name[i])
        for i in set(poly)
    }
    tps["tps_id"] = [
        f"{area_code[p]}-{n}" for p, n in zip(poly, tps["_number"], strict=True)
    ]
    dup = tps[tps["tps_id"].duplicated(keep=False)]
    if not dup.empty:
        shown = ", ".join(
            f"{i} (line {ln})"
            for i, ln in zip(dup["tps_id"], dup["_line"], strict=True)
        )
        raise UsageProblem(f"{source}: TPS listed twice: {shown}")

    lon, lat = (
        given_points(tps, cols, source)
        if cols.count is None
        else (np.full(len(tps), np.nan), np.full(len(tps), np.nan))
    )
    rng = np.random.default_rng(args.seed)
    x = np.full(len(tps), np.nan)
    y = np.full(len(tps), np.nan)
    source_text = np.where(np.isnan(lon), "", "given in the KPU list").astype(object)
    order = sorted(set(poly), key=lambda i: area_code[i])
    for i in order:  # deterministic: polygons by code, TPS in list order
        polygon = boundary.geometry[i]
        regular = np.flatnonzero(
            (poly == i) & np.isnan(lon) & (tps["_kind"] == "").to_numpy()
        )
        if len(regular):
            x[regular], y[regular] = random_points(polygon, len(regular), rng).T
            source_text[regular] = APPROXIMATE.format(seed=args.seed)
        special = np.flatnonzero(
            (poly == i) & np.isnan(lon) & (tps["_kind"] != "").to_numpy()
        )
        if len(special):
            x[special], y[special] = random_points(polygon, 1, rng)[0]
            source_text[special] = APPROXIMATE_SPECIAL.format(seed=args.seed)
    placed = ~np.isnan(x)
    pts = gpd.GeoSeries(gpd.points_from_xy(x[placed], y[placed]), crs=metric).to_crs(
        "EPSG:4326"
    )
    lon[placed], lat[placed] = pts.x.to_numpy(), pts.y.to_numpy()
    outside = []
    given_idx = np.flatnonzero(~placed)
    if len(given_idx):
        g = gpd.GeoSeries(
            gpd.points_from_xy(lon[given_idx], lat[given_idx]), crs="EPSG:4326"
        )
        g = g.to_crs(metric)
        for j, pt in zip(given_idx, g, strict=True):
            if boundary.geometry[poly[j]].distance(pt) > args.tolerance_m:
                outside.append(f"line {tps['_line'].iloc[j]} ({tps['tps_id'].iloc[j]})")
    if outside:
        print(
            f"warning: {len(outside)} TPS with coordinates lie more than "
            f"{args.tolerance_m:g} m outside their kelurahan: {', '.join(outside[:10])}"
            + (" ..." if len(outside) > 10 else ""),
            file=sys.stderr,
        )

    out = pd.DataFrame(
        {
            "tps_id": tps["tps_id"],
            "number": tps["_number"],
            "kelurahan": tps["kelurahan"],
            "kecamatan": tps["kecamatan"],
            "category": args.category,
            "kind": tps["_kind"],
            "address": tps[cols.address] if cols.address else "",
        }
    )
    if cols.voters is not None:
        bad = tps[~tps[cols.voters].str.fullmatch(r"\d*")]
        if not bad.empty:
            lines = ", ".join(str(v) for v in bad["_line"].head(10))
            raise UsageProblem(
                f"{source}, column {cols.voters}: not a whole number on line(s) "
                f"{lines} (write 1000, not 1.000)"
            )
        out["voters"] = tps[cols.voters]
    out["lon"] = np.round(lon, 6)
    out["lat"] = np.round(lat, 6)
    out["coord_source"] = source_text
    out = out.sort_values("tps_id", kind="stable").reset_index(drop=True)
    tables = {"tps": out}
    if args.linmas_out:
        tables["linmas"] = linmas_posts(boundary, tps, order, area_code, kel_name, args)
    if args.units_out:
        tables["units"] = units_template(boundary, tps, metric)
    return tables


def _lonlat(points: list[shapely.Point], crs: object) -> tuple[np.ndarray, np.ndarray]:
    geo = gpd.GeoSeries(points, crs=crs).to_crs("EPSG:4326")
    return np.round(geo.x.to_numpy(), 6), np.round(geo.y.to_numpy(), 6)


def linmas_posts(
    boundary: gpd.GeoDataFrame,
    tps: pd.DataFrame,
    order: list[int],
    area_code: dict[int, str],
    kel_name: pd.Series,
    args: argparse.Namespace,
) -> pd.DataFrame:
    """One Linmas post per kelurahan, ``linmas_per_tps`` x its TPS."""
    count = tps.groupby("_poly").size()
    kec = tps.groupby("_poly")["kecamatan"].first()
    points = [boundary.geometry[i].representative_point() for i in order]
    lon, lat = _lonlat(points, boundary.crs)
    return pd.DataFrame(
        {
            "base_id": [f"LINMAS-{area_code[i]}" for i in order],
            "name": [f"Linmas Kel. {kel_name[i]}" for i in order],
            "kind": "kelurahan",
            "lon": lon,
            "lat": lat,
            "kecamatan": [kec[i] for i in order],
            "kelurahan": [kel_name[i] for i in order],
            "linmas": [args.linmas_per_tps * int(count[i]) for i in order],
            "coord_source": APPROXIMATE_BASE.format(area="kelurahan"),
        }
    )


def units_template(
    boundary: gpd.GeoDataFrame, tps: pd.DataFrame, metric: object
) -> pd.DataFrame:
    """One Polsek and one Koramil row per kecamatan, headcounts 0, to be filled in."""
    rows = []
    for kec, polys in tps.groupby("kecamatan", sort=True)["_poly"]:
        area = shapely.union_all(boundary.geometry.loc[sorted(set(polys))].to_numpy())
        inner = area.buffer(-300)
        point = (inner if not inner.is_empty else area).representative_point()
        slug = re.sub(r"[^A-Z0-9]+", "_", nice(kec).upper()).strip("_")
        for kind, prefix in (("polsek", "Polsek"), ("koramil", "Koramil")):
            rows.append(
                {
                    "base_id": f"{kind.upper()}-{slug}",
                    "name": f"{prefix} {kec}",
                    "kind": kind,
                    "point": point,
                    "kecamatan": kec,
                    "kelurahan": "",
                    "jurisdiction": kec,
                    "polri": 0,
                    "tni": 0,
                    "medis": 0,
                    "coord_source": APPROXIMATE_BASE.format(area="kecamatan"),
                }
            )
    frame = pd.DataFrame(rows)
    frame["lon"], frame["lat"] = _lonlat(list(frame.pop("point")), metric)
    return frame[
        [
            "base_id",
            "name",
            "kind",
            "lon",
            "lat",
            "kecamatan",
            "kelurahan",
            "jurisdiction",
            "polri",
            "tni",
            "medis",
            "coord_source",
        ]
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Columns are guessed from common KPU headers; name them with --FIELD-col "
        "when the guess fails. See docs/new-district.md.",
    )
    parser.add_argument("kpu", type=Path, help="the KPU list (CSV or XLSX)")
    parser.add_argument(
        "--boundary",
        type=Path,
        required=True,
        help="kelurahan polygons (GeoJSON, GeoPackage, Shapefile)",
    )
    parser.add_argument(
        "--out", type=Path, required=True, help="TPS table to write (CSV)"
    )
    parser.add_argument(
        "--linmas-out", type=Path, help="also write a Linmas post per kelurahan"
    )
    parser.add_argument(
        "--linmas-per-tps", type=int, default=2, help="default 2 (KPU norm)"
    )
    parser.add_argument(
        "--units-out",
        type=Path,
        help="also write a Polsek/Koramil template per kecamatan",
    )
    parser.add_argument(
        "--where",
        action="append",
        default=[],
        metavar="COLUMN=VALUE",
        help="keep only these rows, e.g. kabkota='JAKARTA UTARA'",
    )
    parser.add_argument(
        "--category",
        default="kurang_rawan",
        help="category of every TPS (edit the rawan ones afterwards)",
    )
    parser.add_argument(
        "--seed", type=int, default=0, help="for the approximate points"
    )
    parser.add_argument("--sheet", help="XLSX sheet name (default: the first)")
    parser.add_argument(
        "--encoding", default="utf-8-sig", help="CSV encoding (cp1252 ...)"
    )
    parser.add_argument(
        "--tolerance-m",
        type=float,
        default=100.0,
        help="warn for given points farther outside their kelurahan",
    )
    parser.add_argument(
        "--boundary-name-field",
        default="nama",
        help="kelurahan name field of the boundary (default nama)",
    )
    parser.add_argument(
        "--boundary-code-field", help="kelurahan code field (default kode)"
    )
    parser.add_argument(
        "--boundary-kecamatan-field", help="kecamatan name field, if any"
    )
    for field in GUESSES:
        parser.add_argument(
            f"--{field}-col",
            metavar="COLUMN",
            help=f"KPU column of {field} (guessed: {', '.join(GUESSES[field][:3])})",
        )
    args = parser.parse_args(argv)
    try:
        if args.linmas_per_tps < 0:
            raise UsageProblem("--linmas-per-tps must be 0 or more")
        tables = build(args)
        targets = {"tps": args.out, "linmas": args.linmas_out, "units": args.units_out}
        for name, frame in tables.items():
            path = targets[name]
            path.parent.mkdir(parents=True, exist_ok=True)
            frame.to_csv(path, index=False, lineterminator="\n")
    except UsageProblem as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    tps = tables["tps"]
    approx = tps["coord_source"].str.startswith("approximate").sum()
    print(
        f"{len(tps)} TPS in {tps['kelurahan'].nunique()} kelurahan and "
        f"{tps['kecamatan'].nunique()} kecamatan written to {args.out} "
        f"({approx} with approximate coordinates)"
    )
    for name in ("linmas", "units"):
        if name in tables:
            print(f"{len(tables[name])} rows written to {targets[name]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
