"""Load a scenario: YAML + point tables -> a validated :class:`Scenario`.

Every problem is collected before anything is raised, so the planner sees the
whole list at once. File references are resolved relative to the scenario file.
"""

from __future__ import annotations

import difflib
import hashlib
import math
import os
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ValidationError

from deploy_opt.errors import Issue, ScenarioError
from deploy_opt.scenario.crossref import (
    check_bases,
    check_stations,
    district_places,
    name_key,
)
from deploy_opt.scenario.files import display_path, file_problem
from deploy_opt.scenario.kinds import check_kinds
from deploy_opt.scenario.personnel import read_personnel
from deploy_opt.scenario.problems import MAX_ROWS_PER_PROBLEM, RowProblems
from deploy_opt.scenario.schema import (
    AGENCIES,
    BASE_FIELDS,
    BASE_KINDS,
    BASE_REQUIRED,
    STATION_FIELDS,
    STATION_REQUIRED,
    BaseSourceSpec,
    DistrictSpec,
    ScenarioSpec,
    StationsSpec,
    _known_crs,
    _metric_crs,
)
from deploy_opt.scenario.tables import read_point_table
from deploy_opt.scenario.yaml_source import KeyPath, YamlDocument, format_key_path

__all__ = [
    "MAX_HEADCOUNT",
    "MAX_ROWS_PER_PROBLEM",
    "Scenario",
    "load_scenario",
    "name_key",
    "validate_scenario",
]

#: Headcounts above this are certainly a typo (the whole national force is ~450k).
MAX_HEADCOUNT = 1_000_000
#: Digit groups of three after a separator: ``1.000``, ``12,500``, ``1 234``.
_GROUPED = re.compile(r"^\+?[1-9]\d{0,2}(?:[.,\s]\d{3})+$")
#: Accepted this far (degrees) beyond the area of use of the projected CRS.
_LON_MARGIN, _LAT_MARGIN = 6.0, 10.0


@dataclass(frozen=True)
class Scenario:
    """A validated scenario: the spec plus its station and base tables.

    ``stations`` has columns ``id, lon, lat, x, y, kelurahan, kecamatan, category,
    voters, kind, host, number, address``; ``bases`` has ``id, name, kind, lon, lat, x, y, kecamatan,
    kelurahan, jurisdiction`` (a tuple of kecamatan names, empty = anywhere) and one
    integer headcount column per agency. ``x``/``y`` are metres in
    ``projected_crs``. ``personnel`` (``None`` without a ``personnel:`` table)
    has ``id, name, rank, unit, agency, phone`` per named person, in table
    order, ``unit`` a base id (see ``scenario/personnel.py``).
    """

    path: Path
    spec: ScenarioSpec
    stations: pd.DataFrame
    bases: pd.DataFrame
    projected_crs: str
    input_hash: str
    warnings: tuple[Issue, ...] = field(default=())
    personnel: pd.DataFrame | None = None


def validate_scenario(
    path: str | Path, *, allow_outside_files: bool = False
) -> list[Issue]:
    """Return every problem of the scenario at ``path`` (errors and warnings)."""
    try:
        scenario = load_scenario(path, allow_outside_files=allow_outside_files)
    except ScenarioError as exc:
        return [*exc.issues, *exc.warnings]
    return list(scenario.warnings)


@dataclass(frozen=True)
class _Sections:
    """The parts of the YAML the tables need, each valid on its own.

    When the whole scenario is valid they come from the spec; otherwise from
    the raw YAML, section by section, so that table problems are listed in the
    same run as schema problems wherever the tables can still be read.
    """

    crs: str
    projected_crs: str | None
    stations: StationsSpec | None
    bases: tuple[BaseSourceSpec | None, ...]
    categories: frozenset[str] | None
    district: DistrictSpec | None


def _sections_of(spec: ScenarioSpec) -> _Sections:
    return _Sections(
        spec.crs,
        spec.projected_crs,
        spec.stations,
        tuple(spec.bases),
        frozenset(spec.categories),
        spec.district,
    )


