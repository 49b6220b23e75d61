"""Compare two finished runs: coverage, personnel, travel and every changed assignment.

:func:`compare_runs` reads two run folders (``stations.csv``, ``roster.csv``,
``summary.json``) and returns a :class:`Comparison`: side by side, coverage per
category and personnel per agency (from ``summary.json``) and travel minutes
per agency (median and maximum over the deployed slots of ``roster.csv``);
then every TPS whose assignment differs (group, rule, police/TNI/Linmas
counts, medical facility and team, covered) and every roster slot whose unit,
group, TPS or shift differs, and the TPS and slots only one run has.
"""

from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from deploy_opt.export.run_dir import Run, load_run

#: What a TPS's assignment is, as compared.
STATION_FIELDS = (
    "group_id",
    "rule",
    "police",
    "tni",
    "linmas",
    "medical_site_id",
    "team_site_id",
    "covered",
)
#: What a roster slot's assignment is, as compared.
ROSTER_FIELDS = ("unit_id", "group_id", "station_ids", "shift")
PERSONNEL_FIELDS = ("available", "assigned", "reserve", "needed_by_rules")
#: The field of a TPS or slot that one run has and the other does not.
PRESENT = "present"
_RESERVE = "reserve"
CSV_COLUMNS = ("section", "item", "field", "run_a", "run_b", "changed")


@dataclass(frozen=True)
class Change:
    """One TPS or roster slot and its fields that differ: field -> (run A, run B)."""

    key: str
    fields: dict[str, tuple[Any, Any]]


@dataclass(frozen=True)
class Comparison:
    """Two runs side by side (see the module docstring)."""

    run_a: str
    run_b: str
    #: rows of (item, {field: (a, b)}) for the summaries, every item listed
    coverage: list[tuple[str, dict[str, tuple[Any, Any]]]]
    personnel: list[tuple[str, dict[str, tuple[Any, Any]]]]
    travel: list[tuple[str, dict[str, tuple[Any, Any]]]]
    stations: list[Change] = field(default_factory=list)
    roster: list[Change] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        """True when any figure or assignment differs."""
        summaries = (*self.coverage, *self.personnel, *self.travel)
        return bool(
            self.stations
            or self.roster
            or any(_differs(a, b) for _, row in summaries for a, b in row.values())
        )

    def rows(self) -> list[dict[str, Any]]:
        """Long format: section, item, field, run_a, run_b, changed.

        The summaries (coverage, personnel, travel) list every item; the
        assignments (station, roster) only what changed.
        """
        out = []
        for section, items in (
            ("coverage", self.coverage),
            ("personnel", self.personnel),
            ("travel", self.travel),
        ):
            for item, values in items:
                for name, (a, b) in values.items():
                    out.append(_row(section, item, name, a, b))
        for section, changes in (("station", self.stations), ("roster", self.roster)):
            for change in changes:
                for name, (a, b) in change.fields.items():
                    out.append(_row(section, change.key, name, a, b))
        return out

    def to_json_bytes(self) -> bytes:
        """The comparison as JSON (UTF-8, stable key order)."""
        document = {
            "tool": "deploy_opt",
            "kind": "comparison",
            "run_a": self.run_a,
            "run_b": self.run_b,
            "changed": self.changed,
            "notes": self.notes,
            **{
                section: [
                    {"item": item, **{k: {"a": a, "b": b} for k, (a, b) in v.items()}}
                    for item, v in items
                ]
                for section, items in (
                    ("coverage", self.coverage),
                    ("personnel", self.personnel),
                    ("travel", self.travel),
                )
            },
            "stations": [
                {
                    "station_id": c.key,
                    "changes": {k: {"a": a, "b": b} for k, (a, b) in c.fields.items()},
                }
                for c in self.stations
            ],
            "roster": [
                {
                    "person_id": c.key,
                    "changes": {k: {"a": a, "b": b} for k, (a, b) in c.fields.items()},
                }
                for c in self.roster
            ],
        }
        text = json.dumps(
            _plain(document), indent=2, ensure_ascii=False, allow_nan=False
        )
        return (text + "\n").encode("utf-8")

    def to_csv_bytes(self) -> bytes:
        """:meth:`rows` as CSV, text cells made inert for spreadsheets."""
        from deploy_opt.export.cells import safe_text

        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, CSV_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for row in self.rows():
            writer.writerow(
                {
                    k: safe_text(_shown(v)) if isinstance(v, str) else _shown(v)
                    for k, v in row.items()
                }
            )
        return buffer.getvalue().encode("utf-8")

    def to_text(self) -> str:
        """A readable side-by-side report for the terminal; ends with "no changes"
        when nothing differs."""
        lines = [f"A: {self.run_a}", f"B: {self.run_b}", *self.notes, ""]
        lines += _section(
            "coverage per category (covered/TPS)",
            self.coverage,
            lambda v: (
                f"{_shown(v['covered'][0])}/{_shown(v['stations'][0])} ({_fraction(v['fraction'][0])})",
                f"{_shown(v['covered'][1])}/{_shown(v['stations'][1])} ({_fraction(v['fraction'][1])})",
            ),
        )
        lines += _section(
            "personnel per agency (assigned/available, reserve, needed)",
            self.personnel,
            lambda v: tuple(
                f"{_shown(v['assigned'][i])}/{_shown(v['available'][i])}, "
                f"{_shown(v['reserve'][i])} res, {_shown(v['needed_by_rules'][i])} need"
                for i in (0, 1)
            ),
        )
        lines += _section(
            "travel minutes per agency (median / max over deployed slots)",
            self.travel,
            lambda v: tuple(
                f"{_minutes(v['median_minutes'][i])} / {_minutes(v['max_minutes'][i])} (n={_shown(v['slots'][i])})"
                for i in (0, 1)
            ),
        )
        for title, changes in (
            ("changed TPS assignments", self.stations),
            ("changed roster slots", self.roster),
        ):
            lines.append(f"{title}: {len(changes):,}")
            for change in changes:
                detail = "; ".join(
                    f"{name} {_shown(a)} -> {_shown(b)}"
                    for name, (a, b) in change.fields.items()
                )
                lines.append(f"  {change.key}: {detail}")
            lines.append("")
        lines.append("changes found" if self.changed else "no changes")
        return "\n".join(lines)


