"""The stations and roster tables of a plan (design.md section 5)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from deploy_opt.check import CheckReport
from deploy_opt.export.cells import safe_text
from deploy_opt.export.personnel import name_slots, partner_column
from deploy_opt.problem import GROUP_AGENCIES, ProblemData
from deploy_opt.result import Result

STATION_COLUMNS = [
    "station_id",
    "category",
    "group_id",
    "police",
    "tni",
    "linmas",
    "medical_site_id",
    "medical_minutes",
    "covered",
    "shortfall_reason",
    "kecamatan",
    "kelurahan",
    "rule",
    "team_site_id",
    "team_minutes",
    "rule_reason",
    "travel_fallback",
    # where the TPS is, for planners (NaN / "" when not given)
    "lon",
    "lat",
    "tps_number",
    "address",
    "medical_site_name",
]
ROSTER_COLUMNS = [
    "person_id",
    "agency",
    "unit_id",
    "group_id",
    "station_ids",
    "shift",
    "travel_minutes",
    # the slot's unit by name, for planners
    "unit_name",
    "unit_kind",
    # the other persons of the same group, team or TPS (their person_id)
    "partner",
]
#: Fields of one roster slot as built (the unit's name and kind are added after).
_SLOT_FIELDS = 7
#: The deployment runs from arrival on H-1 to the ballot-box escort on H+1.
DEPLOYMENT_SHIFT = "H-1..H+1"
RESERVE_SHIFT = "reserve"


def stations_table(
    data: ProblemData,
    result: Result,
    report: CheckReport,
    places: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per TPS: its group, staff, medical link, coverage and shortfalls.

    ``places`` is the scenario's station table (``Scenario.stations``, in any
    order); it gives the columns ``lon, lat, tps_number, address``, which
    stay empty without it.
    """
    reasons: dict[str, list[str]] = {}
    for shortfall in result.shortfalls:
        for station_id in shortfall.station_ids:
            reasons.setdefault(station_id, []).append(
                f"{shortfall.agency}: {shortfall.reason}"
            )
    groups = result.grouping.station_group
    medical = result.medical
    return pd.DataFrame(
        {
            "station_id": [safe_text(s) for s in data.station_ids],
            "category": [data.categories[c].name for c in data.station_category],
            "group_id": [result.group_ids[g] for g in groups],
            "police": report.station_staff["polri"],
            "tni": report.station_staff["tni"],
            "linmas": report.station_staff["linmas"],
            "medical_site_id": [
                safe_text(data.base_ids[b]) if b >= 0 else "" for b in medical.base
            ],
            "medical_minutes": np.where(
                medical.base >= 0, np.round(medical.travel_s / 60, 1), np.nan
            ),
            "covered": report.station_covered,
            "shortfall_reason": [
                safe_text("; ".join(reasons.get(s, []))) for s in data.station_ids
            ],
            "kecamatan": [
                safe_text(data.kecamatan_names[k]) for k in data.station_kecamatan
            ],
            "kelurahan": [
                safe_text(data.kelurahan_names[k]) for k in data.station_kelurahan
            ],
            # the ladder rule its group got (the category's densest when no ladder)
            "rule": [
                data.categories[c].rung_rule(int(result.grouping.rungs[g]))
                for c, g in zip(data.station_category, groups, strict=True)
            ],
            "rule_reason": [
                safe_text(result.grouping.group_reason[g])
                if result.grouping.group_reason
                else ""
                for g in groups
            ],
            **_team_columns(data, result),
            # why the TPS's police legs use the straight line ("" = road times)
            "travel_fallback": [
                safe_text(r) for r in data.travel_fallback or [""] * data.n_stations
            ],
            **_place_columns(data, places),
            "medical_site_name": [
                safe_text(data.base_names[b] or data.base_ids[b]) if b >= 0 else ""
                for b in medical.base
            ],
        },
        columns=STATION_COLUMNS,
    )


def _place_columns(data: ProblemData, places: pd.DataFrame | None) -> dict[str, object]:
    """Coordinates (WGS84), TPS number and address of each TPS, where given."""
    n = data.n_stations
    if places is None:
        return {
            "lon": [np.nan] * n,
            "lat": [np.nan] * n,
            "tps_number": [""] * n,
            "address": [""] * n,
        }
    if set(places["id"]) != set(data.station_ids) or len(places) != n:
        msg = "places must be the scenario's station table (the plan's TPS)"
        raise ValueError(msg)
    places = places.set_index("id").loc[list(data.station_ids)].reset_index()

    def text(column: str) -> list[str]:
        if column not in places:
            return [""] * n
        return [safe_text(v) for v in places[column]]

    return {
        "lon": np.round(places["lon"].to_numpy(float), 7),
        "lat": np.round(places["lat"].to_numpy(float), 7),
        "tps_number": text("number"),
        "address": text("address"),
    }


