"""The planners' workbook (``plan.xlsx``): a summary sheet and a roster per unit.

Sheets, in order:

- the summary (``Ringkasan`` / ``Summary``): headline, status and what is not
  proven, coverage per category, personnel per agency, medical cover,
  shortfalls with reasons, and an index of the unit sheets;
- one sheet per Polres, Polsek, Kodim, Koramil, puskesmas, hospital or other
  base with police, TNI or medical personnel, or that is the referral facility
  of a TPS: one row per person slot x TPS (a pair of officers with a group of
  12 TPS gives 24 rows), so that every row is complete on its own and each
  person can filter the sheet by their slot; then the unit's reserve, and for
  a facility the TPS it is the referral facility of;
- ``Linmas``: every Linmas slot on one sheet with its post in the first
  column and a page break after each post (a district has a post per
  kelurahan, often a hundred or more: one sheet per post would make the
  workbook unusable on a phone, while each post still prints on its own pages).

Every text cell goes through :func:`~deploy_opt.export.cells.safe_text` and is
stored with ``data_type = "s"``, so no text from the inputs becomes a formula.
Sheets print on A4 landscape, fitted to the page width, with the header row
repeated and frozen.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break

from deploy_opt.export.cells import escape_controls, safe_text
from deploy_opt.export.labels import agency_name, label, translate_reason
from deploy_opt.export.tables import RESERVE_SHIFT

if TYPE_CHECKING:
    from deploy_opt.problem import ProblemData
    from deploy_opt.result import Result
    from deploy_opt.scenario import Scenario

#: openpyxl's write-only worksheet (its type stubs lack the page-setup attributes).
Sheet = Any

FILE_NAME = "plan.xlsx"
#: Excel's limit on the length of a sheet name, and the characters it forbids.
MAX_SHEET_NAME = 31
FORBIDDEN_IN_SHEET_NAME = "[]:*?/\\"
#: Sheets of the units, by the kind of their base (others after, in base order).
KIND_ORDER = ("polres", "polsek", "kodim", "koramil", "puskesmas", "hospital", "other")
UNIT_COLUMNS = (
    "no",
    "person",
    "agency",
    "group",
    "rule",
    "tps_number",
    "tps_id",
    "kelurahan",
    "kecamatan",
    "address",
    "lon",
    "lat",
    "partners",
    "travel",
)
#: With named personnel: name, rank and phone after the person (their NRP).
NAMED_UNIT_COLUMNS = (*UNIT_COLUMNS[:2], "name", "rank", "phone", *UNIT_COLUMNS[2:])
_WIDTH = {"lon": 11, "lat": 11, "no": 6, "travel": 12}
_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=14)
_HEADER_FILL = PatternFill("solid", fgColor="DDDDDD")
_WRAP = Alignment(wrap_text=True, vertical="top")
_PERCENT = "0.00%"


def files(
    scenario: Scenario,
    data: ProblemData,
    result: Result,
    stations: pd.DataFrame,
    roster: pd.DataFrame,
    summary: dict[str, Any],
    lang: str,
) -> dict[str, bytes]:
    """``plan.xlsx`` (the format ``xlsx``); headers and reasons in ``lang``."""
    return {FILE_NAME: workbook_bytes(data, result, stations, roster, summary, lang)}


def workbook_bytes(
    data: ProblemData,
    result: Result,
    stations: pd.DataFrame,
    roster: pd.DataFrame,
    summary: dict[str, Any],
    lang: str,
) -> bytes:
    """The workbook as bytes (see the module docstring for its sheets)."""
    units = unit_rows(data, result, stations, roster, lang)
    names = SheetNames(
        reserved=[label("sheet_summary", lang), label("sheet_linmas", lang)]
    )
    sheets = [(names.add(u.name), u) for u in units.units]
    book = Workbook(write_only=True)
    _summary_sheet(
        book.create_sheet(label("sheet_summary", lang)), summary, sheets, lang
    )
    headers = [label(c, lang) for c in units.columns]
    for name, unit in sheets:
        _table_sheet(book.create_sheet(name), unit.name, headers, unit.rows, [], lang)
    if units.linmas:
        linmas_rows = [row for _, rows in units.linmas for row in rows]
        breaks, end = [], 1
        for _, rows in units.linmas:
            end += len(rows)
            breaks.append(end)
        _table_sheet(
            book.create_sheet(label("sheet_linmas", lang)),
            label("sheet_linmas", lang),
            [label("linmas_post", lang), *headers],
            linmas_rows,
            breaks[:-1],
            lang,
        )
    book.properties.creator = "deploy_opt"
    book.properties.title = safe_text(summary["scenario"])
    buffer = io.BytesIO()
    book.save(buffer)
    return reproducible_zip(buffer.getvalue())


#: Every date inside the workbook (file times, created/modified): the zip epoch.
FIXED_DATE = (1980, 1, 1, 0, 0, 0)
_CORE = "docProps/core.xml"
_CORE_DATE = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


def reproducible_zip(content: bytes) -> bytes:
    """``content`` (an XLSX) with fixed dates, so a plan gives the same bytes.

    openpyxl stamps the save time into ``docProps/core.xml`` and into every
    zip entry; both become :data:`FIXED_DATE`, entries keep their order.
    """
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(content)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for entry in source.infolist():
            data = source.read(entry)
            if entry.filename == _CORE:
                data = _CORE_DATE.sub(rb"\g<1>1980-01-01T00:00:00Z\g<2>", data)
            info = zipfile.ZipInfo(entry.filename, date_time=FIXED_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, data)
    return out.getvalue()


@dataclass
class Unit:
    """One unit sheet: the unit's name, kind and rows (values of UNIT_COLUMNS)."""

    name: str
    kind: str
    persons: int
    rows: list[list[Any]] = field(default_factory=list)


