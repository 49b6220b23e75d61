"""Nearest medical facility (puskesmas or hospital) of every TPS."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from deploy_opt.problem import IntArray, ProblemData
from deploy_opt.units import UNREACHABLE


@dataclass(frozen=True)
class MedicalCover:
    """``base[i]`` is the nearest facility of station ``i`` (-1: none reachable)."""

    base: IntArray
    travel_s: IntArray
    within_limit: np.ndarray


def nearest_medical(data: ProblemData) -> MedicalCover:
    """Link each TPS to its nearest facility by ambulance time (ties: lowest id)."""
    facilities = data.medical_bases
    if len(facilities) == 0:
        none = np.full(data.n_stations, -1, dtype=np.int64)
        return MedicalCover(
            none,
            np.full(data.n_stations, UNREACHABLE, dtype=np.int64),
            np.zeros(data.n_stations, bool),
        )
    seconds = data.travel["medis"].dense()[facilities]
    nearest = np.argmin(seconds, axis=0)
    travel = seconds[nearest, np.arange(data.n_stations)]
    base = np.where(travel < UNREACHABLE, facilities[nearest], -1)
    limit = data.travel_limit_s["medis"]
    within = (travel < UNREACHABLE) & (True if limit is None else travel <= limit)
    return MedicalCover(
        base.astype(np.int64), travel.astype(np.int64), np.asarray(within)
    )
