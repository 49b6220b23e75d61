"""Usable (demand point, site) pairs, grouped by point and sorted by cost.

The Lagrangian of the p-median only involves pairs with
``c_ij < lambda_i``: a few per point, out of ``m``. :meth:`Pairs.below` extracts
them for a vector of caps by a binary search inside each point's block, so the
work is proportional to what is extracted, not to ``n * m``. Subsets keep the
order, so the blocks stay sorted.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]


class Pairs:
    """Pairs ``(rows[k], cols[k])`` with weighted cost ``costs[k]``.

    Sorted by row, then cost; ``starts[i]:starts[i + 1]`` is row ``i``'s block.
    """

    def __init__(
        self,
        cols: IntArray,
        costs: FloatArray,
        starts: IntArray,
        m: int,
        rows: IntArray | None = None,
    ) -> None:
        self.cols, self.costs, self.starts, self.m = cols, costs, starts, m
        self.n = starts.size - 1
        if rows is not None:
            self.__dict__["rows"] = rows

    @classmethod
    def from_arrays(
        cls, rows: IntArray, cols: IntArray, costs: FloatArray, shape: tuple[int, int]
    ) -> Pairs:
        """Pairs in any order (sorted here)."""
        order = np.lexsort((cols, costs, rows))
        rows = rows[order]
        starts = np.searchsorted(rows, np.arange(shape[0] + 1)).astype(np.intp)
        return cls(cols[order], costs[order], starts, shape[1], rows)

    @classmethod
    def from_dense(cls, weighted: FloatArray) -> Pairs:
        """All pairs of a dense matrix; ``inf`` ones sort last and never count."""
        n, m = weighted.shape
        order = np.argsort(weighted, axis=1, kind="stable").astype(np.intp)
        values = np.take_along_axis(weighted, order, axis=1)
        starts = (np.arange(n + 1) * m).astype(np.intp)
        return cls(order.ravel(), values.ravel(), starts, m)

    @cached_property
    def rows(self) -> IntArray:
        """Row of each pair."""
        return np.repeat(np.arange(self.n, dtype=np.intp), np.diff(self.starts))

    @property
    def size(self) -> int:
        """Number of pairs."""
        return int(self.costs.size)

    def subset(self, keep: IntArray | BoolArray) -> Pairs:
        """The pairs selected by a mask or increasing index array."""
        rows = self.rows[keep]
        starts = np.searchsorted(rows, np.arange(self.n + 1)).astype(np.intp)
        return Pairs(self.cols[keep], self.costs[keep], starts, self.m, rows)

    def count_below(self, cap: FloatArray) -> IntArray:
        """Number of pairs of each row with cost strictly below its cap."""
        lo, hi = self.starts[:-1].copy(), self.starts[1:].copy()
        costs = self.costs
        last = max(costs.size - 1, 0)
        while True:
            open_ = lo < hi
            if not open_.any():
                break
            mid = (lo + hi) // 2
            go = open_ & (costs[np.minimum(mid, last)] < cap)
            stop = open_ & ~go
            lo = np.where(go, mid + 1, lo)
            hi = np.where(stop, mid, hi)
        return lo - self.starts[:-1]

    def below(self, cap: FloatArray) -> Pairs:
        """The pairs with cost strictly below their row's cap."""
        counts = self.count_below(cap)
        starts = np.zeros(self.n + 1, dtype=np.intp)
        np.cumsum(counts, out=starts[1:])
        idx = np.arange(int(starts[-1]), dtype=np.intp) + np.repeat(
            self.starts[:-1] - starts[:-1], counts
        )
        rows = np.repeat(np.arange(self.n, dtype=np.intp), counts)
        return Pairs(self.cols[idx], self.costs[idx], starts, self.m, rows)