def compare_runs(run_a: str | Path | Run, run_b: str | Path | Run) -> Comparison:
    """Compare two run folders (or loaded runs).

    Raises
    ------
    RunDirError
        When a folder is not a complete deploy_opt run.
    """
    a = run_a if isinstance(run_a, Run) else load_run(run_a)
    b = run_b if isinstance(run_b, Run) else load_run(run_b)
    notes = []
    hash_a, hash_b = a.summary.get("input_hash"), b.summary.get("input_hash")
    if hash_a != hash_b:
        notes.append(
            f"note: the runs solved different inputs (input_hash {hash_a} vs {hash_b})"
        )
    return Comparison(
        run_a=str(a.folder),
        run_b=str(b.folder),
        coverage=_coverage(a.summary, b.summary),
        personnel=_personnel(a.summary, b.summary),
        travel=_travel(a.roster, b.roster),
        stations=_changes(a.stations, b.stations, "station_id", STATION_FIELDS),
        roster=_changes(a.roster, b.roster, "person_id", ROSTER_FIELDS),
        notes=notes,
    )


def _coverage(
    a: dict[str, Any], b: dict[str, Any]
) -> list[tuple[str, dict[str, tuple[Any, Any]]]]:
    cov_a, cov_b = a["coverage_by_category"], b["coverage_by_category"]
    rows = []
    for name in dict.fromkeys([*cov_a, *cov_b]):
        one, two = cov_a.get(name, {}), cov_b.get(name, {})
        rows.append(
            (
                name,
                {
                    key: (one.get(key), two.get(key))
                    for key in ("stations", "covered", "fraction", "rule")
                },
            )
        )
    return rows


def _personnel(
    a: dict[str, Any], b: dict[str, Any]
) -> list[tuple[str, dict[str, tuple[Any, Any]]]]:
    per_a, per_b = a["counts"]["personnel"], b["counts"]["personnel"]
    return [
        (
            agency,
            {
                key: (per_a.get(agency, {}).get(key), per_b.get(agency, {}).get(key))
                for key in PERSONNEL_FIELDS
            },
        )
        for agency in dict.fromkeys([*per_a, *per_b])
    ]


