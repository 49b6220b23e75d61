"""Write district results into the staging folder and merge them into the region's.

Each district's files go to ``<staging>/<folder>/`` as soon as it finishes,
and its rows for the merged tables to a hidden part file; only a small digest
of its summary stays in memory. :meth:`RegionWriter.finish` concatenates the
parts in region order into ``stations.csv`` and ``roster.csv`` and writes the
merged ``summary.json``, whose ``stages`` list a later stage (help across
Polres borders) can extend.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from deploy_opt.errors import DeployOptError
from deploy_opt.region.district import DistrictResult
from deploy_opt.region.spec import Region

#: Version of the region summary layout (district summaries keep their own).
REGION_FORMAT_VERSION = 1
_PARTS = ".parts"
_MERGED = ("stations.csv", "roster.csv")
_AGENCY_COUNTS = ("available", "assigned", "reserve", "needed_by_rules")


class RegionWriter:
    """Collects district results (in any order) under ``staging``."""

    def __init__(self, region: Region, staging: Path) -> None:
        self.region = region
        self.staging = staging
        self.digests: dict[int, dict[str, Any]] = {}
        self._names = {d.index: d.name for d in region.districts}
        (staging / _PARTS).mkdir()

    def add(self, result: DistrictResult) -> dict[str, Any]:
        """Write one district's files and parts; keep and return its digest."""
        folder = self.staging / result.folder
        folder.mkdir()
        for name, content in sorted(result.files.items()):
            (folder / name).write_bytes(content)
        for name, content in sorted(result.parts.items()):
            (self.staging / _PARTS / f"{result.index:06d}-{name}").write_bytes(content)
        summary = json.loads(result.files["summary.json"])
        digest = district_digest(self._names[result.index], result.folder, summary)
        self.digests[result.index] = digest
        return digest

    def finish(self, header: dict[str, Any]) -> dict[str, Any]:
        """Concatenate the merged tables, write ``summary.json``, return it."""
        order = [d.index for d in self.region.districts]
        missing = [i for i in order if i not in self.digests]
        if missing:  # a bug: every district must have been added
            msg = f"districts {missing} have no result"
            raise DeployOptError(msg)
        parts = self.staging / _PARTS
        for name in _MERGED:
            _concatenate(
                [parts / f"{i:06d}-{name}" for i in order], self.staging / name
            )
        shutil.rmtree(parts)
        summary = merged_summary(header, [self.digests[i] for i in order])
        text = json.dumps(summary, indent=2, ensure_ascii=False, allow_nan=False)
        (self.staging / "summary.json").write_text(text + "\n", encoding="utf-8")
        return summary


def _concatenate(sources: list[Path], target: Path) -> None:
    """``target`` = the first source's header, then every source's rows."""
    header: bytes | None = None
    with target.open("wb") as out:
        for source in sources:
            with source.open("rb") as handle:
                first = handle.readline()
                if header is None:
                    header = first
                    out.write(first)
                elif first != header:
                    msg = f"{source.name}: its columns differ from the first district's"
                    raise DeployOptError(msg)
                shutil.copyfileobj(handle, out, 1 << 20)


def district_digest(name: str, folder: str, summary: dict[str, Any]) -> dict[str, Any]:
    """The figures of one district's summary that the region adds up."""
    personnel = summary["counts"]["personnel"]
    teams = summary.get("medical_teams") or {}
    shortfalls = summary["shortfalls"]
    by_agency: dict[str, int] = {}
    for shortfall in shortfalls:
        by_agency[shortfall["agency"]] = by_agency.get(shortfall["agency"], 0) + 1
    return {
        "name": name,
        "folder": folder,
        "status": summary["status"],
        "status_reasons": summary.get("status_reasons", []),
        "gap": summary.get("gap"),
        "coverage": summary.get("coverage"),
        "runtime_s": summary.get("runtime_s"),
        "seed": summary.get("seed"),
        "stations": summary["counts"]["stations"],
        "groups": summary["counts"]["groups"],
        "personnel": {
            agency: {key: counts[key] for key in _AGENCY_COUNTS}
            for agency, counts in personnel.items()
        },
        "coverage_by_category": {
            category: {"stations": cov["stations"], "covered": cov["covered"]}
            for category, cov in summary["coverage_by_category"].items()
        },
        "medical_teams": {
            "requested": teams.get("requested", 0),
            "placed": teams.get("placed", 0),
            "status": teams.get("status"),
        }
        if teams
        else None,
        "shortfalls": len(shortfalls),
        "shortfalls_by_agency": dict(sorted(by_agency.items())),
        "check_passed": summary["check"]["passed"],
        "warnings": len(summary.get("warnings", [])),
    }


