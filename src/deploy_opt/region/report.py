"""A short text about a solved region, for the terminal."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from deploy_opt.export.cells import escape_controls

#: Districts listed one per line before the rest are summed up.
MAX_LISTED = 20


def region_text(summary: dict[str, Any], out_dir: Path, runtime_s: float) -> str:
    """The region's status, totals per agency and category, and its districts."""
    counts = summary["counts"]
    lines = [
        f"{summary['region']}",
        f"  status {summary['status']} over {counts['districts']} district(s), "
        f"{runtime_s:.1f} s",
        f"  {counts['stations']:,} TPS in {counts['groups']:,} groups",
    ]
    for agency, c in counts["personnel"].items():
        lines.append(
            f"  {agency:7s} {c['assigned']:6,} assigned of {c['available']:,} "
            f"({c['reserve']:,} in reserve; the rules need {c['needed_by_rules']:,})"
        )
    lines.append("  coverage by category:")
    for name, cov in summary["coverage_by_category"].items():
        lines.append(
            f"    {name:14s} {cov['covered']:6,}/{cov['stations']:,} TPS ({cov['fraction']:.1%})"
        )
    teams = summary["medical_teams"]
    if teams["requested"]:
        lines.append(
            f"  medical teams: {teams['placed']:,} of {teams['requested']:,} placed"
        )
    shortfalls = summary["shortfalls"]
    lines.append(
        f"  {shortfalls['count']:,} shortfall(s)"
        + (
            " ("
            + ", ".join(f"{n:,} {a}" for a, n in shortfalls["by_agency"].items())
            + "); reasons in each district's summary.json"
            if shortfalls["count"]
            else ""
        )
    )
    lines.append("  districts:")
    districts = summary["districts"]
    for d in districts[:MAX_LISTED]:
        lines.append(
            f"    {d['folder']:40s} {d['status']:9s} {d['stations']:7,} TPS "
            f"{d['shortfalls']:6,} shortfall(s)"
        )
    if len(districts) > MAX_LISTED:
        rest = districts[MAX_LISTED:]
        optimal = sum(d["status"] == "optimal" for d in rest)
        lines.append(f"    ... {len(rest)} more ({optimal} optimal); see summary.json")
    lines.append(
        f"  checker: {'passed' if summary['check']['passed'] else 'FAILED'}; "
        f"outputs in {out_dir}/"
    )
    return "\n".join(escape_controls(line) for line in lines)
