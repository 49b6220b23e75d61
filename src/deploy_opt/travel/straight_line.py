"""Straight-line travel: projected distance x detour factor / speed."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from deploy_opt.errors import TravelTimeError
from deploy_opt.travel.matrix import Points, TravelMatrix
from deploy_opt.units import kmh_to_mps

#: Rows computed at once, to bound memory on large point sets (~8 MB per block).
_BLOCK = 1024


@dataclass(frozen=True)
class StraightLineModel:
    """Euclidean distance in a metric CRS, stretched by a detour factor.

    ``speeds_kmh`` maps each mode (agency) to its speed. Times are rounded up to
    whole seconds so that a pair is never reported as closer than it is.
    """

    speeds_kmh: dict[str, float]
    detour_factor: float = 1.4

    @property
    def name(self) -> str:
        """Provenance label."""
        return "straight_line"

    def matrix(
        self,
        origins: Points,
        destinations: Points,
        mode: str,
        cutoff_s: int | None = None,
    ) -> TravelMatrix:
        """Travel seconds from every origin to every destination within the cutoff.

        Raises
        ------
        TravelTimeError
            When ``mode`` has no speed.
        """
        if mode not in self.speeds_kmh:
            msg = f"no speed for travel mode `{mode}`; known: {sorted(self.speeds_kmh)}"
            raise TravelTimeError(msg)
        metres_per_second = kmh_to_mps(self.speeds_kmh[mode]) / self.detour_factor
        blocks = []
        for start in range(0, len(origins), _BLOCK):
            stop = min(start + _BLOCK, len(origins))
            dx = origins.x[start:stop, None] - destinations.x[None, :]
            dy = origins.y[start:stop, None] - destinations.y[None, :]
            seconds = np.ceil(np.hypot(dx, dy) / metres_per_second).astype(np.int64)
            blocks.append(TravelMatrix.from_dense(seconds, cutoff_s, self.name).seconds)
        if not blocks:
            empty = np.zeros((0, len(destinations)), dtype=np.int64)
            return TravelMatrix.from_dense(empty, cutoff_s, self.name)
        import scipy.sparse as sp

        stacked = sp.vstack(blocks, format="csr")
        return TravelMatrix(sp.csr_array(stacked), cutoff_s, self.name)
