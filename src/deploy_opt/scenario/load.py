"""Load a scenario: YAML + point tables -> a validated :class:`Scenario`.

Every problem is collected before anything is raised, so the planner sees the
whole list at once. File references are resolved relative to the scenario file.
"""

from __future__ import annotations

import hashlib
import math
import warnings
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import ValidationError

from deploy_opt.errors import Issue, ScenarioError
from deploy_opt.scenario.schema import (
    AGENCIES,
    BASE_FIELDS,
    BASE_KINDS,
    BASE_REQUIRED,
    STATION_FIELDS,
    STATION_REQUIRED,
    ScenarioSpec,
)
from deploy_opt.scenario.tables import read_point_table
from deploy_opt.scenario.yaml_source import YamlDocument

#: Listing every bad row of a 7,000-row file helps nobody; show this many per kind.
MAX_ROWS_PER_PROBLEM = 10
#: Headcounts above this are certainly a typo (the whole national force is ~450k).
MAX_HEADCOUNT = 1_000_000


def name_key(text: str) -> str:
    """Key for comparing place names: case- and whitespace-insensitive."""
    return " ".join(str(text).split()).casefold()


@dataclass(frozen=True)
class Scenario:
    """A validated scenario: the spec plus its station and base tables.

    ``stations`` has columns ``id, lon, lat, x, y, kelurahan, kecamatan, category,
    voters, kind``; ``bases`` has ``id, name, kind, lon, lat, x, y, kecamatan,
    kelurahan, jurisdiction`` (a tuple of kecamatan names, empty = anywhere) and one
    integer headcount column per agency. ``x``/``y`` are metres in
    ``projected_crs``.
    """

    path: Path
    spec: ScenarioSpec
    stations: pd.DataFrame
    bases: pd.DataFrame
    projected_crs: str
    input_hash: str
    warnings: tuple[Issue, ...] = field(default=())


class _RowProblems:
    """Collects per-row problems, capped per kind, as :class:`Issue` objects."""

    def __init__(self) -> None:
        self._rows: dict[tuple[str, str, str], list[int]] = defaultdict(list)
        self._severity: dict[tuple[str, str, str], str] = {}

    def add(
        self, file: str, column: str, message: str, line: int, severity: str = "error"
    ) -> None:
        key = (file, column, message)
        self._rows[key].append(line)
        self._severity[key] = severity

    def has_errors(self) -> bool:
        """True when any collected problem is an error."""
        return any(sev == "error" for sev in self._severity.values())

    def issues(self) -> list[Issue]:
        out: list[Issue] = []
        for (file, column, message), lines in self._rows.items():
            severity = (
                "warning"
                if self._severity[(file, column, message)] == "warning"
                else "error"
            )
            for line in lines[:MAX_ROWS_PER_PROBLEM]:
                out.append(Issue(file, f"column {column}", message, line, severity))
            if len(lines) > MAX_ROWS_PER_PROBLEM:
                more = len(lines) - MAX_ROWS_PER_PROBLEM
                out.append(
                    Issue(
                        file,
                        f"column {column}",
                        f"{message} (and {more} more rows)",
                        None,
                        severity,
                    )
                )
        return out


def validate_scenario(
    path: str | Path, *, allow_outside_files: bool = False
) -> list[Issue]:
    """Return every problem of the scenario at ``path`` (errors and warnings)."""
    try:
        scenario = load_scenario(path, allow_outside_files=allow_outside_files)
    except ScenarioError as exc:
        return [*exc.issues, *exc.warnings]
    return list(scenario.warnings)


