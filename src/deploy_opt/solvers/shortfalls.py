"""Explain every unmet rule in words a planner can act on."""

from __future__ import annotations

import numpy as np

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
    return f"{seconds / 60:.0f} min"


def group_shortfalls(
    data: ProblemData,
    grouping: Grouping,
    group_ids: tuple[str, ...],
    alloc: AgencyAllocation,
) -> list[Shortfall]:
    """One shortfall per group the allocation left unstaffed."""
    word = AGENCY_NAMES[alloc.agency]
    limit = data.travel_limit_s[alloc.agency]
    headcount = data.headcount[alloc.agency]
    staffed = np.zeros(grouping.n_groups, dtype=np.int64)
    np.add.at(staffed, alloc.group, alloc.count)
    weight = np.array([data.categories[c].weight for c in grouping.group_category])
    sizes = np.array([len(m) for m in grouping.members])
    reach = np.zeros((data.n_bases, grouping.n_groups), dtype=bool)
    for g, bases in enumerate(alloc.reachable_bases):
        reach[bases, g] = True
    out = []
    offered = (
        np.ones(grouping.n_groups, dtype=bool)
        if alloc.held_back is None
        else ~alloc.held_back
    )
    for g in np.flatnonzero(~alloc.covered):
        reachable = alloc.reachable_bases[g]
        kec = grouping.group_kecamatan[g]
        if not offered[g]:
            reason = "no police staffed, TNI do not replace police"
        elif len(reachable) == 0:
            with_staff = np.flatnonzero((headcount > 0) & data.jurisdiction[:, kec])
            if len(with_staff) == 0:
                reason = (
                    f"no base with {word} serves Kecamatan {data.kecamatan_names[kec]}"
                )
            else:
                seconds = data.travel[alloc.agency].dense()[with_staff][
                    :, grouping.members[g]
                ]
                worst = seconds.max(axis=1)
                best = int(np.argmin(worst))
                if worst[best] >= UNREACHABLE:
                    reason = f"no {word} base reaches every TPS of the group within {_minutes(limit or 0)}"
                else:
                    reason = (
                        f"no {word} base within {_minutes(limit or 0)} of every TPS in the group "
                        f"(nearest: {data.base_names[with_staff[best]]}, {_minutes(int(worst[best]))})"
                    )
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
            )
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
        "no medical facility (puskesmas or hospital) in the scenario",
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