def _team_columns(data: ProblemData, result: Result) -> dict[str, object]:
    """Nearest mobile medical team of each TPS (empty when none are sited)."""
    teams = result.teams
    if teams is None:
        empty = [""] * data.n_stations
        return {"team_site_id": empty, "team_minutes": [np.nan] * data.n_stations}
    return {
        "team_site_id": [
            safe_text(data.base_ids[b]) if b >= 0 else "" for b in teams.station_team
        ],
        "team_minutes": np.where(
            teams.station_team >= 0, np.round(teams.travel_s / 60, 1), np.nan
        ),
    }


def roster_table(
    data: ProblemData, result: Result, personnel: pd.DataFrame | None = None
) -> pd.DataFrame:
    """One row per person slot: ``<unit>/<AGENCY>-<nnnn>``, where they go, or reserve.

    ``unit_name`` and ``unit_kind`` name the slot's base (its id when unnamed);
    ``partner`` lists the other persons of the slot's group, team or TPS.
    With ``personnel`` (``Scenario.personnel``) the named persons fill their
    unit's slots (:func:`~deploy_opt.export.personnel.name_slots`): then
    ``person_id`` is their id (NRP) and ``slot_id, name, rank, phone`` follow.
    """
    rows: list[tuple[str, str, str, str, str, str, float | None]] = []
    members = result.grouping.members

    def station_list(indices: np.ndarray) -> str:
        return ";".join(safe_text(data.station_ids[i]) for i in indices)

    for agency in (*GROUP_AGENCIES, "linmas"):
        if agency == "linmas":
            alloc_rows = [
                (int(b), -1, int(i), int(c), int(t))
                for b, i, c, t in zip(
                    result.linmas.base,
                    result.linmas.station,
                    result.linmas.count,
                    result.linmas.travel_s,
                    strict=True,
                )
            ]
        else:
            alloc = result.allocations[agency]
            alloc_rows = [
                (int(b), int(g), -1, int(c), int(t))
                for b, g, c, t in zip(
                    alloc.base, alloc.group, alloc.count, alloc.travel_s, strict=True
                )
            ]
        by_base: dict[int, list[tuple[int, int, int, int, int]]] = {}
        for row in alloc_rows:
            by_base.setdefault(row[0], []).append(row)
        for b in np.flatnonzero(data.headcount[agency] > 0):
            unit = safe_text(data.base_ids[b])
            slot = 0
            for _, g, i, count, travel in sorted(
                by_base.get(int(b), []),
                key=lambda r: (r[1], data.station_ids[r[2]] if r[2] >= 0 else ""),
            ):
                group_id = result.group_ids[g] if g >= 0 else ""
                stations = (
                    station_list(members[g]) if g >= 0 else station_list(np.array([i]))
                )
                for _ in range(count):
                    slot += 1
                    rows.append(
                        (
                            f"{unit}/{agency.upper()}-{slot:04d}",
                            agency,
                            unit,
                            group_id,
                            stations,
                            DEPLOYMENT_SHIFT,
                            round(travel / 60, 1),
                        )
                    )
            for _ in range(int(data.headcount[agency][b]) - slot):
                slot += 1
                rows.append(
                    (
                        f"{unit}/{agency.upper()}-{slot:04d}",
                        agency,
                        unit,
                        "",
                        "",
                        RESERVE_SHIFT,
                        None,
                    )
                )
    rows += _team_roster_rows(data, result)
    roster = pd.DataFrame(rows, columns=ROSTER_COLUMNS[:_SLOT_FIELDS])
    base_of = {safe_text(b): i for i, b in enumerate(data.base_ids)}
    index = [base_of[u] for u in roster["unit_id"]]
    roster["unit_name"] = [
        safe_text(data.base_names[b] or data.base_ids[b]) for b in index
    ]
    roster["unit_kind"] = [data.base_kinds[b] for b in index]
    if data.cross_jurisdiction_s is not None:
        # only under `solver.jurisdiction: penalised` (the column would be
        # empty otherwise): persons serving outside their base's jurisdiction
        roster["outside_jurisdiction"] = _outside_jurisdiction(data, result, roster)
    if personnel is not None:
        roster = name_slots(roster, personnel)
    roster.insert(ROSTER_COLUMNS.index("partner"), "partner", partner_column(roster))
    return roster