def load_scenario(path: str | Path, *, allow_outside_files: bool = False) -> Scenario:
    """Load and validate a scenario YAML and the files it refers to.

    File references are resolved relative to the YAML file and must stay in
    its folder unless ``allow_outside_files`` is true, so that a scenario
    received from elsewhere cannot make the tool read arbitrary files.

    Raises
    ------
    ScenarioError
        With every problem found, each naming file, field and line.
    """
    scenario_path = Path(path)
    doc = YamlDocument(scenario_path)
    outside = [] if allow_outside_files else _outside_files(doc)
    try:
        spec = ScenarioSpec.model_validate(doc.data)
    except ValidationError as exc:
        issues = _pydantic_issues(exc, doc) + (outside or _missing_files(doc))
        raise ScenarioError(issues) from None
    if outside:
        raise ScenarioError(outside)  # read nothing outside the folder

    issues: list[Issue] = []
    folder = scenario_path.parent
    rows = _RowProblems()

    stations_path = _resolve(folder, spec.stations.file)
    if not stations_path.exists():
        issues.append(
            doc.issue(("stations", "file"), f"file not found: {stations_path}")
        )
    raw_stations = (
        None
        if not stations_path.exists()
        else read_point_table(
            spec.stations,
            stations_path,
            STATION_FIELDS,
            STATION_REQUIRED,
            spec.crs,
            issues,
        )
    )
    stations = (
        _clean_stations(raw_stations, spec, str(stations_path), rows)
        if raw_stations is not None and not _has_errors(issues)
        else None
    )

    base_frames: list[pd.DataFrame] = []
    base_files: list[Path] = []
    for index, source in enumerate(spec.bases):
        base_path = _resolve(folder, source.file)
        base_files.append(base_path)
        if not base_path.exists():
            issues.append(
                doc.issue(("bases", index, "file"), f"file not found: {base_path}")
            )
            continue
        before = len(issues)
        raw = read_point_table(
            source, base_path, BASE_FIELDS, BASE_REQUIRED, spec.crs, issues
        )
        if raw is None or len(issues) > before:
            if raw is None and not issues[before:]:
                issues.append(doc.issue(("bases", index, "file"), "cannot be read"))
            continue
        base_frames.append(_clean_bases(raw, str(base_path), spec.crs, rows))
    bases = _concat_bases(base_frames, rows)

    if stations is not None and bases is not None and not rows.has_errors():
        _cross_check(spec, doc, stations, bases, issues)

    boundary_path = None
    projected_crs = spec.projected_crs
    if stations is not None:
        projected_crs = projected_crs or _estimate_utm(stations)
        _project(stations, spec.crs, projected_crs)
        if bases is not None:
            _project(bases, spec.crs, projected_crs)
        if spec.district is not None:
            boundary_path = _resolve(folder, spec.district.boundary)
            _check_inside_district(
                spec, boundary_path, projected_crs, stations, bases, doc, rows, issues
            )

    network_files = _network_files(spec, doc, issues)
    issues += rows.issues()
    if _has_errors(issues) or stations is None or bases is None:
        raise ScenarioError(issues)
    files = [scenario_path, stations_path, *base_files, *network_files]
    if boundary_path is not None:
        files.append(boundary_path)
    return Scenario(
        path=scenario_path,
        spec=spec,
        stations=stations,
        bases=bases,
        projected_crs=str(projected_crs),
        input_hash=_hash_files(files),
        warnings=tuple(i for i in issues if i.severity == "warning"),
    )


def _file_references(doc: YamlDocument) -> list[tuple[tuple[str | int, ...], str]]:
    """Every file the raw YAML refers to, with its key path."""
    data = doc.data
    references: list[tuple[tuple[str | int, ...], object]] = []
    if isinstance(data.get("stations"), dict):
        references.append((("stations", "file"), data["stations"].get("file")))
    if isinstance(data.get("district"), dict):
        references.append((("district", "boundary"), data["district"].get("boundary")))
    travel = data.get("travel")
    if isinstance(travel, dict) and isinstance(travel.get("network"), dict):
        references += [
            (("travel", "network", key), travel["network"].get(key))
            for key in ("file", "profile", "cache_dir")
        ]
    if isinstance(data.get("bases"), list):
        references += [
            (("bases", i, "file"), b.get("file"))
            for i, b in enumerate(data["bases"])
            if isinstance(b, dict)
        ]
    return [(path, ref) for path, ref in references if isinstance(ref, str)]


def _missing_files(doc: YamlDocument) -> list[Issue]:
    """File references that do not exist, read from the raw YAML.

    Used when the schema is invalid, so that missing files are reported in
    the same run as the schema problems.
    """
    folder = doc.path.parent
    return [
        doc.issue(path, f"file not found: {_resolve(folder, ref)}")
        for path, ref in _file_references(doc)
        if path[-1] != "cache_dir" and not _resolve(folder, ref).exists()
    ]


def _outside_files(doc: YamlDocument) -> list[Issue]:
    """References that leave the scenario's folder (refused unless allowed)."""
    folder = doc.path.parent.resolve()
    return [
        doc.issue(
            path,
            f"{ref!r} is outside the scenario folder {folder}; copy the file into "
            "it, or allow this explicitly (--allow-outside-files)",
        )
        for path, ref in _file_references(doc)
        if not _resolve(folder, ref).resolve().is_relative_to(folder)
    ]


