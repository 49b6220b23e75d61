"""Independent check of a team siting against the scenario's team rules."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from deploy_opt.problem import ProblemData
from deploy_opt.solvers.medical_teams import TeamSiting
from deploy_opt.solvers.team_pool import nearest_of, staffing_mode, usable
from deploy_opt.units import UNREACHABLE


def check_teams(
    data: ProblemData, teams: TeamSiting
) -> tuple[list[str], npt.NDArray[np.bool_]]:
    """Problems found and which TPS a team serves, recomputed from the data.

    Checks: no more teams than requested; sites of the candidate kinds; no base
    fields more teams than its medis headcount staffs; without capacities each
    TPS is linked to its nearest team; with capacities each served TPS is
    within the threshold of its own team and no team serves more than its
    capacity.
    """
    spec = data.medical_teams
    assert spec is not None
    problems: list[str] = []
    n = data.n_stations
    sites = np.asarray(teams.sites, dtype=np.int64)
    if spec.teams is not None and len(sites) > spec.teams:
        problems.append(f"medical teams: {len(sites)} sites for {spec.teams} teams")
    kinds = set(spec.candidates)
    problems += [
        f"medical teams: {data.base_ids[b]} is not a candidate ({data.base_kinds[b]})"
        for b in np.unique(sites)
        if data.base_kinds[b] not in kinds
    ]
    if staffing_mode(data, spec) == "headcount":
        per_base = np.bincount(sites, minlength=data.n_bases)
        over = np.flatnonzero(per_base * spec.team_size > data.headcount["medis"])
        problems += [
            f"medical teams: {data.base_ids[b]} fields {per_base[b]} team(s) of "
            f"{spec.team_size} with {data.headcount['medis'][b]} medis"
            for b in over
        ]
    if len(sites) == 0:
        return problems, np.zeros(n, dtype=bool)
    threshold = teams.threshold_s
    if spec.capacity is None:
        _, best = nearest_of(data, np.unique(sites))
        if not np.array_equal(best, np.minimum(teams.travel_s, UNREACHABLE)):
            problems.append("medical teams: a TPS is not linked to its nearest team")
        return problems, best <= threshold
    served = teams.station_team_no >= 0
    team_of = teams.station_team_no[served]
    if (team_of >= len(sites)).any():
        problems.append("medical teams: a TPS is served by a team that does not exist")
        return problems, np.zeros(n, dtype=bool)
    reach = usable(data.travel["medis"].seconds[sites]).tocsc()
    stations = np.flatnonzero(served)
    travel = np.full(n, UNREACHABLE, dtype=np.int64)
    for t, k in zip(stations, team_of, strict=True):
        col = reach.indices[reach.indptr[t] : reach.indptr[t + 1]]
        hit = np.flatnonzero(col == k)
        if len(hit):
            travel[t] = reach.data[reach.indptr[t] + hit[0]]
    far = stations[travel[stations] > threshold]
    problems += [
        f"medical teams: {data.station_ids[t]} is served by a team beyond the threshold"
        for t in far[:10]
    ]
    demand = (
        np.ones(n)
        if spec.max_voters_per_team is None
        else np.maximum(np.asarray(data.station_voters, dtype=np.float64), 1.0)
    )
    load = np.bincount(team_of, weights=demand[served], minlength=len(sites))
    problems += [
        f"medical teams: team {k} at {data.base_ids[sites[k]]} serves "
        f"{load[k]:g} against a capacity of {spec.capacity}"
        for k in np.flatnonzero(load > spec.capacity)
    ]
    ok = served.copy()
    ok[far] = False
    return problems, ok
