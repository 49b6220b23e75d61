"""Explain every unmet rule in words a planner can act on."""

from __future__ import annotations

import numpy as np

from deploy_opt.kinds import group_police_only
from deploy_opt.problem import ProblemData
from deploy_opt.result import Shortfall
from deploy_opt.solvers import medical_teams as mt
from deploy_opt.solvers.allocation import AgencyAllocation
from deploy_opt.solvers.grouping import Grouping
from deploy_opt.solvers.linmas import LinmasAllocation
from deploy_opt.solvers.medical import MedicalCover
from deploy_opt.solvers.medical_teams import TeamSiting
from deploy_opt.units import UNREACHABLE

AGENCY_NAMES = {"polri": "police", "tni": "TNI", "linmas": "Linmas", "medis": "medical"}


def _names(data: ProblemData, bases: np.ndarray, limit: int = 3) -> str:
    names = [data.base_names[b] for b in bases[:limit]]
    more = f" and {len(bases) - limit} more" if len(bases) > limit else ""
    return ", ".join(names) + more


def _minutes(seconds: int) -> str:
    """Minutes for a reason: one decimal, so "10.4 min" is not read as 10 min."""
    return f"{round(seconds / 60, 1):g} min"


def group_shortfalls(
    data: ProblemData,
    grouping: Grouping,
    group_ids: tuple[str, ...],
    alloc: AgencyAllocation,
) -> list[Shortfall]:
    """One shortfall per group the allocation left unstaffed."""
    word = AGENCY_NAMES[alloc.agency]
    headcount = data.headcount[alloc.agency]
    staffed = np.zeros(grouping.n_groups, dtype=np.int64)
    np.add.at(staffed, alloc.group, alloc.count)
    weight = np.array([data.categories[c].weight for c in grouping.group_category])
    sizes = np.array([len(m) for m in grouping.members])
    reach = np.zeros((data.n_bases, grouping.n_groups), dtype=bool)
    for g, bases in enumerate(alloc.reachable_bases):
        reach[bases, g] = True
    out = []
    only = (
        group_police_only(
            data.station_police_bases, grouping.station_group, data.n_bases
        )
        if alloc.agency == "polri"
        else {}
    )
    offered = (
        np.ones(grouping.n_groups, dtype=bool)
        if alloc.held_back is None
        else ~alloc.held_back
    )
    for g in map(int, np.flatnonzero(~alloc.covered)):
        reachable = alloc.reachable_bases[g]
        if not offered[g]:
            reason = "no police staffed, TNI do not replace police"
        elif len(reachable) == 0:
            reason = _unreached(data, grouping, g, alloc.agency, only.get(g))
        else:
            competing = np.flatnonzero(reach[reachable].any(axis=0) & offered)
            have = int(headcount[reachable].sum())
            need = int(alloc.demand[competing].sum())
            verb, pronoun = ("has", "it") if len(reachable) == 1 else ("have", "they")
            served = competing[alloc.covered[competing]]
            if (weight[served] > weight[g]).any():
                why = "higher-risk groups came first"
            elif (sizes[served] > sizes[g]).any():
                why = "groups with more TPS came first"
            else:
                why = "groups of equal risk and size nearer the bases came first"
            reason = (
                f"{_names(data, reachable)} {verb} {have} {word} for {need} needed "
                f"by the {len(competing)} groups {pronoun} can reach; {why}"
            ) + _neighbours_with_spare(data, grouping, g, alloc, only.get(g))
        out.append(
            Shortfall(
                agency=alloc.agency,
                category=data.categories[grouping.group_category[g]].name,
                station_ids=tuple(data.station_ids[i] for i in grouping.members[g]),
                needed=int(alloc.demand[g]),
                assigned=int(staffed[g]),
                reason=reason,
                group_id=group_ids[g],
            )
        )
    return out


def _worst(
    data: ProblemData, agency: str, bases: np.ndarray, members: np.ndarray
) -> np.ndarray:
    """Longest trip from each of ``bases`` to ``members`` (UNREACHABLE if any is)."""
    if len(bases) == 0:
        return np.zeros(0, dtype=np.int64)
    return data.travel[agency].block(bases, members).max(axis=1)


def _kinds_in(data: ProblemData, grouping: Grouping, g: int) -> str:
    """The kinds of the group's TPS whose kind restricts police, e.g. ``prison``."""
    kinds = sorted(
        {
            data.station_kind[i]
            for i in grouping.members[g]
            if int(i) in data.station_police_bases
        }
    )
    return "/".join(kinds)


