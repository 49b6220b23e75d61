"""The machine-readable summary of a solve (``summary.json``)."""

from __future__ import annotations

import json
import platform
from importlib import metadata
from typing import Any

import numpy as np

from deploy_opt.check import CheckReport
from deploy_opt.errors import Issue
from deploy_opt.problem import ProblemData
from deploy_opt.result import Result

FORMAT_VERSION = 1
_PACKAGES = (
    "deploy-opt",
    "ortools",
    "numpy",
    "scipy",
    "pandas",
    "geopandas",
    "shapely",
    "pydantic",
)


def versions() -> dict[str, str]:
    """Versions of Python and of the packages that shape the result."""
    out = {"python": platform.python_version()}
    for package in _PACKAGES:
        try:
            out[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            out[package] = "not installed"
    return out


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
        "polri": sum(data.categories[c].police for c in grouping.group_category),
        "tni": sum(data.categories[c].tni for c in grouping.group_category),
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
    return {
        "tool": "deploy_opt",
        "format_version": FORMAT_VERSION,
        "scenario": scenario_name,
        "input_hash": result.input_hash,
        "status": result.status,
        "objective": result.objective,
        "bound": result.bound,
        "gap": round(result.gap, 9),
        "runtime_s": None if reproducible else round(result.runtime_s, 3),
        "reproducible": reproducible,
        "seed": result.params.seed,
        "time_limit_s": result.params.time_limit_s,
        "solver": result.solver,
        "travel_model": result.travel_model,
        "objective_meaning": (
            "risk-weighted uncovered TPS (each scaled above all travel) plus travel "
            "seconds of police and TNI; bound is a proven lower bound for the groups formed"
        ),
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


def to_json_bytes(summary: dict[str, Any]) -> bytes:
    """Stable JSON (sorted keys off: the order above is the reading order)."""
    return (json.dumps(summary, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _teams(data: ProblemData, result: Result) -> dict[str, Any] | None:
    teams = result.teams
    if teams is None:
        return None
    reached = teams.travel_s[teams.station_team >= 0] / 60
    return {
        "model": teams.model,
        "teams": len(teams.sites),
        "sites": [data.base_ids[b] for b in teams.sites],
        "threshold_minutes": teams.threshold_s / 60,
        "within_threshold": int(teams.within.sum()),
        "max_minutes": round(float(reached.max()), 1) if len(reached) else None,
        "objective": teams.objective,
        "bound": teams.bound,
        "gap": round(teams.gap, 9),
        "status": teams.status,
        "method": teams.method,
    }