@dataclass
class Units:
    """The unit sheets, and the Linmas rows per post (post name, rows)."""

    units: list[Unit]
    linmas: list[tuple[str, list[list[Any]]]]
    #: Keys of the unit sheet columns (with name, rank, phone when named).
    columns: tuple[str, ...] = UNIT_COLUMNS


def unit_rows(
    data: ProblemData,
    result: Result,
    stations: pd.DataFrame,
    roster: pd.DataFrame,
    lang: str,
) -> Units:
    """Rows of every unit sheet and of the Linmas sheet, from the roster.

    Raises
    ------
    ValueError
        When a roster row names a group, team or TPS the plan does not have
        (the roster and the plan disagree: a bug).
    """
    place = _Places(stations)
    groups = dict(zip(result.group_ids, result.grouping.members, strict=True))
    teams = team_members(data, result)
    slots = [
        _slot_label(str(p), str(u))
        for p, u in zip(roster["person_id"], roster["unit_id"], strict=True)
    ]
    agencies = roster["agency"].tolist()
    group_ids = roster["group_id"].tolist()
    shifts = roster["shift"].tolist()
    travel = roster["travel_minutes"].tolist()
    targets: list[np.ndarray] = []
    crew: dict[tuple[str, object], list[int]] = {}
    for r, (agency, group_id, ids, shift) in enumerate(
        zip(agencies, group_ids, roster["station_ids"], shifts, strict=True)
    ):
        key: tuple[str, object] | None = None
        if shift == RESERVE_SHIFT:
            members = np.zeros(0, dtype=np.int64)
        elif agency == "linmas":
            members = np.array([place.index(str(ids))], dtype=np.int64)
            key = ("tps", int(members[0]))
        elif agency == "medis":
            members = _lookup(teams, group_id, "team")
            key = ("team", group_id)
        else:
            members = _lookup(groups, group_id, "group")
            key = ("group", group_id)
        targets.append(members)
        if key is not None:
            crew.setdefault(key, []).append(r)
        else:
            crew.setdefault(("reserve", r), []).append(r)
    partners: list[str] = [""] * len(roster)
    names = roster["unit_name"].tolist()
    # named personnel (roster columns name, rank, phone): shown by name
    named = "name" in roster.columns
    persons = _named(roster) if named else [("", "", "")] * len(roster)
    who = [
        f"{rank} {name} ({unit})".strip() if name else f"{unit} {slot}"
        for (name, rank, _), unit, slot in zip(persons, names, slots, strict=True)
    ]
    for rows in crew.values():
        if len(rows) < 2:
            continue
        for r in rows:
            partners[r] = "; ".join(who[o] for o in rows if o != r)

    by_unit: dict[str, list[int]] = {}
    for r, unit in enumerate(roster["unit_id"]):
        by_unit.setdefault(str(unit), []).append(r)
    referral: dict[str, list[int]] = {}
    medical_minutes = stations["medical_minutes"].tolist()
    for i, site in enumerate(stations["medical_site_id"]):
        if site:
            referral.setdefault(str(site), []).append(i)

    reserve = label("reserve", lang)
    agency_labels = {
        a: agency_name(a, lang) for a in ("polri", "tni", "linmas", "medis")
    }

    def person_rows(indices: Iterable[int]) -> list[list[Any]]:
        out: list[list[Any]] = []
        for r in indices:
            agency = agencies[r]
            is_reserve = shifts[r] == RESERVE_SHIFT
            person, partner, who = slots[r], partners[r], list(persons[r])
            if agency == "medis" and not is_reserve:
                # a mobile team travels together: one row per team x TPS
                team = crew[("team", group_ids[r])]
                if r != team[0]:
                    continue
                person, partner = ", ".join(slots[o] for o in team), ""
                who = [", ".join(persons[o][k] for o in team) for k in range(3)]
            head = [
                person,
                *(who if named else []),
                agency_labels.get(agency, agency),
                reserve if is_reserve else group_ids[r],
            ]
            tail = [partner, _number(travel[r])]
            if len(targets[r]) == 0:
                out.append([len(out) + 1, *head, "", *place.blank(), *tail])
            for i in targets[r]:
                out.append([len(out) + 1, *head, *place.row(int(i)), *tail])
        return out

    units: list[Unit] = []
    linmas: list[tuple[str, list[list[Any]]]] = []
    base_of = {safe_text(b): i for i, b in enumerate(data.base_ids)}
    order = sorted(
        range(data.n_bases),
        key=lambda b: (_kind_rank(data.base_kinds[b]), b),
    )
    for b in order:
        unit_id = safe_text(data.base_ids[b])
        name = data.base_names[b] or data.base_ids[b]
        rows = by_unit.get(unit_id, [])
        if (
            base_of.get(unit_id) != b
        ):  # two ids alike once made safe: the first keeps them
            rows = []
        own = [r for r in rows if agencies[r] != "linmas"]
        posts = [r for r in rows if agencies[r] == "linmas"]
        if posts:
            linmas.append((name, [[name, *row] for row in person_rows(posts)]))
        linked = referral.get(unit_id, []) if base_of.get(unit_id) == b else []
        if not own and not linked:
            continue
        unit = Unit(name=name, kind=data.base_kinds[b], persons=len(own))
        unit.rows = person_rows(own)
        for i in linked:
            unit.rows.append(
                [
                    len(unit.rows) + 1,
                    "",
                    *(["", "", ""] if named else []),
                    agency_labels["medis"],
                    label("referral", lang),
                    *place.row(i),
                    "",
                    _number(medical_minutes[i]),
                ]
            )
        units.append(unit)
    return Units(units, linmas, NAMED_UNIT_COLUMNS if named else UNIT_COLUMNS)