def _partial_sections(data: dict[str, Any]) -> _Sections | None:
    """The valid sections of an invalid scenario, or None without a usable CRS."""

    def valid(model: type[BaseModel], value: object) -> Any:
        try:
            return model.model_validate(value)
        except ValidationError:
            return None

    def crs_or_none(value: object, check: Any) -> str | None:
        try:
            return check(value) if isinstance(value, str) else None
        except ValueError:
            return None

    crs = crs_or_none(data.get("crs", "EPSG:4326"), _known_crs)
    if crs is None:
        return None
    categories = data.get("categories")
    bases = data.get("bases")
    return _Sections(
        crs,
        crs_or_none(data.get("projected_crs"), _metric_crs),
        valid(StationsSpec, data.get("stations")),
        tuple(valid(BaseSourceSpec, b) for b in bases)
        if isinstance(bases, list)
        else (),
        frozenset(str(k) for k in categories) if isinstance(categories, dict) else None,
        valid(DistrictSpec, data["district"]) if data.get("district") else None,
    )


def load_scenario(path: str | Path, *, allow_outside_files: bool = False) -> Scenario:
    """Load and validate a scenario YAML and the files it refers to.

    File references are resolved relative to the YAML file and must stay in
    its folder unless ``allow_outside_files`` is true, so that a scenario
    received from elsewhere cannot make the tool read arbitrary files. Every
    file must be a regular file (no folder, FIFO or device). Problems of the
    YAML and of the tables are listed together wherever the tables can
    still be read.

    Raises
    ------
    ScenarioError
        With every problem found, each naming file, field and line.
    """
    scenario_path = Path(path)
    doc = YamlDocument(scenario_path)
    outside = [] if allow_outside_files else _outside_files(doc)
    bad_refs = _reference_problems(doc, skip={i.field for i in outside})
    flagged = {i.field for i in outside} | {i.field for i in bad_refs.values()}
    issues: list[Issue] = [i for i in doc.issues if i.field not in flagged]
    issues += outside + list(bad_refs.values())
    spec: ScenarioSpec | None = None
    try:
        spec = ScenarioSpec.model_validate(doc.data)
    except ValidationError as exc:
        issues += _pydantic_issues(exc, doc)
    if outside:
        raise ScenarioError(issues)  # read nothing outside the folder
    sections = _sections_of(spec) if spec is not None else _partial_sections(doc.data)
    if sections is None:
        raise ScenarioError(issues)

    folder = scenario_path.parent
    rows = RowProblems()
    stations, stations_path = _read_stations(sections, doc, bad_refs, issues, rows)
    bases, base_files = _read_bases(sections, doc, bad_refs, issues, rows)

    district = sections.district
    polygons = None
    places = None
    boundary_path = None
    if district is not None and ("district", "boundary") not in bad_refs:
        boundary_path = _resolve(folder, district.boundary)
        polygons = _read_boundary(boundary_path, district, doc, issues)
        if polygons is not None:
            places, missing = district_places(
                polygons,
                district.kecamatan_field,
                district.kelurahan_field,
                boundary_path.name,
            )
            for key, column in missing:
                issues.append(
                    doc.issue(
                        ("district", key),
                        f"{boundary_path.name} has no attribute {column!r}; it has "
                        f"{[c for c in polygons.columns if c != polygons.geometry.name]}",
                    )
                )

    if stations is not None:
        check_stations(stations, str(stations_path), places, rows)
        places_ok = not rows.has_errors_in(
            str(stations_path), {"kecamatan", "kelurahan"}
        )
        if bases is not None and places_ok:  # else every post would look wrong
            check_bases(bases, stations, str(stations_path), places, rows)
    if (
        spec is not None
        and stations is not None
        and bases is not None
        and not rows.has_errors()
    ):
        _cross_check(spec, doc, stations, bases, issues)
        check_kinds(spec, doc, stations, bases, str(stations_path), issues, rows)

    projected_crs = sections.projected_crs
    if stations is not None:
        _to_wgs84(stations, sections.crs)
        if bases is not None:
            _to_wgs84(bases, sections.crs)
        projected_crs = projected_crs or _estimate_utm(stations, polygons)
        _project(stations, projected_crs, str(stations_path), rows)
        if bases is not None:
            _project(bases, projected_crs, None, rows)
        if polygons is not None and district is not None and boundary_path is not None:
            _check_inside_district(
                district,
                sections.crs,
                polygons,
                boundary_path,
                projected_crs,
                stations,
                bases,
                str(stations_path),
                doc,
                rows,
                issues,
            )

    personnel, personnel_files = read_personnel(
        spec, doc, bad_refs, bases, issues, rows
    )
    network_files = _network_files(spec, doc) if spec is not None else []
    issues += rows.issues()
    if _has_errors(issues) or spec is None or stations is None or bases is None:
        raise ScenarioError(issues)
    files = [scenario_path, stations_path, *base_files, *network_files]
    files += personnel_files
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
        personnel=personnel,
    )


