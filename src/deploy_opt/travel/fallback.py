"""Road times with a straight-line fallback for points the road data cannot place.

A point is *flagged* for a mode when it snaps badly to that mode's network,
by the rule of the snap report (:func:`~deploy_opt.travel.network_snap.issue_masks`):
``far`` (no usable road within the snap threshold) or ``island`` (the roads
within the threshold are not connected both ways to the main network). Its
road times then include a long off-road leg at walking-like access speed,
which mostly measures what the road data lack: two such TPS a few hundred
metres apart get no road time within a group's spread limit and end up in
groups of one.

Every leg with a flagged end therefore takes the shorter of its road time and
the straight line x detour factor / speed (the scenario's straight-line model).
Legs between two points that snap well keep their road time, and a fallback
never makes a leg longer than the road model says.

Example
-------
>>> model = FallbackRoadModel(road, StraightLineModel({"polri": 25.0}))  # doctest: +SKIP
>>> model.fallback(tps, "polri").reasons  # doctest: +SKIP
('', 'far: nearest road 896 m away', ...)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from deploy_opt.travel.matrix import Points, TravelMatrix
from deploy_opt.travel.network import RoadNetworkModel
from deploy_opt.travel.network_snap import SnapReport, issue_masks
from deploy_opt.travel.straight_line import StraightLineModel

__all__ = ["FallbackRoadModel", "LegFallback"]


@dataclass(frozen=True, eq=False)
class LegFallback:
    """Which points' legs fall back to the straight line for one mode, and why.

    Attributes
    ----------
    mode
        Travel mode.
    flagged
        One flag per point, in input order.
    reasons
        Per point: ``""`` when it keeps road times, else why it falls back
        (``far: nearest road 896 m away`` or ``island: ...``).
    """

    mode: str
    flagged: npt.NDArray[np.bool_]
    reasons: tuple[str, ...]

    @property
    def count(self) -> int:
        """Number of flagged points."""
        return int(self.flagged.sum())


class FallbackRoadModel:
    """A :class:`RoadNetworkModel` whose badly snapped points fall back to a straight line.

    Satisfies :class:`deploy_opt.travel.TravelModel`; ``name`` stays the road
    model's (``road_network``).

    Parameters
    ----------
    road
        The road model; its ``snap_threshold_m`` decides which points fall back.
    straight
        Straight-line model with a speed for every mode the road model has.
    """

    def __init__(self, road: RoadNetworkModel, straight: StraightLineModel) -> None:
        self.road = road
        self.straight = straight

    @property
    def name(self) -> str:
        """Provenance label: the road model's (``road_network``)."""
        return self.road.name

    @property
    def description(self) -> str:
        """The road model's description and the fallback rule."""
        return (
            f"{self.road.description}; legs of points farther than "
            f"{self.road.snap_threshold_m:g} m from the main network by straight "
            f"line x {self.straight.detour_factor:g} where shorter"
        )

    def speed_kmh(self, mode: str) -> float:
        """Straight-line speed of ``mode`` (km/h)."""
        return self.straight.speeds_kmh[mode]

    def snap_report(
        self, points: Points, mode: str, threshold_m: float | None = None
    ) -> SnapReport:
        """The road model's snap report (see :meth:`RoadNetworkModel.snap_report`)."""
        return self.road.snap_report(points, mode, threshold_m)

    def fallback(self, points: Points, mode: str) -> LegFallback:
        """Which of ``points`` fall back to the straight line for ``mode``, and why.

        Raises
        ------
        TravelTimeError
            When ``mode`` is unknown or a point has no finite coordinates.
        """
        snapped = self.road.snap(points, mode)
        far, island = issue_masks(snapped, self.road.snap_threshold_m)
        reasons = [""] * len(points)
        for i in np.flatnonzero(far):
            reasons[i] = f"far: nearest road {snapped.nearest_road_m[i]:.0f} m away"
        for i in np.flatnonzero(island):
            reasons[i] = (
                f"island: nearest road {snapped.nearest_road_m[i]:.0f} m away is not "
                f"connected to the main network ({snapped.distance_m[i]:.0f} m away)"
            )
        return LegFallback(mode, far | island, tuple(reasons))

    def matrix(
        self,
        origins: Points,
        destinations: Points,
        mode: str,
        cutoff_s: int | None = None,
    ) -> TravelMatrix:
        """Road seconds; a leg with a flagged end takes the straight line when shorter.

        Raises
        ------
        TravelTimeError
            When ``mode`` is unknown, the cutoff is negative or a point has no
            finite coordinates.
        """
        road = self.road.matrix(origins, destinations, mode, cutoff_s)
        if len(origins) == 0 or len(destinations) == 0:
            return road
        from_flagged = self.fallback(origins, mode).flagged
        to_flagged = self.fallback(destinations, mode).flagged
        if not (from_flagged.any() or to_flagged.any()):
            return road
        rows = np.flatnonzero(from_flagged)
        others = np.flatnonzero(~from_flagged)
        cols = np.flatnonzero(to_flagged)
        parts = [road.seconds.tocoo()]
        # flagged origins to every destination, other origins to flagged ones
        for r, c in ((rows, np.arange(len(destinations))), (others, cols)):
            if len(r) and len(c):
                block = self.straight.matrix(
                    origins.subset(r), destinations.subset(c), mode, cutoff_s
                ).seconds.tocoo()
                parts.append(
                    sp.coo_array(
                        (block.data, (r[block.row], c[block.col])), shape=road.shape
                    )
                )
        return TravelMatrix(_elementwise_min(parts, road.shape), cutoff_s, self.name)


def _elementwise_min(parts: list[sp.coo_array], shape: tuple[int, int]) -> sp.csr_array:
    """Sparse matrix of the least stored value per entry (missing = unreachable)."""
    row = np.concatenate([p.row for p in parts]).astype(np.int64)
    col = np.concatenate([p.col for p in parts]).astype(np.int64)
    data = np.concatenate([p.data for p in parts]).astype(np.int64)
    if len(data) == 0:
        return sp.csr_array(shape, dtype=np.int64)
    order = np.lexsort((data, col, row))
    row, col, data = row[order], col[order], data[order]
    first = np.r_[True, (row[1:] != row[:-1]) | (col[1:] != col[:-1])]
    out = sp.csr_array((data[first], (row[first], col[first])), shape=shape)
    out.sort_indices()
    return out