def _outside_jurisdiction(
    data: ProblemData, result: Result, roster: pd.DataFrame
) -> list[bool]:
    """Per roster row: sent to a group outside its base's jurisdiction."""
    outside: set[tuple[str, str, str]] = set()
    for agency in GROUP_AGENCIES:
        alloc = result.allocations[agency]
        if alloc.outside is None:
            continue
        for b, g in zip(
            alloc.base[alloc.outside], alloc.group[alloc.outside], strict=True
        ):
            outside.add((agency, safe_text(data.base_ids[b]), result.group_ids[g]))
    return [
        (agency, unit, group) in outside
        for agency, unit, group in zip(
            roster["agency"], roster["unit_id"], roster["group_id"], strict=True
        )
    ]


def _team_roster_rows(
    data: ProblemData, result: Result
) -> list[tuple[str, str, str, str, str, str, float | None]]:
    """Medis slots: each team's members (unit = its base, group_id = the team,
    the TPS it serves, its longest response in minutes), then each base's
    remaining medis headcount as reserve.

    Teams placed without a headcount check (``staffing: unchecked``) still get
    their member slots at their base.
    """
    teams = result.teams
    medis = data.headcount["medis"]
    sites = np.zeros(0, dtype=np.int64) if teams is None else teams.sites
    bases = sorted({*np.flatnonzero(medis > 0).tolist(), *sites.tolist()})
    rows: list[tuple[str, str, str, str, str, str, float | None]] = []
    for b in bases:
        unit = safe_text(data.base_ids[b])
        slot = 0
        for n, k in enumerate(np.flatnonzero(sites == b), start=1):
            assert teams is not None
            served = np.flatnonzero(teams.station_team_no == k)
            stations = ";".join(safe_text(data.station_ids[i]) for i in served)
            worst = (
                round(float(teams.travel_s[served].max()) / 60, 1)
                if len(served)
                else None
            )
            for _ in range(teams.team_size):
                slot += 1
                rows.append(
                    (
                        f"{unit}/MEDIS-{slot:04d}",
                        "medis",
                        unit,
                        f"{unit}/TEAM-{n:02d}",
                        stations,
                        DEPLOYMENT_SHIFT,
                        worst,
                    )
                )
        for _ in range(int(medis[b]) - slot):
            slot += 1
            rows.append(
                (
                    f"{unit}/MEDIS-{slot:04d}",
                    "medis",
                    unit,
                    "",
                    "",
                    RESERVE_SHIFT,
                    None,
                )
            )
    return rows


#: Columns of :func:`coverage_table` (``medical_team_within_threshold`` only with teams).
COVERAGE_COLUMNS = [
    "category",
    "rule",
    "ladder",
    "rules_used",
    "stations",
    "covered",
    "fraction",
    "police_met",
    "tni_met",
    "linmas_met",
    "medical_within_limit",
]


def coverage_table(summary: dict[str, Any]) -> pd.DataFrame:
    """One row per risk category: ``summary["coverage_by_category"]`` as a table.

    ``ladder`` lists the category's rules, densest first, separated by ``; ``.
    """
    rows = []
    for name, cov in summary["coverage_by_category"].items():
        row = {"category": name, **cov}
        row["ladder"] = "; ".join(str(rule) for rule in cov.get("ladder", ()))
        rows.append(row)
    extra = [c for c in ("medical_team_within_threshold",) if any(c in r for r in rows)]
    return pd.DataFrame(rows, columns=[*COVERAGE_COLUMNS, *extra])


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """CSV bytes with a fixed layout (UTF-8, LF, no index) for reproducible files.

    Every text cell and column name passes :func:`~deploy_opt.export.cells.safe_text`
    here, whichever column it is in, so no input text reaches a spreadsheet
    as a formula or with control characters.
    """
    safe = frame.rename(columns=safe_text)
    for column in safe.select_dtypes(include=["object", "string"]).columns:
        safe[column] = safe[column].map(
            lambda v: safe_text(v) if isinstance(v, str) else v
        )
    return safe.to_csv(index=False, lineterminator="\n").encode("utf-8")