def _travel(
    a: pd.DataFrame, b: pd.DataFrame
) -> list[tuple[str, dict[str, tuple[Any, Any]]]]:
    stats_a, stats_b = _travel_stats(a), _travel_stats(b)
    empty = {"slots": 0, "median_minutes": None, "max_minutes": None}
    return [
        (
            agency,
            {
                key: (stats_a.get(agency, empty)[key], stats_b.get(agency, empty)[key])
                for key in ("slots", "median_minutes", "max_minutes")
            },
        )
        for agency in dict.fromkeys([*stats_a, *stats_b])
    ]


def _travel_stats(roster: pd.DataFrame) -> dict[str, dict[str, Any]]:
    sent = roster[(roster["shift"] != _RESERVE) & roster["travel_minutes"].notna()]
    out = {}
    for agency, part in sent.groupby("agency", sort=False):
        minutes = part["travel_minutes"]
        out[str(agency)] = {
            "slots": len(minutes),
            "median_minutes": round(float(minutes.median()), 1),
            "max_minutes": round(float(minutes.max()), 1),
        }
    return out


def _changes(
    a: pd.DataFrame, b: pd.DataFrame, key: str, fields: tuple[str, ...]
) -> list[Change]:
    """Every key whose ``fields`` differ between ``a`` and ``b``, in A's order then B's."""
    merged = a[[key, *fields]].merge(
        b[[key, *fields]],
        on=key,
        how="outer",
        suffixes=("_a", "_b"),
        indicator=True,
        sort=False,
    )
    both = merged["_merge"] == "both"
    masks = {}
    for name in fields:
        one, two = merged[f"{name}_a"], merged[f"{name}_b"]
        masks[name] = both & ~((one.isna() & two.isna()) | (one == two))
    differing = pd.concat(masks, axis=1).any(axis=1) | ~both
    left, right = a.set_index(key), b.set_index(key)
    changes = []
    for row in merged.index[differing]:
        item = str(merged.at[row, key])
        if not both[row]:
            in_a = merged.at[row, "_merge"] == "left_only"
            changes.append(Change(item, {PRESENT: (in_a, not in_a)}))
            continue
        changes.append(
            Change(
                item,
                {
                    name: (_value(left.at[item, name]), _value(right.at[item, name]))
                    for name in fields
                    if masks[name][row]
                },
            )
        )
    return changes


def _value(value: Any) -> Any:
    """A cell as a plain Python value (NaN -> None)."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _differs(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return not math.isclose(a, b, rel_tol=0, abs_tol=1e-9)
    return bool(a != b)


def _row(section: str, item: str, name: str, a: Any, b: Any) -> dict[str, Any]:
    return {
        "section": section,
        "item": item,
        "field": name,
        "run_a": a,
        "run_b": b,
        "changed": _differs(a, b),
    }


def _shown(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value) if value != "" else '""'


def _minutes(value: Any) -> str:
    return "-" if value is None else f"{float(value):.1f}"


def _fraction(value: Any) -> str:
    return "-" if value is None else f"{float(value):.1%}"


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _section(
    title: str,
    items: list[tuple[str, dict[str, tuple[Any, Any]]]],
    show: Any,
) -> list[str]:
    """A side-by-side block: item, run A, run B, and "changed" where they differ."""
    cells = [(item, *show(values)) for item, values in items]
    flags = [
        "changed" if any(_differs(a, b) for a, b in values.values()) else ""
        for _, values in items
    ]
    width = [
        max([len(h), *(len(c[i]) for c in cells)]) for i, h in enumerate(("", "A", "B"))
    ]
    header = f"  {'':{width[0]}}  {'A':{width[1]}}  {'B':{width[2]}}"
    lines = [f"{title}:", header.rstrip()]
    for (item, one, two), flag in zip(cells, flags, strict=True):
        lines.append(
            f"  {item:{width[0]}}  {one:{width[1]}}  {two:{width[2]}}  {flag}".rstrip()
        )
    lines.append("")
    return lines
