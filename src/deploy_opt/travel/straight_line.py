"""Straight-line travel: projected distance x detour factor / speed.

With a cutoff only the pairs within it are computed (k-d tree range query),
so memory grows with the pairs kept, not with origins x destinations.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.spatial import cKDTree

from deploy_opt.errors import TravelTimeError
from deploy_opt.travel.matrix import Points, TravelMatrix
from deploy_opt.units import kmh_to_mps

#: Rows computed at once without a cutoff (~8 MB per block on large point sets).
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
        metres_per_second = self._metres_per_second(mode)
        if cutoff_s is not None:
            return self._within(origins, destinations, metres_per_second, cutoff_s)
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
        stacked = sp.vstack(blocks, format="csr")
        return TravelMatrix(sp.csr_array(stacked), cutoff_s, self.name)

    def pairs(
        self,
        origins: Points,
        destinations: Points,
        rows: npt.NDArray[np.int64],
        cols: npt.NDArray[np.int64],
        mode: str,
    ) -> npt.NDArray[np.int64]:
        """Seconds from ``origins[rows[k]]`` to ``destinations[cols[k]]``, per ``k``.

        Raises
        ------
        TravelTimeError
            When ``mode`` has no speed.
        """
        metres_per_second = self._metres_per_second(mode)
        return _seconds(origins, destinations, rows, cols, metres_per_second)

    def _metres_per_second(self, mode: str) -> float:
        if mode not in self.speeds_kmh:
            msg = f"no speed for travel mode `{mode}`; known: {sorted(self.speeds_kmh)}"
            raise TravelTimeError(msg)
        return kmh_to_mps(self.speeds_kmh[mode]) / self.detour_factor

    def _within(
        self,
        origins: Points,
        destinations: Points,
        metres_per_second: float,
        cutoff_s: int,
    ) -> TravelMatrix:
        """Only the pairs within ``cutoff_s``, found with k-d trees (never dense).

        The trees return every pair within the cutoff's distance plus a hair;
        each pair's seconds are then computed exactly as the dense path does.
        """
        shape = (len(origins), len(destinations))
        if shape[0] == 0 or shape[1] == 0 or cutoff_s < 0:
            return TravelMatrix(
                sp.csr_array(shape, dtype=np.int64), cutoff_s, self.name
            )
        radius = cutoff_s * metres_per_second * (1 + 1e-9) + 1e-6
        near = cKDTree(np.column_stack([origins.x, origins.y])).sparse_distance_matrix(
            cKDTree(np.column_stack([destinations.x, destinations.y])),
            radius,
            output_type="ndarray",
        )
        rows = near["i"].astype(np.int64)
        cols = near["j"].astype(np.int64)
        seconds = _seconds(origins, destinations, rows, cols, metres_per_second)
        keep = seconds <= cutoff_s
        times = np.asarray(seconds[keep], dtype=np.int64)
        matrix = sp.csr_array((times, (rows[keep], cols[keep])), shape=shape)
        matrix.sort_indices()
        return TravelMatrix(matrix, cutoff_s, self.name)


def _seconds(
    origins: Points,
    destinations: Points,
    rows: npt.NDArray[np.int64],
    cols: npt.NDArray[np.int64],
    metres_per_second: float,
) -> npt.NDArray[np.int64]:
    """Whole seconds (rounded up) of the pairs ``(rows[k], cols[k])``."""
    dx = origins.x[rows] - destinations.x[cols]
    dy = origins.y[rows] - destinations.y[cols]
    return np.ceil(np.hypot(dx, dy) / metres_per_second).astype(np.int64)