def _network_files(
    spec: ScenarioSpec, doc: YamlDocument, issues: list[Issue]
) -> list[Path]:
    """The road network (and profile) files, checked to exist."""
    network = spec.travel.network
    if spec.travel.model != "road_network" or network is None:
        return []
    found = []
    for key, reference in (("file", network.file), ("profile", network.profile)):
        if reference is None:
            continue
        path = _resolve(doc.path.parent, reference)
        if path.is_file():
            found.append(path)
        else:
            issues.append(
                doc.issue(("travel", "network", key), f"file not found: {path}")
            )
    return found


def _has_errors(issues: list[Issue]) -> bool:
    return any(i.severity == "error" for i in issues)


def _resolve(folder: Path, reference: str) -> Path:
    candidate = Path(reference)
    return candidate if candidate.is_absolute() else folder / candidate


def _pydantic_issues(exc: ValidationError, doc: YamlDocument) -> list[Issue]:
    issues = []
    for error in exc.errors():
        loc = tuple(
            part for part in error["loc"] if not str(part).startswith("function-")
        )
        message = str(error["msg"]).removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = "unknown key (check its spelling or the docs/scenario.md format)"
        elif error["type"] == "missing":
            message = "required key is missing"
        elif "input" in error and error["type"] not in {
            "value_error",
            "assertion_error",
        }:
            message = f"{message} (found {error['input']!r})"
        issues.append(doc.issue(loc, message))
    return issues


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return " ".join(str(value).split())


def _number(value: Any) -> float | None:
    text = _text(value).replace(",", ".") if isinstance(value, str) else value
    try:
        number = float(text) if text != "" else math.nan
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _count(value: Any) -> int | None:
    """A non-negative whole number, or None; empty cells count as 0."""
    if _text(value) == "":
        return 0
    number = _number(value)
    if number is None or number < 0 or number != int(number) or number > MAX_HEADCOUNT:
        return None
    return int(number)


def _coordinates(
    frame: pd.DataFrame, file: str, crs: str, rows: _RowProblems
) -> tuple[list[float], list[float], list[bool]]:
    geographic = crs.upper() in {"EPSG:4326", "WGS84", "OGC:CRS84"}
    lons, lats, ok = [], [], []
    for lon_raw, lat_raw, line in zip(
        frame["lon"], frame["lat"], frame["_line"], strict=True
    ):
        lon, lat = _number(lon_raw), _number(lat_raw)
        good = True
        if lon is None:
            rows.add(file, "lon", f"expected a number, found {_text(lon_raw)!r}", line)
            good = False
        if lat is None:
            rows.add(file, "lat", f"expected a number, found {_text(lat_raw)!r}", line)
            good = False
        if good and geographic:
            if not -90 <= lat <= 90 and -90 <= lon <= 90:  # type: ignore[operator]
                rows.add(
                    file,
                    "lat",
                    "latitude outside -90..90; are lon and lat swapped?",
                    line,
                )
                good = False
            elif not (-180 <= lon <= 180 and -90 <= lat <= 90):  # type: ignore[operator]
                rows.add(
                    file,
                    "lon",
                    "not a WGS84 coordinate; set `crs` if the file uses another CRS",
                    line,
                )
                good = False
        lons.append(lon if good else math.nan)
        lats.append(lat if good else math.nan)
        ok.append(good)
    return lons, lats, ok


def _clean_stations(
    raw: pd.DataFrame, spec: ScenarioSpec, file: str, rows: _RowProblems
) -> pd.DataFrame:
    lons, lats, _ = _coordinates(raw, file, spec.crs, rows)
    out = pd.DataFrame(
        {
            "id": [_text(v) for v in raw["id"]],
            "lon": lons,
            "lat": lats,
            "kelurahan": [_text(v) for v in raw["kelurahan"]],
            "kecamatan": [_text(v) for v in raw["kecamatan"]],
            "category": [_text(v) for v in raw["category"]],
            "kind": [_text(v) for v in raw["kind"]],
            "_line": raw["_line"].to_numpy(),
        }
    )
    voters = []
    for value, line in zip(raw["voters"], out["_line"], strict=True):
        count = _count(value)
        if count is None:
            rows.add(file, "voters", "expected a whole number >= 0", line)
        voters.append(count or 0)
    out["voters"] = np.asarray(voters, dtype=np.int64)

    known = set(spec.categories)
    seen: dict[str, int] = {}
    for station_id, category, kel, kec, line in zip(
        out["id"],
        out["category"],
        out["kelurahan"],
        out["kecamatan"],
        out["_line"],
        strict=True,
    ):
        if station_id == "":
            rows.add(file, "id", "empty TPS id", line)
        elif station_id in seen:
            rows.add(
                file,
                "id",
                f"duplicate TPS id {station_id!r} (first on line {seen[station_id]})",
                line,
            )
        else:
            seen[station_id] = line
        if category not in known:
            rows.add(
                file,
                "category",
                f"unknown category {category!r}; the scenario defines {sorted(known)}",
                line,
            )
        if kel == "":
            rows.add(file, "kelurahan", "empty kelurahan", line)
        if kec == "":
            rows.add(file, "kecamatan", "empty kecamatan", line)
    return out


