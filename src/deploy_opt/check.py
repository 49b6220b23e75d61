"""Independent checker: recompute every rule and KPI from the inputs and the plan.

It does not trust anything the solver computed besides the plan itself (groups,
persons per base and group or TPS, medical links). It runs after every solve
and in the tests; any violation is a bug in deploy_opt, never the user's fault.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from deploy_opt.kinds import NEAREST, NEAREST_HOSPITAL
from deploy_opt.problem import GROUP_AGENCIES, CategoryRule, IntArray, ProblemData
from deploy_opt.result import Result
from deploy_opt.scenario.crossref import name_key
from deploy_opt.scenario.schema import AGENCIES
from deploy_opt.units import UNREACHABLE

if TYPE_CHECKING:  # the solvers package pulls in OR-Tools
    from deploy_opt.solvers.grouping import Grouping


@dataclass(frozen=True)
class CheckReport:
    """Violations found (empty = the plan keeps every rule) and recomputed KPIs."""

    violations: tuple[str, ...]
    station_covered: np.ndarray
    station_staff: dict[str, np.ndarray]
    coverage_by_category: dict[str, dict[str, object]]
    personnel: dict[str, dict[str, int]]
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        """True when no rule is broken."""
        return not self.violations


def _lookup(data: ProblemData, agency: str, base: int, stations: IntArray) -> IntArray:
    """Travel seconds from ``base`` to ``stations``; UNREACHABLE where not stored."""
    row = data.travel[agency].seconds[[base]].tocoo()
    times = np.full(data.n_stations, UNREACHABLE, dtype=np.int64)
    times[row.col] = row.data
    return times[stations]


def _rules_used(rule: CategoryRule, rungs: np.ndarray) -> str:
    """Groups per rule of the ladder actually used, e.g. ``2-12-24 x40, 2-16-32 x3``."""
    counts = np.bincount(rungs, minlength=len(rule.ladder))
    return ", ".join(
        f"{rule.rung_rule(r)} x{int(n)}" for r, n in enumerate(counts) if n
    )


def check_plan(data: ProblemData, result: Result) -> CheckReport:
    """Recompute every rule of ``result`` against ``data``."""
    problems: list[str] = []
    grouping = result.grouping
    n = data.n_stations

    # Groups: a partition of the stations into cells under each category's rule.
    seen = np.zeros(n, dtype=np.int64)
    for members in grouping.members:
        seen[members] += 1
    if (seen != 1).any():
        problems.append(
            f"{int((seen != 1).sum())} stations are not in exactly one group"
        )
    # Ladder: each group's rung is a rule of its category's ladder (checked
    # here, so `rungs` below may index the ladders safely).
    rungs = np.asarray(grouping.rungs, dtype=np.int64)
    if len(rungs) != grouping.n_groups:
        problems.append(f"{len(rungs)} ladder rungs for {grouping.n_groups} groups")
        rungs = np.zeros(grouping.n_groups, dtype=np.int64)
    for g, (c, r) in enumerate(zip(grouping.group_category, rungs, strict=True)):
        if not 0 <= r < len(data.categories[c].ladder):
            problems.append(
                f"group {result.group_ids[g]} uses rule {r} of "
                f"{data.categories[c].name}'s ladder of {len(data.categories[c].ladder)}"
            )
            rungs[g] = 0
    for g, members in enumerate(grouping.members):
        gid = result.group_ids[g]
        cats = set(data.station_category[members].tolist())
        kecs = set(data.station_kecamatan[members].tolist())
        if len(cats) != 1 or len(kecs) != 1:
            problems.append(f"group {gid} mixes categories or kecamatan")
            continue
        rule = data.categories[cats.pop()]
        if data.categories[grouping.group_category[g]] is not rule:
            problems.append(f"group {gid} is labelled with another category")
            continue
        rung = rule.ladder[rungs[g]]
        if len(members) > rung.tps:
            problems.append(
                f"group {gid} has {len(members)} TPS, rule {rung.text} allows {rung.tps}"
            )
        if rule.max_group_s is not None and len(members) > 1:
            block = data.station_pairs.seconds[members][:, members].tocoo()
            stored = np.zeros((len(members), len(members)), dtype=bool)
            stored[block.row, block.col] = block.data <= rule.max_group_s
            np.fill_diagonal(stored, True)
            if not stored.all():
                problems.append(
                    f"group {gid} has TPS more than {rule.max_group_s / 60:g} min apart"
                )

    # Police and TNI: headcount, jurisdiction, travel limit, no overstaffing.
    # Under `jurisdiction: penalised` a base may serve outside its jurisdiction
    # (counted); TPS kinds may name the only bases for their police.
    staff = {agency: np.zeros(n, dtype=np.int64) for agency in AGENCIES}
    group_staff: dict[str, np.ndarray] = {}
    crossing: dict[str, int] = {}
    police_only = _police_only(data, grouping)
    for agency in GROUP_AGENCIES:
        alloc = result.allocations[agency]
        limit = data.travel_limit_s[agency]
        per_group = np.zeros(grouping.n_groups, dtype=np.int64)
        used = np.zeros(data.n_bases, dtype=np.int64)
        crossing[agency] = 0
        for arc, (b, g, count, travel) in enumerate(
            zip(alloc.base, alloc.group, alloc.count, alloc.travel_s, strict=True)
        ):
            members = grouping.members[g]
            gid = result.group_ids[g]
            if count <= 0:
                problems.append(f"{agency}: non-positive count to group {gid}")
            outside = not data.jurisdiction[b, grouping.group_kecamatan[g]]
            if outside and data.cross_jurisdiction_s is None:
                problems.append(
                    f"{agency}: {data.base_ids[b]} serves {gid} outside its jurisdiction"
                )
            crossing[agency] += int(count) if outside else 0
            flagged = alloc.outside is not None and bool(alloc.outside[arc])
            if flagged != (outside and data.cross_jurisdiction_s is not None):
                problems.append(
                    f"{agency}: {data.base_ids[b]} to {gid} flagged "
                    f"{'outside' if flagged else 'inside'} its jurisdiction, "
                    f"recomputed {'outside' if outside else 'inside'}"
                )
            if agency == "polri" and g in police_only and not police_only[g][b]:
                problems.append(
                    f"polri: {data.base_ids[b]} serves {gid}, whose TPS kind takes "
                    "police only from other bases"
                )
            times = _lookup(data, agency, int(b), members)
            worst = int(times.max())
            if worst >= UNREACHABLE or (limit is not None and worst > limit):
                problems.append(
                    f"{agency}: {data.base_ids[b]} is beyond the travel limit of {gid}"
                )
            elif worst != travel:
                problems.append(
                    f"{agency}: travel to {gid} reported {travel} s, recomputed {worst} s"
                )
            per_group[g] += count
            used[b] += count
        over = np.flatnonzero(used > data.headcount[agency])
        problems += [
            f"{agency}: {data.base_ids[b]} sends {used[b]} of {data.headcount[agency][b]}"
            for b in over
        ]
        demand = np.array(
            [
                data.categories[c].need(agency, r)
                for c, r in zip(grouping.group_category, rungs, strict=True)
            ]
        )
        problems += [
            f"{agency}: group {result.group_ids[g]} gets {per_group[g]} for {demand[g]} needed"
            for g in np.flatnonzero(per_group > demand)
        ]
        group_staff[agency] = per_group
        staff[agency] = per_group[grouping.station_group]

    # TNI join police groups: none where the group's police are not all there,
    # unless the scenario lets the category take TNI alone.
    police_needed = np.array(
        [
            data.categories[c].need("polri", r)
            for c, r in zip(grouping.group_category, rungs, strict=True)
        ],
        dtype=np.int64,
    )
    alone = np.isin(grouping.group_category, data.tni_without_police)
    problems += [
        f"tni: group {result.group_ids[g]} has {group_staff['tni'][g]} TNI but "
        f"{group_staff['polri'][g]} of {police_needed[g]} police (TNI do not replace police)"
        for g in np.flatnonzero(
            (group_staff["tni"] > 0) & (group_staff["polri"] < police_needed) & ~alone
        )
    ]

    # Linmas: from the TPS's own kelurahan, within headcount.
    linmas = result.linmas
    used = np.zeros(data.n_bases, dtype=np.int64)
    for b, i, count in zip(linmas.base, linmas.station, linmas.count, strict=True):
        if data.base_kelurahan[b] != data.station_kelurahan[i]:
            problems.append(
                f"linmas: {data.base_ids[b]} sent to {data.station_ids[i]} in another kelurahan"
            )
        used[b] += count
        staff["linmas"][i] += count
    problems += [
        f"linmas: {data.base_ids[b]} sends {used[b]} of {data.headcount['linmas'][b]}"
        for b in np.flatnonzero(used > data.headcount["linmas"])
    ]

    # Medical: the linked facility is the nearest one, or the one the TPS's
    # kind names (its own hospital, or a base).
    facilities = data.medical_bases
    medical_ok = np.zeros(n, dtype=bool)
    if len(facilities):
        # nearest stored time per TPS (the matrix keeps the medical search radius)
        facility_times = data.travel["medis"].seconds[facilities].tocoo()
        nearest = np.full(n, UNREACHABLE, dtype=np.int64)
        np.minimum.at(
            nearest, facility_times.col, np.asarray(facility_times.data, np.int64)
        )
        best = _medical_best(data, nearest)
        linked = result.medical.base
        linked_time = np.where(
            linked >= 0,
            data.travel["medis"].at(np.maximum(linked, 0), np.arange(n)),
            UNREACHABLE,
        )
        wrong = np.flatnonzero(linked_time != best)
        problems += [
            f"medical: {data.station_ids[i]} is not linked to its nearest facility"
            " (or the one its kind names)"
            for i in wrong[:10]
        ]
        named = data.station_medical_site
        if len(named):
            problems += [
                f"medical: {data.station_ids[i]} is linked to "
                f"{data.base_ids[linked[i]] if linked[i] >= 0 else 'nothing'}, its "
                f"kind names {data.base_ids[named[i]]}"
                for i in np.flatnonzero((named >= 0) & (linked != named))[:10]
                if best[i] < UNREACHABLE
            ]
        limit = data.travel_limit_s["medis"]
        medical_ok = (best < UNREACHABLE) & (True if limit is None else best <= limit)

    # Mobile medical teams: no more than asked, each TPS linked to its nearest one.
    team_ok = np.ones(n, dtype=bool)
    teams = result.teams
    if data.medical_teams is not None and teams is None:
        problems.append(
            "medical teams: the scenario asks for teams but the plan sites none"
        )
        team_ok = np.zeros(n, dtype=bool)
    elif data.medical_teams is not None and teams is not None:
        # imported here: the solvers package pulls in OR-Tools
        from deploy_opt.solvers.team_check import check_teams

        team_problems, team_ok = check_teams(data, teams)
        problems += team_problems

    # Coverage per station and the shortfall list.
    # each TPS needs what its group's rule asks (its rung of the ladder)
    station_rung = rungs[np.maximum(grouping.station_group, 0)]
    need = {
        agency: np.array(
            [
                data.categories[c].need(agency, r)
                for c, r in zip(data.station_category, station_rung, strict=True)
            ]
        )
        for agency in ("polri", "tni", "linmas")
    }
    met = {agency: staff[agency] >= need[agency] for agency in need}
    covered = met["polri"] & met["tni"] & met["linmas"]
    listed: Counter[tuple[str, str]] = Counter()
    for shortfall in result.shortfalls:
        for station_id in shortfall.station_ids:
            listed[(shortfall.agency, station_id)] += 1
    for agency, ok in [*met.items(), ("medis", medical_ok), ("medis_team", team_ok)]:
        for i in np.flatnonzero(~ok):
            if listed[(agency, data.station_ids[i])] != 1:
                problems.append(
                    f"{agency}: {data.station_ids[i]} is short but not listed once as a shortfall"
                )
        for i in np.flatnonzero(ok):
            if listed[(agency, data.station_ids[i])]:
                problems.append(
                    f"{agency}: {data.station_ids[i]} is listed as short but is served"
                )

    coverage: dict[str, dict[str, object]] = {}
    for c, rule in enumerate(data.categories):
        mask = data.station_category == c
        total = int(mask.sum())
        coverage[rule.name] = {
            "stations": total,
            "rule": rule.rule + (f" +{rule.tni} TNI" if rule.tni else ""),
            "ladder": [rung.text for rung in rule.ladder],
            "rules_used": _rules_used(rule, rungs[grouping.group_category == c]),
            "covered": int(covered[mask].sum()),
            "fraction": round(float(covered[mask].mean()), 6) if total else 1.0,
            "police_met": int(met["polri"][mask].sum()),
            "tni_met": int(met["tni"][mask].sum()),
            "linmas_met": int(met["linmas"][mask].sum()),
            "medical_within_limit": int(medical_ok[mask].sum()),
        }
        if data.medical_teams is not None:
            coverage[rule.name]["medical_team_within_threshold"] = int(
                team_ok[mask].sum()
            )
    personnel = {
        agency: {
            "available": int(data.headcount[agency].sum()),
            "assigned": int(group_staff[agency].sum())
            if agency in group_staff
            else int(staff[agency].sum()),
        }
        for agency in ("polri", "tni", "linmas")
    }
    problems += _kind_categories(data)
    return CheckReport(
        violations=tuple(problems),
        station_covered=covered,
        station_staff=staff,
        coverage_by_category=coverage,
        personnel=personnel,
        extra={
            "medical_within_limit": medical_ok,
            "cross_jurisdiction": crossing,
            "kinds": _kind_coverage(data, covered, met["polri"], medical_ok),
        },
    )


def _police_only(data: ProblemData, grouping: Grouping) -> dict[int, np.ndarray]:
    """Groups holding a TPS whose kind restricts police -> bases allowed (mask)."""
    only: dict[int, np.ndarray] = {}
    for station, bases in data.station_police_bases.items():
        g = int(grouping.station_group[station])
        mask = np.zeros(data.n_bases, dtype=bool)
        mask[bases] = True
        only[g] = only[g] & mask if g in only else mask
    return only


def _medical_best(data: ProblemData, nearest: IntArray) -> IntArray:
    """Seconds to the facility each TPS must be linked to (kind rules applied)."""
    sites = data.station_medical_site
    if len(sites) == 0:
        return nearest
    best = nearest.copy()
    hospitals = np.array(
        [b for b, kind in enumerate(data.base_kinds) if kind == "hospital"],
        dtype=np.int64,
    )
    for i in np.flatnonzero(sites != NEAREST):
        options = hospitals if sites[i] == NEAREST_HOSPITAL else sites[[i]]
        best[i] = min(
            (int(_lookup(data, "medis", int(b), np.array([i]))[0]) for b in options),
            default=UNREACHABLE,
        )
    return best


def _kind_categories(data: ProblemData) -> list[str]:
    """Every TPS of a kind that forces a category has that category."""
    out = []
    for i, kind in enumerate(data.station_kind):
        found = _kind_rule(data, kind)
        forced = "" if found is None else found[1].get("category", "")
        name = data.categories[data.station_category[i]].name
        if forced and name != forced:
            out.append(
                f"kind: {data.station_ids[i]} ({kind}) has category {name}, "
                f"its kind forces {forced}"
            )
    return out[:10]


def _kind_rule(data: ProblemData, kind: str) -> tuple[str, dict[str, str]] | None:
    key = name_key(kind)
    if not key:
        return None
    for name, rule in data.kind_rules.items():
        if name_key(name) == key:
            return name, rule
    return None


def _kind_coverage(
    data: ProblemData,
    covered: np.ndarray,
    police_met: np.ndarray,
    medical_ok: np.ndarray,
) -> dict[str, dict[str, object]]:
    """Per TPS kind present in the table: counts, coverage and its rule."""
    kinds: dict[str, list[int]] = {}
    for i, kind in enumerate(data.station_kind):
        if kind:
            kinds.setdefault(kind, []).append(i)
    out: dict[str, dict[str, object]] = {}
    for kind in sorted(kinds, key=name_key):
        index = np.asarray(kinds[kind], dtype=np.int64)
        found = _kind_rule(data, kind)
        out[kind] = {
            "stations": len(index),
            "covered": int(covered[index].sum()),
            "fraction": round(float(covered[index].mean()), 6),
            "police_met": int(police_met[index].sum()),
            "medical_within_limit": int(medical_ok[index].sum()),
            "rule": None if found is None else dict(found[1]),
        }
    return out
