"""The machine-readable summary of a solve (``summary.json``)."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np

from deploy_opt.check import CheckReport
from deploy_opt.errors import Issue
from deploy_opt.export.versions import versions
from deploy_opt.problem import ProblemData
from deploy_opt.result import Result
from deploy_opt.solvers.road_data_cost import road_data_cost

FORMAT_VERSION = 1


def build_summary(
    data: ProblemData,
    result: Result,
    report: CheckReport,
    *,
    scenario_name: str,
    warnings: tuple[Issue, ...] = (),
    published: dict[str, dict[str, Any]] | None = None,
    reproducible: bool = False,
) -> dict[str, Any]:
    """Everything a planner or a script needs to judge the plan.

    ``published`` maps an agency to ``{"count": n, "source": url}``: a figure
    reported in public to compare with what the rules need.
    """
    grouping = result.grouping
    medical_minutes = result.medical.travel_s[result.medical.base >= 0] / 60
    limit = data.travel_limit_s["medis"]
    needed = {
        # each group at the rule (ladder rung) it got
        "polri": sum(
            data.categories[c].need("polri", r)
            for c, r in zip(grouping.group_category, grouping.rungs, strict=True)
        ),
        "tni": sum(
            data.categories[c].need("tni", r)
            for c, r in zip(grouping.group_category, grouping.rungs, strict=True)
        ),
        "linmas": sum(data.categories[c].linmas for c in data.station_category),
    }
    personnel = {
        agency: {
            **counts,
            "reserve": counts["available"] - counts["assigned"],
            "needed_by_rules": int(needed[agency]),
            **(
                {"published": published[agency]}
                if published and agency in published
                else {}
            ),
        }
        for agency, counts in report.personnel.items()
    }
    summary = {
        "tool": "deploy_opt",
        "format_version": FORMAT_VERSION,
        "scenario": scenario_name,
        "input_hash": result.input_hash,
        "status": result.status,
        "status_covers": list(result.status_covers),
        "status_reasons": list(result.status_reasons),
        "objective": result.objective,
        "bound": result.bound,
        "gap": round(result.gap, 9),
        "gap_covers": list(result.gap_covers),
        **_coverage(data, result, report),
        "runtime_s": None if reproducible else round(result.runtime_s, 3),
        "reproducible": reproducible,
        "seed": result.params.seed,
        "time_limit_s": result.params.time_limit_s,
        "solver": result.solver,
        "travel_model": result.travel_model,
        "objective_meaning": (
            "risk-weighted uncovered TPS (each scaled above all travel) plus travel "
            "seconds of police and TNI; bound is a proven lower bound for the groups formed; "
            "gap covers the stages in gap_covers, status every stage in status_covers; "
            "coverage_bound holds for any grouping"
        ),
        "stages": [stage.as_dict() for stage in result.stages],
        "grouping": {
            "groups": grouping.n_groups,
            "lower_bound": grouping.lower_bound,
            "gap": round(
                (grouping.n_groups - grouping.lower_bound) / max(1, grouping.n_groups),
                6,
            ),
            "spread_minutes_total": round(grouping.spread_s / 60, 1),
            "spread_bound_minutes": (
                None
                if grouping.spread_bound_s is None
                else round(grouping.spread_bound_s / 60, 1)
            ),
        },
        # --- road_data_cost (H9: road-network fallback legs) ---
        # TPS whose legs fall back to the straight line; groups and police
        # against the groups' lower bound (null without a road network)
        "road_data_cost": road_data_cost(data, grouping),
        # --- end road_data_cost ---
        # --- jurisdiction and TPS kinds (H10) ---
        "jurisdiction": {
            "mode": "hard" if data.cross_jurisdiction_s is None else "penalised",
            "penalty_minutes": None
            if data.cross_jurisdiction_s is None
            else data.cross_jurisdiction_s / 60,
            # persons sent outside their base's jurisdiction (0 when hard);
            # the objective counts penalty_minutes of travel for each
            "outside_persons": report.extra.get("cross_jurisdiction", {}),
        },
        # per TPS kind in the table: counts, coverage and the scenario's rule
        "kinds": report.extra.get("kinds", {}),
        # --- end jurisdiction and TPS kinds ---
        "allocation": {
            agency: {
                "status": alloc.status,
                "method": alloc.method,
                "objective": alloc.objective,
                "bound": alloc.bound,
            }
            for agency, alloc in result.allocations.items()
        },
        "counts": {
            "stations": data.n_stations,
            "groups": grouping.n_groups,
            "bases": data.n_bases,
            "medical_sites": len(data.medical_bases),
            "personnel": personnel,
        },
        "coverage_by_category": report.coverage_by_category,
        "medical": {
            "limit_minutes": None if limit is None else limit / 60,
            "within_limit": int(np.asarray(report.extra["medical_within_limit"]).sum()),
            "median_minutes": round(float(np.median(medical_minutes)), 1)
            if len(medical_minutes)
            else None,
            "max_minutes": round(float(medical_minutes.max()), 1)
            if len(medical_minutes)
            else None,
        },
        "medical_teams": _teams(data, result),
        "shortfalls": [s.as_dict() for s in result.shortfalls],
        "check": {"passed": report.passed, "violations": list(report.violations)},
        "warnings": [str(w) for w in warnings],
        "versions": versions(),
    }
    return strict_json(summary)


#: Why a number became null (JSON has no NaN or Infinity).
_NON_FINITE = {
    "nan": "null because the value is not defined for this plan (the solve gave "
    "NaN, e.g. a bound or gap of a stage where no model was solved)",
    "inf": "null because the value is unbounded (the solve gave +Infinity, e.g. "
    "no solution or no finite bound was found)",
    "-inf": "null because the value is unbounded below (the solve gave -Infinity)",
}


def strict_json(summary: dict[str, Any]) -> dict[str, Any]:
    """``summary`` as strict JSON data: no NaN or Infinity anywhere.

    Each non-finite number becomes ``null``, and its mapping gets a sibling
    ``<key>_note`` saying why (for a list, which entries). Numpy scalars
    become Python numbers.
    """
    return _finite_dict(summary)


def _finite_dict(mapping: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in mapping.items():
        out[key], note = _finite(value)
        if note is not None and f"{key}_note" not in mapping:
            out[f"{key}_note"] = note
    return out


def _finite(value: Any) -> tuple[Any, str | None]:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None, _NON_FINITE[str(value)]
    if isinstance(value, dict):
        return _finite_dict(value), None
    if isinstance(value, list | tuple):
        pairs = [_finite(v) for v in value]
        bad = [i for i, (_, note) in enumerate(pairs) if note is not None]
        note = f"entries {bad} are {pairs[bad[0]][1]}" if bad else None
        return [v for v, _ in pairs], note
    return value, None


def to_json_bytes(summary: dict[str, Any]) -> bytes:
    """Strict, stable JSON (keys in reading order, not sorted).

    ``allow_nan=False``: a NaN or Infinity that slipped past
    :func:`strict_json` is an error, never invalid JSON in a file.
    """
    text = json.dumps(
        strict_json(summary), indent=2, ensure_ascii=False, allow_nan=False
    )
    return (text + "\n").encode("utf-8")


def _coverage(data: ProblemData, result: Result, report: CheckReport) -> dict[str, Any]:
    """Achieved risk-weighted coverage (from the checker), its bound and gap.

    Fractions of the total risk weight; a TPS counts when police, TNI and
    Linmas all meet its rule. ``coverage_gap`` is ``(bound - achieved) / bound``.
    """
    weights = np.array(
        [data.categories[c].weight for c in data.station_category], dtype=np.int64
    )
    total = int(weights.sum())
    achieved = int(weights[np.asarray(report.station_covered, dtype=bool)].sum())
    bound = result.coverage_bound
    return {
        "coverage": round(achieved / total, 9) if total else 1.0,
        "coverage_bound": None
        if bound is None
        else round(bound.weight / total, 9)
        if total
        else 1.0,
        "coverage_gap": None if bound is None else round(bound.gap(achieved), 9),
    }


def _teams(data: ProblemData, result: Result) -> dict[str, Any] | None:
    """Mobile medical teams: what was asked, placed and staffed, and how proven."""
    teams = result.teams
    if teams is None:
        return None
    reached = teams.travel_s[teams.station_team >= 0] / 60

    def number(value: float | None) -> float | None:
        if value is None or not np.isfinite(value):
            return None
        return round(float(value), 9)

    return {
        "model": teams.model,
        "requested": teams.requested,
        "placed": teams.placed,
        "teams": teams.placed,
        "staffing": teams.staffing,
        "team_size": teams.team_size,
        "staffable_teams": teams.staffable,
        "staffed_persons": teams.staffed_persons,
        "capacity": teams.capacity,
        "capacity_unit": teams.capacity_unit or None,
        "sites": [data.base_ids[b] for b in teams.sites],
        "threshold_minutes": teams.threshold_s / 60,
        "within_threshold": int(teams.within.sum()),
        "max_minutes": round(float(reached.max()), 1) if len(reached) else None,
        "objective": number(teams.objective),
        "bound": number(teams.bound),
        "gap": number(teams.gap),
        "status": teams.status,
        "method": teams.method,
        "cut_short": teams.cut_short,
        "reason": teams.reason,
    }