def _read_stations(
    sections: _Sections,
    doc: YamlDocument,
    bad_refs: dict[KeyPath, Issue],
    issues: list[Issue],
    rows: RowProblems,
) -> tuple[pd.DataFrame | None, Path]:
    source = sections.stations
    if source is None:
        return None, doc.path
    path = _resolve(doc.path.parent, source.file)
    if ("stations", "file") in bad_refs:
        return None, path
    before = len(issues)
    raw = read_point_table(
        source, path, STATION_FIELDS, STATION_REQUIRED, sections.crs, issues, rows
    )
    if raw is None or _has_errors(issues[before:]):
        return None, path
    return _clean_stations(
        raw, sections.categories, sections.crs, str(path), rows
    ), path


def _read_bases(
    sections: _Sections,
    doc: YamlDocument,
    bad_refs: dict[KeyPath, Issue],
    issues: list[Issue],
    rows: RowProblems,
) -> tuple[pd.DataFrame | None, list[Path]]:
    frames: list[pd.DataFrame] = []
    files: list[Path] = []
    for index, source in enumerate(sections.bases):
        if source is None:
            continue
        path = _resolve(doc.path.parent, source.file)
        files.append(path)
        if ("bases", index, "file") in bad_refs:
            continue
        before = len(issues)
        raw = read_point_table(
            source, path, BASE_FIELDS, BASE_REQUIRED, sections.crs, issues, rows
        )
        if raw is None or _has_errors(issues[before:]):
            continue
        frames.append(_clean_bases(raw, str(path), sections.crs, rows))
    if len(frames) < len(sections.bases):
        return None, files
    return _concat_bases(frames, rows), files


def _file_references(doc: YamlDocument) -> list[tuple[KeyPath, str]]:
    """Every file the raw YAML refers to, with its key path."""
    data = doc.data
    references: list[tuple[KeyPath, object]] = []
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
    if isinstance(data.get("personnel"), list):
        references += [
            (("personnel", i, "file"), p.get("file"))
            for i, p in enumerate(data["personnel"])
            if isinstance(p, dict)
        ]
    return [(path, ref) for path, ref in references if isinstance(ref, str)]


def _reference_problems(doc: YamlDocument, skip: set[str]) -> dict[KeyPath, Issue]:
    """File references that are not a readable regular file (or folder for a cache).

    The road network is checked only when the travel model uses it.
    """
    folder = doc.path.parent
    travel = doc.data.get("travel")
    uses_network = isinstance(travel, dict) and travel.get("model") == "road_network"
    problems: dict[KeyPath, Issue] = {}
    for key_path, reference in _file_references(doc):
        if format_key_path(key_path) in skip:
            continue
        path = _resolve(folder, reference)
        if key_path[:2] == ("travel", "network"):
            if not uses_network:
                continue
            if key_path[-1] == "cache_dir":
                problem = _folder_problem(path)
                if problem is not None:
                    problems[key_path] = doc.issue(key_path, problem)
                continue
        problem = file_problem(path)
        if problem is not None:
            problems[key_path] = doc.issue(key_path, f"{problem}: {_short(path)}")
    return problems


def _short(path: Path, limit: int = 120) -> str:
    """``path`` for a message, with the middle of an over-long path cut out."""
    text = display_path(path)
    return text if len(text) <= limit else f"{text[:60]}...{text[-40:]}"


def _folder_problem(path: Path) -> str | None:
    """Why ``path`` cannot be a cache folder (it may not exist yet)."""
    problem = file_problem(path)
    if problem is None:
        return f"{display_path(path)} is a file, expected a folder"
    if problem.startswith(("is a folder", "file not found")):
        return None
    return f"{problem}: {display_path(path)}"


def _outside_files(doc: YamlDocument) -> list[Issue]:
    """References that leave the scenario's folder (refused unless allowed)."""
    folder = doc.path.parent.resolve()
    outside = []
    for key_path, reference in _file_references(doc):
        try:
            real = Path(os.path.realpath(_resolve(folder, reference)))
        except (OSError, ValueError):
            continue  # an unusable path: the file check reports it
        if not real.is_relative_to(folder):
            outside.append(
                doc.issue(
                    key_path,
                    f"{display_path(reference)!r} is outside the scenario folder "
                    f"{folder}; copy the file into it, or allow this explicitly "
                    "(--allow-outside-files)",
                )
            )
    return outside


