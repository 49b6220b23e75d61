"""Read and check the optional personnel tables (``personnel:`` in the scenario).

A personnel table lists named persons: NRP (or NIP/NIK) as ``id``, ``name``,
``rank``, ``unit`` (the base they belong to), ``agency`` and ``phone``. A
Polres keeps one spreadsheet per unit (``defaults: {unit: PS1}``) or one list
with a unit column; the scenario lists any number of such tables, like
``bases``. The persons fill their unit's roster slots in table order (see
:mod:`deploy_opt.export.personnel`).

Checked like every other table, each problem with file, column and line:
empty or repeated ids, empty names, control characters, units that are no
base (with a "did you mean"), unknown agencies, and more named persons of an
agency than the base's headcount. A base with fewer named persons than its
headcount is a warning: its other slots stay numbered.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import ValidationError

from deploy_opt.errors import Issue
from deploy_opt.scenario.crossref import did_you_mean, name_key
from deploy_opt.scenario.problems import RowProblems
from deploy_opt.scenario.schema import (
    AGENCIES,
    PERSONNEL_FIELDS,
    PersonnelSourceSpec,
    ScenarioSpec,
)
from deploy_opt.scenario.tables import read_point_table
from deploy_opt.scenario.yaml_source import KeyPath, YamlDocument

__all__ = ["KIND_AGENCY", "PERSONNEL_COLUMNS", "read_personnel"]

#: The agency a person of a base of this kind belongs to when ``agency`` is empty.
KIND_AGENCY: dict[str, str] = {
    "polres": "polri",
    "polsek": "polri",
    "kodim": "tni",
    "koramil": "tni",
    "kelurahan": "linmas",
    "puskesmas": "medis",
    "hospital": "medis",
}
#: Columns of :attr:`Scenario.personnel`, in table order (``_file``/``_line`` after).
PERSONNEL_COLUMNS: tuple[str, ...] = PERSONNEL_FIELDS
_REQUIRED = frozenset({"id", "name"})
#: Bases listed by name in one warning, at most.
_LISTED = 8


def read_personnel(
    spec: ScenarioSpec | None,
    doc: YamlDocument,
    bad_refs: dict[KeyPath, Issue],
    bases: pd.DataFrame | None,
    issues: list[Issue],
    rows: RowProblems,
) -> tuple[pd.DataFrame | None, list[Path]]:
    """The scenario's named personnel, checked, and the files they came from.

    Returns ``None`` (and the files) when the scenario has no personnel table
    or one could not be read; the problems go to ``issues`` and ``rows``. The
    frame has the columns :data:`PERSONNEL_COLUMNS` (``unit`` resolved to a
    base id, ``agency`` filled in from the base), ``_file`` and ``_line``, in
    the order of the tables and their rows.
    """
    sources = _sources(spec, doc)
    frames: list[pd.DataFrame] = []
    files: list[Path] = []
    readable = True
    for index, source in sources:
        if source is None:  # its schema problem is reported already
            readable = False
            continue
        path = _resolve(doc.path.parent, source.file)
        files.append(path)
        if ("personnel", index, "file") in bad_refs:
            readable = False
            continue
        before = len(issues)
        raw = read_point_table(
            source, path, PERSONNEL_FIELDS, _REQUIRED, "EPSG:4326", issues, rows
        )
        if raw is None or any(i.severity == "error" for i in issues[before:]):
            readable = False
            continue
        column = source.columns.get("unit", "unit")
        if all(value is None for value in raw["unit"]):
            issues.append(
                Issue(
                    str(path),
                    f"column {column}",
                    "missing column: name each person's unit (a base id), or give "
                    "`defaults: {unit: BASE_ID}` for the table of one unit",
                )
            )
            readable = False
            continue
        frames.append(_clean(raw, str(path), rows))
    if not frames:
        return None, files
    people = pd.concat(frames, ignore_index=True)
    _check_ids(people, rows)
    if bases is not None:
        _check_units(people, bases, rows)
        checked = {str(f) for f in people["_file"]}
        if readable and not any(
            rows.has_errors_in(f, {*PERSONNEL_FIELDS, "(row)"}) for f in checked
        ):
            issues += _unnamed_warnings(people, bases, doc)
    return (people if readable else None), files


def _sources(
    spec: ScenarioSpec | None, doc: YamlDocument
) -> list[tuple[int, PersonnelSourceSpec | None]]:
    """The personnel tables of the scenario; each entry valid or None.

    From the spec when the scenario is valid, else from the raw YAML entry by
    entry, so that table problems are listed with schema problems.
    """
    if spec is not None:
        return list(enumerate(spec.personnel))
    raw = doc.data.get("personnel") if isinstance(doc.data, dict) else None
    if not isinstance(raw, list):
        return []
    out: list[tuple[int, PersonnelSourceSpec | None]] = []
    for index, entry in enumerate(raw):
        try:
            out.append((index, PersonnelSourceSpec.model_validate(entry)))
        except ValidationError:
            out.append((index, None))
    return out


def _resolve(folder: Path, reference: str) -> Path:
    candidate = Path(reference)
    return candidate if candidate.is_absolute() else folder / candidate


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return " ".join(str(value).split())


def _clean(raw: pd.DataFrame, file: str, rows: RowProblems) -> pd.DataFrame:
    out = pd.DataFrame(
        {
            field: [_text(v) for v in raw[field]]
            for field in PERSONNEL_FIELDS
            if field != "agency"
        }
    )
    out.insert(4, "agency", [_text(v).lower() for v in raw["agency"]])
    out["_file"] = file
    out["_line"] = raw["_line"].to_numpy()
    agencies = {a: a for a in AGENCIES}
    for person_id, name, agency, given, line in zip(
        out["id"], out["name"], out["agency"], raw["agency"], out["_line"], strict=True
    ):
        if person_id == "":
            rows.add(file, "id", "empty id: give the person's NRP (or NIP/NIK)", line)
        if name == "":
            rows.add(file, "name", "empty name", line)
        if agency and agency not in AGENCIES:
            rows.add(
                file,
                "agency",
                f"unknown agency {_text(given)!r}; expected one of {list(AGENCIES)} "
                f"(or empty for the base's own){did_you_mean(agency, agencies)}",
                line,
            )
    return out


def _check_ids(people: pd.DataFrame, rows: RowProblems) -> None:
    """Every id once over all personnel tables."""
    seen: dict[str, tuple[str, int]] = {}
    for person_id, file, line in zip(
        people["id"], people["_file"], people["_line"], strict=True
    ):
        if not person_id:
            continue
        if person_id in seen:
            first_file, first_line = seen[person_id]
            where = (
                f"line {first_line}"
                if first_file == file
                else f"{first_file}:{first_line}"
            )
            rows.add(
                file,
                "id",
                f"duplicate id (NRP) {person_id!r}, first on {where}; each person once",
                line,
            )
        else:
            seen[person_id] = (file, int(line))


def _base_lookup(bases: pd.DataFrame) -> dict[str, list[int]]:
    """Bases by the key of their id and of their name (a name may repeat)."""
    found: dict[str, list[int]] = {}
    for b, (base_id, name) in enumerate(zip(bases["id"], bases["name"], strict=True)):
        for key in dict.fromkeys((name_key(base_id), name_key(name))):
            found.setdefault(key, []).append(b)
    return found


def _check_units(people: pd.DataFrame, bases: pd.DataFrame, rows: RowProblems) -> None:
    """Resolve each person's unit and agency; refuse more persons than headcount.

    ``unit`` is a base id (or, where unique, a base name) and becomes the base
    id; an empty ``agency`` becomes the agency of the base's kind, or for a
    base of kind ``other`` the only agency it has a headcount of.
    """
    exact = {str(base_id): b for b, base_id in enumerate(bases["id"])}
    by_key = _base_lookup(bases)
    names = {name_key(v): str(v) for v in [*bases["id"], *bases["name"]] if v}
    counted: dict[tuple[int, str], int] = {}
    units, agencies = [], []
    for unit, given, file, line in zip(
        people["unit"], people["agency"], people["_file"], people["_line"], strict=True
    ):
        base = _find_base(unit, exact, by_key, names, bases, file, int(line), rows)
        units.append(str(bases["id"].iloc[base]) if base is not None else unit)
        agency = given
        if base is not None and not given:
            agency = _default_agency(bases, base, file, int(line), rows)
        agencies.append(agency)
        if base is None or agency not in AGENCIES:
            continue
        key = (base, agency)
        counted[key] = counted.get(key, 0) + 1
        headcount = int(bases[agency].iloc[base])
        if counted[key] == headcount + 1:
            rows.add(
                file,
                "unit",
                f"more named {agency} persons for {_base_label(bases, base)} than "
                f"its {agency} headcount of {headcount} "
                f"({bases['_file'].iloc[base]}:{bases['_line'].iloc[base]}); "
                "remove persons or raise the headcount",
                line,
            )
    people["unit"] = units
    people["agency"] = agencies


def _find_base(
    unit: str,
    exact: dict[str, int],
    by_key: dict[str, list[int]],
    names: dict[str, str],
    bases: pd.DataFrame,
    file: str,
    line: int,
    rows: RowProblems,
) -> int | None:
    if not unit:
        rows.add(file, "unit", "empty unit: give the person's base id", line)
        return None
    if unit in exact:
        return exact[unit]
    found = list(dict.fromkeys(by_key.get(name_key(unit), [])))
    if len(found) == 1:
        return found[0]
    if found:
        ids = ", ".join(repr(str(bases["id"].iloc[b])) for b in found)
        rows.add(
            file,
            "unit",
            f"unit {unit!r} names several bases ({ids}); give its id",
            line,
        )
        return None
    rows.add(
        file,
        "unit",
        f"unknown unit {unit!r}: no base has this id or name"
        f"{did_you_mean(unit, names)}",
        line,
    )
    return None


def _default_agency(
    bases: pd.DataFrame, base: int, file: str, line: int, rows: RowProblems
) -> str:
    kind = str(bases["kind"].iloc[base])
    if kind in KIND_AGENCY:
        return KIND_AGENCY[kind]
    staffed = [a for a in AGENCIES if int(bases[a].iloc[base]) > 0]
    if len(staffed) == 1:
        return staffed[0]
    has = f"headcounts of {', '.join(staffed)}" if staffed else "no headcount"
    rows.add(
        file,
        "agency",
        f"empty agency, and {_base_label(bases, base)} (kind {kind}) has {has}: "
        f"give the person's agency, one of {list(AGENCIES)}",
        line,
    )
    return ""


def _base_label(bases: pd.DataFrame, base: int) -> str:
    base_id, name = str(bases["id"].iloc[base]), str(bases["name"].iloc[base])
    return (
        f"base {base_id!r}" if name in ("", base_id) else f"base {base_id!r} ({name})"
    )


def _unnamed_warnings(
    people: pd.DataFrame,
    bases: pd.DataFrame,
    doc: YamlDocument,
) -> list[Issue]:
    """Warnings: bases with fewer named persons than their headcount.

    Per base and agency with some named persons; and per agency with named
    persons somewhere, the bases that have none (one warning each).
    """
    exact = {str(base_id): b for b, base_id in enumerate(bases["id"])}
    named: dict[tuple[int, str], list[str]] = {}
    for unit, agency, file in zip(
        people["unit"], people["agency"], people["_file"], strict=True
    ):
        if unit in exact and agency in AGENCIES:
            named.setdefault((exact[unit], agency), []).append(str(file))
    out = []
    for (base, agency), files in named.items():
        headcount = int(bases[agency].iloc[base])
        if len(files) < headcount:
            out.append(
                Issue(
                    files[0],
                    "(rows)",
                    f"{len(files)} of the {headcount} {agency} of "
                    f"{_base_label(bases, base)} are named; its other "
                    f"{headcount - len(files)} slot(s) stay numbered",
                    None,
                    "warning",
                )
            )
    for agency in AGENCIES:
        if not any(a == agency for _, a in named):
            continue
        unnamed = [
            str(bases["id"].iloc[b])
            for b in range(len(bases))
            if int(bases[agency].iloc[b]) > 0 and (b, agency) not in named
        ]
        if unnamed:
            shown = ", ".join(unnamed[:_LISTED])
            more = (
                f" and {len(unnamed) - _LISTED} more" if len(unnamed) > _LISTED else ""
            )
            out.append(
                Issue(
                    str(doc.path),
                    "personnel",
                    f"no named {agency} for {len(unnamed)} base(s) with {agency} "
                    f"personnel ({shown}{more}); their slots stay numbered",
                    doc.line_of(("personnel",)),
                    "warning",
                )
            )
    return out
