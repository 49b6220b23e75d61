"""Nearest medical facility (puskesmas or hospital) of every TPS."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from deploy_opt.kinds import NEAREST, NEAREST_HOSPITAL
from deploy_opt.problem import IntArray, ProblemData
from deploy_opt.solvers.team_pool import nearest_of
from deploy_opt.units import UNREACHABLE


@dataclass(frozen=True)
class MedicalCover:
    """``base[i]`` is the nearest facility of station ``i`` (-1: none within the
    medical search radius, :func:`deploy_opt.problem.medical_search_s`)."""

    base: IntArray
    travel_s: IntArray
    within_limit: np.ndarray


def nearest_medical(data: ProblemData) -> MedicalCover:
    """Link each TPS to its nearest facility by ambulance time (ties: lowest id).

    A TPS whose kind takes cover from its own hospital (or a named base) is
    linked there instead (:func:`kind_links`).
    """
    facilities = data.medical_bases
    if len(facilities) == 0:
        none = np.full(data.n_stations, -1, dtype=np.int64)
        return MedicalCover(
            none,
            np.full(data.n_stations, UNREACHABLE, dtype=np.int64),
            np.zeros(data.n_stations, bool),
        )
    # the matrix keeps every pair within the medical search radius, so a TPS
    # with no facility there has none (-1, UNREACHABLE)
    base, travel = nearest_of(data, facilities)
    base, travel = kind_links(data, base, travel)
    limit = data.travel_limit_s["medis"]
    within = (travel < UNREACHABLE) & (True if limit is None else travel <= limit)
    return MedicalCover(
        base.astype(np.int64), travel.astype(np.int64), np.asarray(within)
    )


def kind_links(
    data: ProblemData, base: IntArray, travel: IntArray
) -> tuple[IntArray, IntArray]:
    """``base``/``travel`` with the TPS kind rules applied.

    ``own_hospital`` without a host: the nearest base of kind hospital (ties:
    lowest id); a host or a named base: that base. Unreachable: -1.
    """
    sites = data.station_medical_site
    if len(sites) == 0 or (sites == NEAREST).all():
        return base, travel
    base, travel = base.copy(), travel.copy()
    hospitals = np.array(
        [b for b, kind in enumerate(data.base_kinds) if kind == "hospital"],
        dtype=np.int64,
    )
    seconds = data.travel["medis"].seconds
    for i in np.flatnonzero(sites != NEAREST):
        options = hospitals if sites[i] == NEAREST_HOSPITAL else sites[[i]]
        times = np.full(len(options), UNREACHABLE, dtype=np.int64)
        column = seconds[options][:, [int(i)]].tocoo()
        times[column.row] = column.data
        best = int(np.argmin(times)) if len(options) else -1
        reached = best >= 0 and times[best] < UNREACHABLE
        base[i] = options[best] if reached else -1
        travel[i] = times[best] if reached else UNREACHABLE
    return base, travel