def _named(roster: pd.DataFrame) -> list[tuple[str, str, str]]:
    """Name, rank and phone of each roster row ("" where the slot is unnamed)."""

    def text(column: str) -> list[str]:
        if column not in roster.columns:
            return [""] * len(roster)
        return ["" if pd.isna(v) else str(v) for v in roster[column]]

    return list(zip(text("name"), text("rank"), text("phone"), strict=True))


def team_members(data: ProblemData, result: Result) -> dict[str, np.ndarray]:
    """Each mobile medical team's id (as in ``roster.csv``) -> the TPS it serves."""
    teams = result.teams
    if teams is None:
        return {}
    out: dict[str, np.ndarray] = {}
    for b in sorted(set(teams.sites.tolist())):
        unit = safe_text(data.base_ids[b])
        for n, k in enumerate(np.flatnonzero(teams.sites == b), start=1):
            out[f"{unit}/TEAM-{n:02d}"] = np.flatnonzero(teams.station_team_no == k)
    return out


def _lookup(found: dict[str, np.ndarray], key: object, what: str) -> np.ndarray:
    if key not in found:
        msg = f"the roster names {what} {key!r}, which the plan does not have"
        raise ValueError(msg)
    return found[str(key)]


def _slot_label(person_id: str, unit_id: str) -> str:
    """``POLSEK-1/POLRI-0003`` -> ``POLRI-0003`` (the unit is the sheet)."""
    prefix = f"{unit_id}/"
    return person_id[len(prefix) :] if person_id.startswith(prefix) else person_id


def _kind_rank(kind: str) -> int:
    return KIND_ORDER.index(kind) if kind in KIND_ORDER else len(KIND_ORDER)