def _network_files(spec: ScenarioSpec, doc: YamlDocument) -> list[Path]:
    """The road network (and profile) files, already checked to be readable."""
    network = spec.travel.network
    if spec.travel.model != "road_network" or network is None:
        return []
    return [
        _resolve(doc.path.parent, reference)
        for reference in (network.file, network.profile)
        if reference is not None
    ]


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
    if isinstance(value, bool):
        return None
    text = _text(value).replace(",", ".") if isinstance(value, str) else value
    try:
        number = float(text) if text != "" else math.nan
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _count(value: Any, limit: int = MAX_HEADCOUNT) -> tuple[int, str | None]:
    """A whole number from 0 to ``limit`` (empty cells count as 0).

    Returns the number and ``None``, or 0 and what is wrong: ``""`` for a plain
    bad value, a hint for digits grouped by a thousands separator (``1.000``
    is a thousand in an Indonesian spreadsheet but 1 when read as a decimal).
    """
    text = _text(value)
    if text == "":
        return 0, None
    if isinstance(value, str) and _GROUPED.match(text):
        digits = re.sub(r"\D", "", text)
        return 0, (
            f"{text!r} groups its digits with a thousands separator; '.' is one "
            "in Indonesian and ',' in English spreadsheets, so it could mean "
            f"{int(digits):,} or a decimal: write the whole number without "
            f"separators ({digits} for {int(digits):,})"
        )
    number = _number(value)
    if number is None or number < 0 or number != int(number) or number > limit:
        return 0, ""
    return int(number), None


def _coordinates(
    frame: pd.DataFrame, file: str, crs: str, rows: RowProblems
) -> tuple[list[float], list[float], list[bool]]:
    geographic = crs.upper() in {"EPSG:4326", "WGS84", "OGC:CRS84"}
    lons, lats, ok = [], [], []
    nogeom = frame["_nogeom"] if "_nogeom" in frame else [False] * len(frame)
    for lon_raw, lat_raw, line, skip in zip(
        frame["lon"], frame["lat"], frame["_line"], nogeom, strict=True
    ):
        if skip:  # a GIS feature without a point, reported by the reader
            lons.append(math.nan)
            lats.append(math.nan)
            ok.append(False)
            continue
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
        lons.append(lon if good and lon is not None else math.nan)
        lats.append(lat if good and lat is not None else math.nan)
        ok.append(good)
    return lons, lats, ok