def _unreached(
    data: ProblemData,
    grouping: Grouping,
    g: int,
    agency: str,
    kind_mask: np.ndarray | None,
) -> str:
    """Why no base may serve group ``g``: its TPS kind, jurisdiction or travel time.

    The first cause that, lifted, would let some base with personnel reach the
    group is named: the kind rule of its TPS, then the jurisdiction (hard
    mode: "Polsek Y outside its jurisdiction would"), else travel time.
    """
    word = AGENCY_NAMES[agency]
    limit = data.travel_limit_s[agency]
    kec = int(grouping.group_kecamatan[g])
    place = f"Kecamatan {data.kecamatan_names[kec]}"
    staffed = np.flatnonzero(data.headcount[agency] > 0)
    worst = _worst(data, agency, staffed, grouping.members[g])
    within = (worst < UNREACHABLE) & (True if limit is None else worst <= limit)
    may = data.may_serve(staffed, np.array([kec]))[:, 0]
    kind_ok = (
        np.ones(len(staffed), dtype=bool) if kind_mask is None else kind_mask[staffed]
    )
    if kind_mask is not None and (within & may & ~kind_ok).any():
        allowed = np.flatnonzero(kind_mask)
        named = _names(data, allowed) if len(allowed) else "no base"
        lead = f"{_kinds_in(data, grouping, g)} TPS take police only from {named}"
        if not (kind_ok).any():
            return (
                f"{lead}, which has no police"
                if len(allowed)
                else f"{lead} (no Polsek has jurisdiction over {place})"
            )
        masked = np.where(kind_ok, worst, UNREACHABLE)
        best = int(np.argmin(masked))
        if masked[best] >= UNREACHABLE:
            return f"{lead}, which does not reach every TPS of the group"
        return (
            f"{lead}: {data.base_names[staffed[best]]} is {_minutes(int(worst[best]))} "
            f"from the farthest TPS of the group, limit {_minutes(limit or 0)}"
        )
    own = data.jurisdiction[staffed, kec]
    helpers = np.flatnonzero(within & kind_ok & ~own)
    if data.cross_jurisdiction_s is None and len(helpers):
        helper = helpers[np.argmin(worst[helpers])]
        would = (
            f"{data.base_names[staffed[helper]]} outside its jurisdiction would, "
            f"{_minutes(int(worst[helper]))}"
        )
        if not (own & kind_ok).any():
            return f"no base with {word} has jurisdiction over {place} ({would})"
        return (
            f"no base with jurisdiction over {place} reaches these TPS within "
            f"{_minutes(limit or 0)} ({would})"
        )
    with_staff = np.flatnonzero(may & kind_ok)
    if len(with_staff) == 0:
        return f"no base with {word} serves {place}"
    best = with_staff[int(np.argmin(worst[with_staff]))]
    if worst[best] >= UNREACHABLE:
        return f"no {word} base reaches every TPS of the group within {_minutes(limit or 0)}"
    return (
        f"no {word} base within {_minutes(limit or 0)} of every TPS in the group "
        f"(nearest: {data.base_names[staffed[best]]}, {_minutes(int(worst[best]))})"
    )


def _neighbours_with_spare(
    data: ProblemData,
    grouping: Grouping,
    g: int,
    alloc: AgencyAllocation,
    kind_mask: np.ndarray | None,
) -> str:
    """Under hard jurisdiction: bases outside it that reach group ``g`` with spare persons."""
    if data.cross_jurisdiction_s is not None:
        return ""
    headcount = data.headcount[alloc.agency]
    used = np.bincount(alloc.base, weights=alloc.count, minlength=data.n_bases)
    spare = headcount - used.astype(np.int64)
    kec = int(grouping.group_kecamatan[g])
    candidates = np.flatnonzero((spare > 0) & ~data.jurisdiction[:, kec])
    if kind_mask is not None:
        candidates = candidates[kind_mask[candidates]]
    worst = _worst(data, alloc.agency, candidates, grouping.members[g])
    limit = data.travel_limit_s[alloc.agency]
    near = candidates[
        (worst < UNREACHABLE) & (True if limit is None else worst <= limit)
    ]
    if len(near) == 0:
        return ""
    verb = "reaches" if len(near) == 1 else "reach"
    return (
        f"; outside their jurisdiction, {_names(data, near)} {verb} them with "
        f"{int(spare[near].sum())} spare (solver.jurisdiction: penalised would let "
        "them help)"
    )