class _Places:
    """The columns of a TPS in a unit sheet, from the stations table."""

    def __init__(self, stations: pd.DataFrame) -> None:
        self._index = {str(s): i for i, s in enumerate(stations["station_id"])}
        self._rows = [
            [
                rule,
                number,
                sid,
                kel,
                kec,
                address,
                _number(lon),
                _number(lat),
            ]
            for rule, number, sid, kel, kec, address, lon, lat in zip(
                stations["rule"],
                stations["tps_number"],
                stations["station_id"],
                stations["kelurahan"],
                stations["kecamatan"],
                stations["address"],
                stations["lon"],
                stations["lat"],
                strict=True,
            )
        ]

    def index(self, station_id: str) -> int:
        if station_id not in self._index:
            msg = f"the roster names TPS {station_id!r}, which the plan does not have"
            raise ValueError(msg)
        return self._index[station_id]

    def row(self, i: int) -> list[Any]:
        return self._rows[i]

    @staticmethod
    def blank() -> list[Any]:
        """The TPS columns after the rule, empty (for reserve slots)."""
        return [""] * 5 + [None, None]


def _number(value: object) -> float | int | None:
    """A finite number for a cell, or None (an empty cell) for NaN and None."""
    if value is None:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value if math.isfinite(value) else None


class SheetNames:
    """Unique, stable sheet names that Excel accepts.

    The forbidden characters ``[]:*?/\\`` and control characters become
    ``_``, leading and trailing apostrophes and blanks are dropped, the name
    is cut to 31 characters (UTF-16 units, as Excel counts), and a repeated
    name (compared case-insensitively, as Excel does) gets `` (2)``, `` (3)``...
    in the order the units are added.
    """

    def __init__(self, reserved: Sequence[str] = ()) -> None:
        self._taken = {name.casefold() for name in reserved} | {"history"}

    def add(self, wanted: str) -> str:
        """A new name for ``wanted``, unused so far; remembered as taken."""
        base = _clean_sheet_name(wanted) or "Unit"
        name, n = _cut(base, MAX_SHEET_NAME), 1
        while name.casefold() in self._taken:
            n += 1
            suffix = f" ({n})"
            name = _cut(base, MAX_SHEET_NAME - len(suffix)).rstrip() + suffix
        self._taken.add(name.casefold())
        return name


def _clean_sheet_name(text: str) -> str:
    cleaned = escape_controls(text)
    for char in (*FORBIDDEN_IN_SHEET_NAME, "\\"):
        cleaned = cleaned.replace(char, "_")
    return " ".join(cleaned.split()).strip("' ")