def _clean_stations(
    raw: pd.DataFrame,
    categories: frozenset[str] | None,
    crs: str,
    file: str,
    rows: RowProblems,
) -> pd.DataFrame:
    lons, lats, _ = _coordinates(raw, file, crs, rows)
    out = pd.DataFrame(
        {
            "id": [_text(v) for v in raw["id"]],
            "lon": lons,
            "lat": lats,
            "kelurahan": [_text(v) for v in raw["kelurahan"]],
            "kecamatan": [_text(v) for v in raw["kecamatan"]],
            "category": [_text(v) for v in raw["category"]],
            "kind": [_text(v) for v in raw["kind"]],
            "host": [_text(v) for v in raw["host"]],
            # optional, for the rosters: TPS number (a GIS file's 7.0 -> "7") and address
            "number": [
                _text(int(v) if isinstance(v, float) and v.is_integer() else v)
                for v in raw["number"]
            ],
            "address": [_text(v) for v in raw["address"]],
            "_line": raw["_line"].to_numpy(),
        }
    )
    voters = []
    for value, line in zip(raw["voters"], out["_line"], strict=True):
        count, problem = _count(value)
        if problem is not None:
            rows.add(
                file,
                "voters",
                problem or f"expected a whole number >= 0, found {_text(value)!r}",
                line,
            )
        voters.append(count)
    out["voters"] = np.asarray(voters, dtype=np.int64)

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
        if categories is not None and category not in categories:
            close = difflib.get_close_matches(category, sorted(categories), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            rows.add(
                file,
                "category",
                f"unknown category {category!r}; the scenario defines "
                f"{sorted(categories)}{hint}",
                line,
            )
        if kel == "":
            rows.add(file, "kelurahan", "empty kelurahan", line)
        if kec == "":
            rows.add(file, "kecamatan", "empty kecamatan", line)
    return out


def _clean_bases(
    raw: pd.DataFrame, file: str, crs: str, rows: RowProblems
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
            count, problem = _count(value)
            if problem is not None:
                rows.add(
                    file,
                    agency,
                    f"headcount {problem}"
                    if problem
                    else f"headcount must be a whole number from 0 to "
                    f"{MAX_HEADCOUNT:,}, found {_text(value)!r}",
                    line,
                )
            counts.append(count)
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


def _concat_bases(frames: list[pd.DataFrame], rows: RowProblems) -> pd.DataFrame | None:
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
        # every rule of a ladder keeps the minimum (the densest is `police`)
        lowest = min(category.ladder, key=lambda rung: rung.police)
        if lowest.police < minimum:
            single = len(category.ladder) == 1
            key = "police" if single else ("rules" if category.rules else "pattern")
            issues.append(
                doc.issue(
                    ("categories", name, key),
                    ("" if single else f"rule {lowest.text}: ")
                    + f"{lowest.police} officer(s) per group is below the minimum of "
                    f"{minimum} (body-system rule); lower `solver.min_police_per_group` "
                    "if the plan really means it",
                )
            )
    for position, name in enumerate(spec.solver.tni_without_police):
        if name not in spec.categories:
            close = difflib.get_close_matches(name, list(spec.categories), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            issues.append(
                doc.issue(
                    ("solver", "tni_without_police", position),
                    f"{name!r} is not a category (known: {', '.join(spec.categories)}){hint}",
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


def _estimate_utm(stations: pd.DataFrame, polygons: Any = None) -> str:
    """The UTM zone of the district (or of the median TPS): robust to strays.

    A stray point far away must not pull the zone away from the district, or
    the district itself would be projected to infinity.
    """
    if polygons is not None:
        west, south, east, north = polygons.to_crs("EPSG:4326").total_bounds
        lon, lat = (west + east) / 2, (south + north) / 2
        if math.isfinite(lon) and math.isfinite(lat):
            return _utm_zone(lon, lat)
    lons = stations["lon"].to_numpy(np.float64)
    lats = stations["lat"].to_numpy(np.float64)
    ok = np.isfinite(lons) & np.isfinite(lats)
    if not ok.any():
        return "EPSG:3857"
    return _utm_zone(float(np.median(lons[ok])), float(np.median(lats[ok])))


def _utm_zone(lon: float, lat: float) -> str:
    zone = int((lon + 180) // 6) % 60 + 1
    return f"EPSG:{32700 + zone if lat < 0 else 32600 + zone}"


def _to_wgs84(frame: pd.DataFrame, source_crs: str) -> None:
    """Turn ``lon``/``lat`` given in ``source_crs`` into WGS84 degrees."""
    from pyproj import Transformer

    if source_crs.upper() in {"EPSG:4326", "WGS84", "OGC:CRS84"} or "x" in frame:
        return
    to_wgs = Transformer.from_crs(source_crs, "EPSG:4326", always_xy=True)
    with np.errstate(invalid="ignore", over="ignore"):
        lon, lat = to_wgs.transform(
            frame["lon"].to_numpy(float), frame["lat"].to_numpy(float)
        )
    # kept so that a projection back into the same CRS is exact (no round trip)
    frame["_src_x"] = frame["lon"].to_numpy(float)
    frame["_src_y"] = frame["lat"].to_numpy(float)
    frame.attrs["source_crs"] = source_crs
    frame["lon"] = np.asarray(lon, dtype=np.float64)
    frame["lat"] = np.asarray(lat, dtype=np.float64)


def _project(
    frame: pd.DataFrame, target_crs: str, file: str | None, rows: RowProblems
) -> None:
    """Add ``x``/``y`` in ``target_crs``; points it cannot hold are reported.

    A point far outside the CRS's area of use (a stray coordinate, a
    station on another island or continent) projects to nonsense or to
    infinity; it is reported and gets ``x``/``y`` NaN.
    """
    from pyproj import CRS, Transformer

    lon = frame["lon"].to_numpy(float)
    lat = frame["lat"].to_numpy(float)
    wgs = Transformer.from_crs("EPSG:4326", target_crs, always_xy=True)
    with np.errstate(invalid="ignore", over="ignore"):
        x, y = (np.asarray(v, dtype=np.float64) for v in wgs.transform(lon, lat))
    source = frame.attrs.get("source_crs")
    if "_src_x" in frame and CRS.from_user_input(source) == CRS.from_user_input(
        target_crs
    ):
        x = frame["_src_x"].to_numpy(np.float64).copy()
        y = frame["_src_y"].to_numpy(np.float64).copy()
    given = np.isfinite(lon) & np.isfinite(lat)
    bad = given & ~(np.isfinite(x) & np.isfinite(y))
    area = CRS.from_user_input(target_crs).area_of_use
    where = f"{target_crs}"
    if area is not None and area.west <= area.east:
        where = (
            f"{target_crs} (lon {area.west:g}..{area.east:g}, "
            f"lat {area.south:g}..{area.north:g})"
        )
        bad |= given & (
            (lon < area.west - _LON_MARGIN)
            | (lon > area.east + _LON_MARGIN)
            | (lat < area.south - _LAT_MARGIN)
            | (lat > area.north + _LAT_MARGIN)
        )
    for row in np.flatnonzero(bad):
        rows.add(
            file if file is not None else str(frame["_file"].iloc[row]),
            "lon/lat",
            f"point is far outside the area of {where}: a stray coordinate? "
            "(or set `projected_crs` for this area)",
            int(frame["_line"].iloc[row]),
        )
    x[bad] = np.nan
    y[bad] = np.nan
    frame["x"] = x
    frame["y"] = y


def _read_boundary(
    path: Path, district: DistrictSpec, doc: YamlDocument, issues: list[Issue]
) -> Any:
    """The district polygons (a GeoDataFrame with a CRS), or None."""
    import geopandas as gpd

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            polygons = (
                gpd.read_file(path, layer=district.layer)
                if district.layer
                else gpd.read_file(path)
            )
    except Exception as exc:  # any reader failure is the file's problem
        issues.append(doc.issue(("district", "boundary"), f"cannot read {path}: {exc}"))
        return None
    if (
        polygons.empty
        or not polygons.geometry.geom_type.isin(["Polygon", "MultiPolygon"]).any()
    ):
        issues.append(doc.issue(("district", "boundary"), f"{path} has no polygons"))
        return None
    if polygons.crs is None:
        polygons = polygons.set_crs("EPSG:4326")
    return polygons


def _check_inside_district(
    district: DistrictSpec,
    crs: str,
    polygons: Any,
    boundary_path: Path,
    projected_crs: str,
    stations: pd.DataFrame,
    bases: pd.DataFrame | None,
    stations_file: str,
    doc: YamlDocument,
    rows: RowProblems,
    issues: list[Issue],
) -> None:
    import shapely

    polygons = polygons[polygons.geometry.geom_type.isin(["Polygon", "MultiPolygon"])]
    with np.errstate(invalid="ignore", over="ignore"):
        projected = polygons.to_crs(projected_crs).geometry.to_numpy()
    if not np.isfinite(shapely.get_coordinates(projected)).all():
        issues.append(
            doc.issue(
                ("district", "boundary"),
                f"{boundary_path.name} cannot be projected to {projected_crs} (it "
                "lies far outside that CRS's area); check `projected_crs`",
            )
        )
        return
    area = shapely.union_all(shapely.make_valid(projected))
    area = area.buffer(district.tolerance_m)
    shapely.prepare(area)
    tables: list[tuple[pd.DataFrame, str | None]] = [(stations, stations_file)]
    if bases is not None:
        tables += [(bases, None)]
    for frame, file in tables:
        given = np.isfinite(frame["lon"].to_numpy(float)) & np.isfinite(
            frame["lat"].to_numpy(float)
        )
        valid = (
            given
            & np.isfinite(frame["x"].to_numpy())
            & np.isfinite(frame["y"].to_numpy())
        )
        inside = np.zeros(len(frame), dtype=bool)
        inside[valid] = shapely.contains_xy(
            area, frame["x"].to_numpy()[valid], frame["y"].to_numpy()[valid]
        )
        if (
            file is not None
            and len(frame) > 1
            and given.any()
            and not inside[given].any()
        ):
            issues.append(
                doc.issue(
                    ("crs",),
                    f"no TPS lies inside the district: are the coordinates really in {crs}?",
                )
            )
        for row in np.flatnonzero(valid & ~inside):  # far-away points are reported
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
