"""Site mobile medical teams with the location models (MCLP, p-median, p-center).

Demand points are the TPS, weighted by voters (1 where unknown) times the
category's risk weight; candidate sites are the bases of the configured kinds;
costs are ambulance travel seconds. Each TPS is then linked to its nearest
open team. The location model's own bound and gap are reported.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from deploy_opt.location import mclp, p_center, p_median
from deploy_opt.problem import IntArray, ProblemData
from deploy_opt.scenario.schema import MedicalTeamsSpec
from deploy_opt.units import UNREACHABLE, minutes_to_seconds


@dataclass(frozen=True)
class TeamSiting:
    """Open team sites (base indices), each TPS's nearest team and its time."""

    model: str
    sites: IntArray
    station_team: IntArray
    travel_s: IntArray
    threshold_s: int
    objective: float
    bound: float
    gap: float
    status: str
    method: str

    @property
    def within(self) -> np.ndarray:
        """TPS reached by a team within the threshold."""
        return (self.station_team >= 0) & (self.travel_s <= self.threshold_s)


def site_teams(
    data: ProblemData,
    spec: MedicalTeamsSpec,
    seed: int,
    time_limit_s: float | None = None,
) -> TeamSiting:
    """Choose where the ``spec.teams`` teams stand (see module docstring).

    ``time_limit_s`` caps the model's own ``spec.time_limit_s`` (the time left
    of the whole solve).
    """
    limit = (
        spec.time_limit_s
        if time_limit_s is None
        else min(spec.time_limit_s, time_limit_s)
    )
    kinds = set(spec.candidates)
    candidates = np.array(
        [b for b, kind in enumerate(data.base_kinds) if kind in kinds], dtype=np.int64
    )
    threshold = minutes_to_seconds(spec.threshold_minutes)
    if len(candidates) == 0:
        none = np.full(data.n_stations, -1, dtype=np.int64)
        return TeamSiting(
            spec.model,
            candidates,
            none,
            np.full(data.n_stations, UNREACHABLE),
            threshold,
            0.0,
            0.0,
            0.0,
            "infeasible",
            "no candidate sites",
        )
    seconds = data.travel["medis"].dense()[candidates].T  # TPS x candidates
    cost = np.where(seconds >= UNREACHABLE, np.inf, seconds.astype(np.float64))
    voters = np.maximum(data.station_voters, 1)
    weights = voters * np.array(
        [data.categories[c].weight for c in data.station_category], dtype=np.float64
    )
    teams = min(spec.teams, len(candidates))
    if spec.model == "mclp":
        result = mclp(
            cost,
            float(threshold),
            teams,
            weights=weights,
            time_limit=limit,
            seed=seed,
        )
    elif spec.model == "p_median":
        result = p_median(
            np.where(np.isinf(cost), 10 * UNREACHABLE, cost),
            teams,
            weights=weights,
            time_limit=limit,
            seed=seed,
        )
    else:
        result = p_center(
            np.where(np.isinf(cost), 10 * UNREACHABLE, cost),
            teams,
            time_limit=limit,
            seed=seed,
        )
    return teams_at(
        data,
        spec,
        candidates[np.asarray(result.sites, dtype=np.int64)],
        objective=float(result.objective),
        bound=float(result.bound),
        gap=float(result.gap),
        status=str(result.status),
        method=result.method,
    )


def candidate_sites(data: ProblemData, spec: MedicalTeamsSpec) -> IntArray:
    """Bases where a team may stand, in id order."""
    kinds = set(spec.candidates)
    return np.array(
        [b for b, kind in enumerate(data.base_kinds) if kind in kinds], dtype=np.int64
    )


def teams_at(
    data: ProblemData,
    spec: MedicalTeamsSpec,
    sites: IntArray,
    *,
    objective: float = float("nan"),
    bound: float = float("nan"),
    gap: float = float("nan"),
    status: str = "given",
    method: str = "sites given",
) -> TeamSiting:
    """Teams standing at ``sites`` (base indices); each TPS linked to the nearest."""
    sites = np.sort(np.asarray(sites, dtype=np.int64))
    threshold = minutes_to_seconds(spec.threshold_minutes)
    if len(sites) == 0:
        none = np.full(data.n_stations, -1, dtype=np.int64)
        return TeamSiting(
            spec.model,
            sites,
            none,
            np.full(data.n_stations, UNREACHABLE),
            threshold,
            objective,
            bound,
            gap,
            status,
            method,
        )
    seconds = data.travel["medis"].dense()[sites]  # sites x TPS
    nearest = np.argmin(seconds, axis=0)
    travel = seconds[nearest, np.arange(data.n_stations)].astype(np.int64)
    station_team = np.where(travel < UNREACHABLE, sites[nearest], -1)
    return TeamSiting(
        model=spec.model,
        sites=sites,
        station_team=station_team.astype(np.int64),
        travel_s=travel,
        threshold_s=threshold,
        objective=objective,
        bound=bound,
        gap=gap,
        status=status,
        method=method,
    )
