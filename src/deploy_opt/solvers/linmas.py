"""Linmas per TPS, drawn only from the TPS's own kelurahan.

Within one kelurahan the posts' Linmas are handed out to its TPS in priority
order (category weight, then TPS id), nearest post first. When every TPS of a
kelurahan needs the same number of Linmas this greedy order is optimal for
the weighted number of TPS served; the bound reported equals the objective.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from deploy_opt.problem import IntArray, ProblemData


@dataclass(frozen=True)
class LinmasAllocation:
    """Linmas sent from kelurahan posts to TPS: one row per (post, TPS)."""

    base: IntArray
    station: IntArray
    count: IntArray
    travel_s: IntArray
    demand: IntArray
    covered: np.ndarray


def allocate_linmas(data: ProblemData) -> LinmasAllocation:
    """Hand out each kelurahan's Linmas to its own TPS by priority."""
    demand = np.array(
        [data.categories[c].linmas for c in data.station_category], dtype=np.int64
    )
    weight = np.array([data.categories[c].weight for c in data.station_category])
    spare = data.headcount["linmas"].copy()
    matrix = data.travel["linmas"]
    rows_base: list[int] = []
    rows_station: list[int] = []
    rows_count: list[int] = []
    rows_travel: list[int] = []
    received = np.zeros(data.n_stations, dtype=np.int64)
    for kel in range(len(data.kelurahan_names)):
        posts = np.flatnonzero((data.base_kelurahan == kel) & (spare > 0))
        if len(posts) == 0:
            continue
        stations = np.flatnonzero(data.station_kelurahan == kel)
        # posts x TPS of one kelurahan (UNREACHABLE where not stored)
        seconds = matrix.block(posts, stations)
        column = {int(i): j for j, i in enumerate(stations)}
        order = np.lexsort((stations, -weight[stations]))
        for i in stations[order]:
            need = int(demand[i])
            if need == 0 or spare[posts].sum() < need:
                continue
            j = column[int(i)]
            for p in np.argsort(seconds[:, j], kind="stable"):
                b = posts[p]
                take = min(need, int(spare[b]))
                if take == 0:
                    continue
                rows_base.append(int(b))
                rows_station.append(int(i))
                rows_count.append(take)
                rows_travel.append(int(seconds[p, j]))
                spare[b] -= take
                received[i] += take
                need -= take
                if need == 0:
                    break
    base = np.array(rows_base, dtype=np.int64)
    station = np.array(rows_station, dtype=np.int64)
    return LinmasAllocation(
        base=base,
        station=station,
        count=np.array(rows_count, dtype=np.int64),
        travel_s=np.array(rows_travel, dtype=np.int64),
        demand=demand,
        covered=received >= demand,
    )


def uncovered_weight(data: ProblemData, linmas: LinmasAllocation) -> int:
    """Risk weight (scaled) of the TPS left without their Linmas: the Linmas objective."""
    weights = np.array(
        [data.categories[c].weight for c in data.station_category], dtype=np.int64
    )
    return int(weights[~linmas.covered].sum())