def _clean_bases(
    raw: pd.DataFrame, file: str, crs: str, rows: _RowProblems
) -> pd.DataFrame:
    lons, lats, _ = _coordinates(raw, file, crs, rows)
    out = pd.DataFrame(
        {
            "id": [_text(v) for v in raw["id"]],
            "name": [_text(v) for v in raw["name"]],
            "kind": [_text(v).lower() for v in raw["kind"]],
            "lon": lons,
            "lat": lats,
            "kecamatan": [_text(v) for v in raw["kecamatan"]],
            "kelurahan": [_text(v) for v in raw["kelurahan"]],
            "jurisdiction": [
                tuple(p for p in (_text(s) for s in _text(v).split(";")) if p)
                for v in raw["jurisdiction"]
            ],
            "_file": file,
            "_line": raw["_line"].to_numpy(),
        }
    )
    out.loc[out["name"] == "", "name"] = out["id"]
    for agency in AGENCIES:
        counts = []
        for value, line in zip(raw[agency], out["_line"], strict=True):
            count = _count(value)
            if count is None:
                rows.add(
                    file,
                    agency,
                    f"headcount must be a whole number from 0 to {MAX_HEADCOUNT:,}, "
                    f"found {_text(value)!r}",
                    line,
                )
            counts.append(count or 0)
        out[agency] = np.asarray(counts, dtype=np.int64)
    for base_id, kind, line in zip(out["id"], out["kind"], out["_line"], strict=True):
        if base_id == "":
            rows.add(file, "id", "empty base id", line)
        if kind not in BASE_KINDS:
            rows.add(
                file,
                "kind",
                f"unknown base kind {kind!r}; expected one of {list(BASE_KINDS)}",
                line,
            )
    return out


def _concat_bases(
    frames: list[pd.DataFrame], rows: _RowProblems
) -> pd.DataFrame | None:
    if not frames:
        return None
    bases = pd.concat(frames, ignore_index=True)
    seen: dict[str, tuple[str, int]] = {}
    for base_id, file, line in zip(
        bases["id"], bases["_file"], bases["_line"], strict=True
    ):
        if base_id and base_id in seen:
            first_file, first_line = seen[base_id]
            rows.add(
                file,
                "id",
                f"duplicate base id {base_id!r} (first in {first_file}:{first_line})",
                line,
            )
        else:
            seen[base_id] = (file, line)
    return bases


def _cross_check(
    spec: ScenarioSpec,
    doc: YamlDocument,
    stations: pd.DataFrame,
    bases: pd.DataFrame,
    issues: list[Issue],
) -> None:
    minimum = spec.solver.min_police_per_group
    for name, category in spec.categories.items():
        if (category.police or 0) < minimum:
            issues.append(
                doc.issue(
                    ("categories", name, "police"),
                    f"{category.police} officer(s) per group is below the minimum of "
                    f"{minimum} (body-system rule); lower `solver.min_police_per_group` "
                    "if the plan really means it",
                )
            )
    kecamatan = {name_key(k) for k in stations["kecamatan"]}
    for base_id, jurisdiction, file, line in zip(
        bases["id"], bases["jurisdiction"], bases["_file"], bases["_line"], strict=True
    ):
        for place in jurisdiction:
            if name_key(place) not in kecamatan:
                issues.append(
                    Issue(
                        file,
                        "column jurisdiction",
                        f"base {base_id!r}: kecamatan {place!r} has no TPS in the scenario",
                        line,
                        "warning",
                    )
                )
    needed = {
        "polri": any((c.police or 0) > 0 for c in spec.categories.values()),
        "tni": any(c.tni > 0 for c in spec.categories.values()),
        "linmas": any((c.linmas or 0) > 0 for c in spec.categories.values()),
    }
    for agency, is_needed in needed.items():
        if is_needed and int(bases[agency].sum()) == 0:
            issues.append(
                Issue(
                    str(doc.path),
                    "bases",
                    f"no base has any {agency} personnel; every TPS will be short of them",
                    doc.line_of(("bases",)),
                    "warning",
                )
            )
    if not bases["kind"].isin(["puskesmas", "hospital"]).any():
        issues.append(
            Issue(
                str(doc.path),
                "bases",
                "no medical facility (kind puskesmas or hospital) among the bases",
                doc.line_of(("bases",)),
                "warning",
            )
        )