def _cut(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` UTF-16 code units, never inside a pair."""
    out, used = [], 0
    for char in text:
        size = 2 if ord(char) > 0xFFFF else 1
        if used + size > limit:
            break
        out.append(char)
        used += size
    return "".join(out).rstrip("' ")


def _cell(sheet: Sheet, value: Any, font: Font | None = None) -> Any:
    """A cell: text made safe and stored as text; numbers as numbers."""
    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=safe_text(value))
        cell.data_type = "s"
    else:
        cell = WriteOnlyCell(sheet, value=_number(value))
    if font is not None:
        cell.font = font
    return cell


def _header_text(text: str) -> str:
    """Text for a printed page header: ``&`` starts a code there, so doubled."""
    return safe_text(text).replace("&", "&&")


def _printable(sheet: Sheet, title: str, lang: str) -> None:
    setup = sheet.page_setup
    setup.paperSize = "9"  # A4
    setup.orientation = "landscape"
    setup.fitToWidth = 1
    setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.oddHeader.center.text = _header_text(title)
    sheet.oddFooter.center.text = label("page", lang)


def _table_sheet(
    sheet: Sheet,
    title: str,
    headers: list[str],
    rows: list[list[Any]],
    breaks: list[int],
    lang: str,
) -> None:
    """A printable table: bold frozen header repeated on every page, filters;
    a page break after each row number in ``breaks``."""
    for c, header in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(c)].width = _width(
            header, [row[c - 1] for row in rows]
        )
    sheet.freeze_panes = "A2"
    sheet.print_title_rows = "1:1"
    last = get_column_letter(len(headers))
    sheet.auto_filter.ref = f"A1:{last}{len(rows) + 1}"
    _printable(sheet, title, lang)
    header_cells = []
    for text in headers:
        cell = _cell(sheet, text, _BOLD)
        cell.fill = _HEADER_FILL
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        sheet.append([_cell(sheet, v) for v in row])
    for end in breaks:
        sheet.row_breaks.append(Break(id=end))


def _width(header: str, values: list[Any]) -> float:
    for key, width in _WIDTH.items():
        if header in (label(key, "id"), label(key, "en")):
            return width
    longest = max((len(str(v)) for v in values[:2000] if v is not None), default=0)
    return float(min(max(len(header), longest, 4) + 2, 48))


def _summary_sheet(
    sheet: Sheet,
    summary: dict[str, Any],
    sheets: list[tuple[str, Unit]],
    lang: str,
) -> None:
    """Headline, status, coverage, personnel, medical cover, shortfalls, units."""
    for column, width in zip(
        "ABCDEFGHIJ", (34, 22, 26, 12, 30, 70, 12, 12, 12, 14), strict=True
    ):
        sheet.column_dimensions[column].width = width
    _printable(sheet, summary["scenario"], lang)

    def put(*values: Any, font: Font | None = None, wrap: bool = False) -> None:
        cells = [_cell(sheet, v, font) for v in values]
        if wrap:
            for cell in cells:
                cell.alignment = _WRAP
        sheet.append(cells)

    def header(*keys: str) -> None:
        cells = [_cell(sheet, label(k, lang), _BOLD) for k in keys]
        for cell in cells:
            cell.fill = _HEADER_FILL
        sheet.append(cells)

    def percent(key: str, value: float | None) -> None:
        cell = _cell(sheet, value)
        cell.number_format = _PERCENT
        sheet.append([_cell(sheet, label(key, lang)), cell])

    put(summary["scenario"], font=_TITLE)
    put()
    put(label("status", lang), summary["status"])
    for reason in summary.get("status_reasons", []):
        put(label("not_proven", lang), reason)
    percent("coverage", summary.get("coverage"))
    if summary.get("coverage_bound") is not None:
        percent("coverage_bound", summary["coverage_bound"])
    percent("gap", summary.get("gap"))
    put(label("stations", lang), summary["counts"]["stations"])
    put(label("groups", lang), summary["grouping"]["groups"])
    put(label("groups_bound", lang), summary["grouping"]["lower_bound"])
    put(label("seed", lang), summary["seed"])
    put(label("travel_model", lang), summary["travel_model"])
    put(
        label("checker", lang),
        label("passed" if summary["check"]["passed"] else "failed", lang),
    )
    put(label("input_hash", lang), summary["input_hash"])
    put(label("version", lang), summary.get("versions", {}).get("deploy-opt", ""))

    put()
    put(label("coverage_by_category", lang), font=_BOLD)
    header(
        "category",
        "rule",
        "rules_used",
        "stations",
        "covered",
        "share",
        "police_met",
        "tni_met",
        "linmas_met",
        "medical_within",
    )
    for name, cov in summary["coverage_by_category"].items():
        share = _cell(sheet, cov["fraction"])
        share.number_format = _PERCENT
        sheet.append(
            [
                _cell(sheet, name),
                _cell(sheet, cov["rule"]),
                _cell(sheet, cov.get("rules_used", "")),
                _cell(sheet, cov["stations"]),
                _cell(sheet, cov["covered"]),
                share,
                _cell(sheet, cov.get("police_met")),
                _cell(sheet, cov.get("tni_met")),
                _cell(sheet, cov.get("linmas_met")),
                _cell(sheet, cov.get("medical_within_limit")),
            ]
        )

    put()
    put(label("personnel", lang), font=_BOLD)
    header("agency", "available", "assigned", "reserve", "needed", "published")
    for agency, counts in summary["counts"]["personnel"].items():
        published = counts.get("published")
        put(
            agency_name(agency, lang),
            counts["available"],
            counts["assigned"],
            counts["reserve"],
            counts["needed_by_rules"],
            None if not published else published.get("count"),
        )

    put()
    medical = summary["medical"]
    put(label("medical", lang), font=_BOLD)
    put(label("medical_limit", lang), medical["limit_minutes"])
    put(label("medical_within_n", lang), medical["within_limit"])
    put(label("median_minutes", lang), medical["median_minutes"])
    put(label("max_minutes", lang), medical["max_minutes"])
    teams = summary.get("medical_teams")
    if teams:
        put(
            label("teams", lang),
            f"{teams['model']}: {teams['teams']}; {teams['within_threshold']} TPS "
            f"<= {teams['threshold_minutes']:g} min ({teams['status']})",
        )
        if teams.get("reason"):
            put("", translate_reason(teams["reason"], lang))

    put()
    put(label("shortfalls", lang), font=_BOLD)
    shortfalls = summary["shortfalls"]
    if not shortfalls:
        put(label("no_shortfalls", lang))
    else:
        header("agency", "category", "group", "tps_count", "tps_id", "reason")
        for s in shortfalls:
            put(
                agency_name(s["agency"], lang),
                s["category"],
                s["group_id"],
                len(s["station_ids"]),
                ", ".join(s["station_ids"]),
                translate_reason(s["reason"], lang),
                wrap=True,
            )

    put()
    put(label("units", lang), font=_BOLD)
    header("sheet", "unit", "kind", "persons")
    for name, unit in sheets:
        put(name, unit.name, unit.kind, unit.persons)