def linmas_shortfalls(data: ProblemData, linmas: LinmasAllocation) -> list[Shortfall]:
    """One shortfall per TPS without its Linmas."""
    received = np.zeros(data.n_stations, dtype=np.int64)
    np.add.at(received, linmas.station, linmas.count)
    out = []
    for i in np.flatnonzero(~linmas.covered):
        kel = data.station_kelurahan[i]
        posts = np.flatnonzero(data.base_kelurahan == kel)
        have = int(data.headcount["linmas"][posts].sum())
        if have == 0:
            reason = f"no Linmas post in Kelurahan {data.kelurahan_names[kel]}"
        else:
            need = int(linmas.demand[data.station_kelurahan == kel].sum())
            reason = f"Kelurahan {data.kelurahan_names[kel]} has {have} Linmas for {need} needed"
        out.append(
            Shortfall(
                agency="linmas",
                category=data.categories[data.station_category[i]].name,
                station_ids=(data.station_ids[i],),
                needed=int(linmas.demand[i]),
                assigned=int(received[i]),
                reason=reason,
            )
        )
    return out


def _reach_shortfalls(
    data: ProblemData,
    agency: str,
    short: np.ndarray,
    site: np.ndarray,
    travel_s: np.ndarray,
    what: str,
    limit_text: str,
    none_reason: str,
) -> list[Shortfall]:
    """One shortfall per TPS in ``short``: its nearest ``what`` is too far away."""
    out = []
    for i in np.flatnonzero(short):
        reason = (
            none_reason
            if site[i] < 0
            else f"nearest {what} {data.base_names[site[i]]} is {_minutes(int(travel_s[i]))} away, {limit_text}"
        )
        out.append(
            Shortfall(
                agency=agency,
                category=data.categories[data.station_category[i]].name,
                station_ids=(data.station_ids[i],),
                needed=1,
                assigned=0,
                reason=reason,
            )
        )
    return out


def medical_shortfalls(data: ProblemData, medical: MedicalCover) -> list[Shortfall]:
    """One shortfall per TPS whose nearest facility is beyond the medical limit."""
    limit = data.travel_limit_s["medis"]
    return _reach_shortfalls(
        data,
        "medis",
        ~medical.within_limit,
        medical.base,
        medical.travel_s,
        "medical facility",
        f"limit {_minutes(limit or 0)}",
        "no medical facility (puskesmas or hospital) in the scenario"
        if len(data.medical_bases) == 0
        else "no medical facility (puskesmas or hospital) within "
        f"{_minutes(data.travel['medis'].cutoff_s or 0)} (the search radius), "
        f"limit {_minutes(limit or 0)}",
    )


def team_shortfalls(data: ProblemData, teams: TeamSiting) -> list[Shortfall]:
    """One shortfall per TPS no mobile medical team serves, with the real cause:
    no candidate site in reach, no staffed one, team capacity, or too few teams."""
    limit = _minutes(teams.threshold_s)
    voters = np.maximum(np.asarray(data.station_voters), 1)
    out = []
    for i in np.flatnonzero(~teams.within):
        cause = int(teams.cause[i])
        near = int(teams.station_team[i])
        nearest = (
            f"; nearest team at {data.base_names[near]} is {_minutes(int(teams.travel_s[i]))} away"
            if near >= 0
            else ""
        )
        if cause == mt.NO_CANDIDATE:
            reason = f"no candidate team site within {limit}{nearest}"
        elif cause == mt.NO_STAFF:
            cand = int(teams.nearest_candidate[i])
            reason = (
                f"candidate sites within {limit} (nearest {data.base_names[cand]}, "
                f"{int(data.headcount['medis'][cand])} medis) have fewer than the "
                f"{teams.team_size} medis persons a team needs{nearest}"
            )
        elif cause == mt.TOO_LARGE:
            reason = (
                f"{int(voters[i])} voters exceed a team's capacity of "
                f"{teams.capacity} voters"
            )
        elif cause == mt.CAPACITY:
            reason = (
                f"the teams within {limit} are full (at most {teams.capacity} "
                f"{teams.capacity_unit} per team){nearest}"
            )
        else:
            staffed = (
                ""
                if teams.staffable is None
                else f", the medis headcounts staff {teams.staffable}"
            )
            asked = (
                "" if teams.requested is None else f" of {teams.requested} requested"
            )
            reason = (
                f"teams too few: {teams.placed}{asked} placed{staffed}, "
                f"none within {limit}{nearest}"
            )
        out.append(
            Shortfall(
                agency="medis_team",
                category=data.categories[data.station_category[i]].name,
                station_ids=(data.station_ids[i],),
                needed=1,
                assigned=0,
                reason=reason,
            )
        )
    return out