def _estimate_utm(stations: pd.DataFrame) -> str:
    lon = stations["lon"].to_numpy(np.float64)
    lat = stations["lat"].to_numpy(np.float64)
    ok = np.isfinite(lon) & np.isfinite(lat)
    if not ok.any():
        return "EPSG:3857"
    zone = int((float(lon[ok].mean()) + 180) // 6) % 60 + 1
    return f"EPSG:{32700 + zone if float(lat[ok].mean()) < 0 else 32600 + zone}"


def _project(frame: pd.DataFrame, source_crs: str, target_crs: str) -> None:
    from pyproj import Transformer

    transformer = Transformer.from_crs(source_crs, target_crs, always_xy=True)
    if (
        source_crs.upper() not in {"EPSG:4326", "WGS84", "OGC:CRS84"}
        and "x" not in frame
    ):
        to_wgs = Transformer.from_crs(source_crs, "EPSG:4326", always_xy=True)
        xs, ys = frame["lon"].to_numpy(float), frame["lat"].to_numpy(float)
        frame["lon"], frame["lat"] = to_wgs.transform(xs, ys)
        x, y = transformer.transform(xs, ys)
    else:
        wgs = Transformer.from_crs("EPSG:4326", target_crs, always_xy=True)
        x, y = wgs.transform(frame["lon"].to_numpy(float), frame["lat"].to_numpy(float))
    frame["x"] = np.asarray(x, dtype=np.float64)
    frame["y"] = np.asarray(y, dtype=np.float64)


def _check_inside_district(
    spec: ScenarioSpec,
    boundary_path: Path,
    projected_crs: str,
    stations: pd.DataFrame,
    bases: pd.DataFrame | None,
    doc: YamlDocument,
    rows: _RowProblems,
    issues: list[Issue],
) -> None:
    import geopandas as gpd
    import shapely

    district = spec.district
    assert district is not None
    if not boundary_path.exists():
        issues.append(
            doc.issue(("district", "boundary"), f"file not found: {boundary_path}")
        )
        return
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            polygons = (
                gpd.read_file(boundary_path, layer=district.layer)
                if district.layer
                else gpd.read_file(boundary_path)
            )
    except Exception as exc:
        issues.append(
            doc.issue(("district", "boundary"), f"cannot read {boundary_path}: {exc}")
        )
        return
    if (
        polygons.empty
        or not polygons.geometry.geom_type.isin(["Polygon", "MultiPolygon"]).any()
    ):
        issues.append(
            doc.issue(("district", "boundary"), f"{boundary_path} has no polygons")
        )
        return
    if polygons.crs is None:
        polygons = polygons.set_crs("EPSG:4326")
    area = shapely.union_all(
        shapely.make_valid(polygons.to_crs(projected_crs).geometry.to_numpy())
    )
    area = area.buffer(district.tolerance_m)
    shapely.prepare(area)
    tables = [(stations, str(_resolve(doc.path.parent, spec.stations.file)))]
    if bases is not None:
        tables += [(bases, None)]
    for frame, file in tables:
        valid = np.isfinite(frame["x"].to_numpy())
        inside = np.ones(len(frame), dtype=bool)
        inside[valid] = shapely.contains_xy(
            area, frame["x"].to_numpy()[valid], frame["y"].to_numpy()[valid]
        )
        if file is not None and len(frame) > 1 and not inside[valid].any():
            issues.append(
                doc.issue(
                    ("crs",),
                    f"no TPS lies inside the district: are the coordinates really in {spec.crs}?",
                )
            )
        for row in np.flatnonzero(~inside):
            where = file if file is not None else frame["_file"].iloc[row]
            rows.add(
                where,
                "lon/lat",
                f"point is outside the district ({boundary_path.name}, "
                f"tolerance {district.tolerance_m:g} m)",
                int(frame["_line"].iloc[row]),
            )


def _hash_files(files: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
