"""Travel matrices restricted to the pairs a plan can use, never dense.

:func:`rows_only` asks the model for some origins only (bases without
personnel of an agency send nobody); :func:`within_groups` for the pairs of
an origin and a destination of the same group only (a Linmas post and the TPS
of its own kelurahan). Both return the full ``origins x destinations`` shape
with nothing stored elsewhere, so memory grows with the pairs kept.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from deploy_opt.travel.base import TravelModel
from deploy_opt.travel.matrix import Points, TravelMatrix
from deploy_opt.travel.straight_line import StraightLineModel

__all__ = ["rows_only", "within_groups"]


def rows_only(
    model: TravelModel,
    origins: Points,
    destinations: Points,
    rows: npt.NDArray[np.int64],
    mode: str,
    cutoff_s: int | None,
) -> TravelMatrix:
    """``model``'s matrix with only ``rows`` of the origins filled in.

    Raises
    ------
    TravelTimeError
        When the model cannot compute ``mode``.
    """
    rows = np.asarray(rows, dtype=np.int64)
    shape = (len(origins), len(destinations))
    if len(rows) == len(origins):
        return model.matrix(origins, destinations, mode, cutoff_s)
    part = model.matrix(origins.subset(rows), destinations, mode, cutoff_s)
    coo = part.seconds.tocoo()
    return _assemble(
        [rows[coo.row]], [coo.col.astype(np.int64)], [coo.data], shape, cutoff_s, model
    )


def within_groups(
    model: TravelModel,
    origins: Points,
    destinations: Points,
    origin_group: npt.NDArray[np.int64],
    destination_group: npt.NDArray[np.int64],
    mode: str,
) -> TravelMatrix:
    """Seconds of every pair whose origin and destination share a group (>= 0).

    No cutoff: every such pair is stored (unless the model cannot reach it).
    The straight-line model computes the pairs directly; other models are
    asked once per group.

    Raises
    ------
    TravelTimeError
        When the model cannot compute ``mode``.
    """
    origin_group = np.asarray(origin_group, dtype=np.int64)
    destination_group = np.asarray(destination_group, dtype=np.int64)
    shape = (len(origins), len(destinations))
    o_order = np.argsort(origin_group, kind="stable")
    d_order = np.argsort(destination_group, kind="stable")
    groups = np.intersect1d(origin_group[origin_group >= 0], destination_group)
    o_lo = np.searchsorted(origin_group[o_order], groups, side="left")
    o_hi = np.searchsorted(origin_group[o_order], groups, side="right")
    d_lo = np.searchsorted(destination_group[d_order], groups, side="left")
    d_hi = np.searchsorted(destination_group[d_order], groups, side="right")
    rows: list[npt.NDArray[np.int64]] = []
    cols: list[npt.NDArray[np.int64]] = []
    data: list[npt.NDArray[np.int64]] = []
    if isinstance(model, StraightLineModel):
        for a, b, c, d in zip(o_lo, o_hi, d_lo, d_hi, strict=True):
            o, t = o_order[a:b], d_order[c:d]
            rows.append(np.repeat(o, len(t)))
            cols.append(np.tile(t, len(o)))
        if rows:
            r, c = np.concatenate(rows), np.concatenate(cols)
            secs = model.pairs(origins, destinations, r, c, mode)
            rows, cols, data = [r], [c], [secs]
    else:
        for a, b, c, d in zip(o_lo, o_hi, d_lo, d_hi, strict=True):
            o, t = o_order[a:b], d_order[c:d]
            coo = model.matrix(
                origins.subset(o), destinations.subset(t), mode, None
            ).seconds.tocoo()
            rows.append(o[coo.row])
            cols.append(t[coo.col])
            data.append(coo.data.astype(np.int64))
    return _assemble(rows, cols, data, shape, None, model)


def _assemble(
    rows: list[npt.NDArray[np.int64]],
    cols: list[npt.NDArray[np.int64]],
    data: list[npt.NDArray[np.int64]],
    shape: tuple[int, int],
    cutoff_s: int | None,
    model: TravelModel,
) -> TravelMatrix:
    """A sorted CSR travel matrix of the given entries (none repeated)."""
    if not rows:
        return TravelMatrix(sp.csr_array(shape, dtype=np.int64), cutoff_s, model.name)
    matrix = sp.csr_array(
        (
            np.concatenate(data).astype(np.int64),
            (np.concatenate(rows), np.concatenate(cols)),
        ),
        shape=shape,
    )
    matrix.sort_indices()
    return TravelMatrix(matrix, cutoff_s, model.name)