def merged_summary(
    header: dict[str, Any], digests: list[dict[str, Any]]
) -> dict[str, Any]:
    """The region's summary: ``header`` keys, totals, then the districts in order."""
    optimal = all(d["status"] == "optimal" for d in digests)
    reasons = [f"{d['folder']}: {r}" for d in digests for r in d["status_reasons"]]
    personnel: dict[str, dict[str, int]] = {}
    coverage: dict[str, dict[str, Any]] = {}
    shortfalls_by_agency: dict[str, int] = {}
    teams = {"requested": 0, "placed": 0}
    for digest in digests:
        for agency, counts in digest["personnel"].items():
            total = personnel.setdefault(agency, dict.fromkeys(_AGENCY_COUNTS, 0))
            for key in _AGENCY_COUNTS:
                total[key] += counts[key]
        for category, cov in digest["coverage_by_category"].items():
            total = coverage.setdefault(category, {"stations": 0, "covered": 0})
            total["stations"] += cov["stations"]
            total["covered"] += cov["covered"]
        for agency, count in digest["shortfalls_by_agency"].items():
            shortfalls_by_agency[agency] = shortfalls_by_agency.get(agency, 0) + count
        if digest["medical_teams"] is not None:
            teams["requested"] += digest["medical_teams"]["requested"]
            teams["placed"] += digest["medical_teams"]["placed"]
    for cov in coverage.values():
        cov["fraction"] = (
            round(cov["covered"] / cov["stations"], 9) if cov["stations"] else 1.0
        )
    n_shortfalls = sum(d["shortfalls"] for d in digests)
    header = dict(header)
    versions = header.pop("versions", None)
    return {
        "tool": "deploy_opt",
        "kind": "region",
        "region_format_version": REGION_FORMAT_VERSION,
        **header,
        "status": "optimal" if optimal else "feasible",
        "status_covers": ["every district (each solved on its own)"],
        "status_reasons": reasons,
        "stages": [
            {
                "stage": "districts",
                "status": "optimal" if optimal else "feasible",
                "districts": len(digests),
                "method": "each Polres district solved as an independent subproblem",
                "note": "help across Polres borders (a Polda BKO/Brimob pool) is a "
                "later stage on what the districts left short; not run",
            }
        ],
        "counts": {
            "districts": len(digests),
            "stations": sum(d["stations"] for d in digests),
            "groups": sum(d["groups"] for d in digests),
            "personnel": dict(
                sorted(personnel.items(), key=lambda kv: _agency_order(kv[0]))
            ),
        },
        "coverage_by_category": coverage,
        "medical_teams": teams,
        "shortfalls": {
            "count": n_shortfalls,
            "by_agency": dict(sorted(shortfalls_by_agency.items())),
            "by_district": {
                d["folder"]: d["shortfalls"] for d in digests if d["shortfalls"]
            },
            "details": "each district's summary.json lists its shortfalls with reasons",
        },
        "check": {"passed": all(d["check_passed"] for d in digests)},
        "districts": digests,
        "versions": versions,
    }


def _agency_order(agency: str) -> tuple[int, str]:
    known = ("polri", "tni", "linmas", "medis")
    return (known.index(agency) if agency in known else len(known), agency)
