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

from deploy_opt.location._arrays import BoolArray, FloatArray, IntArray


class Pairs:
    """Pairs ``(rows[k], cols[k])`` with weighted cost ``costs[k]``.

    Sorted by row, then cost; ``starts[i]:starts[i + 1]`` is row ``i``'s block.
    ``ids`` numbers the pairs of the set they were extracted from (the original
    ones keep ``0 .. size - 1``).
    """

    def __init__(
        self,
        cols: IntArray,
        costs: FloatArray,
        starts: IntArray,
        m: int,
        rows: IntArray | None = None,
        ids: IntArray | None = None,
    ) -> None:
        self.cols, self.costs, self.starts, self.m = cols, costs, starts, m
        self.n = starts.size - 1
        if rows is not None:
            self.__dict__["rows"] = rows
        if ids is not None:
            self.__dict__["ids"] = ids
        self._keys: FloatArray | None = None
        self._span = 0.0

    def _derived(
        self, idx: IntArray | BoolArray, starts: IntArray, rows: IntArray
    ) -> Pairs:
        out = Pairs(
            self.cols[idx], self.costs[idx], starts, self.m, rows, self.ids[idx]
        )
        if self._keys is not None:
            # Same rows and costs, so the same sort keys.
            out._keys, out._span = self._keys[idx], self._span
        return out

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

    @cached_property
    def ids(self) -> IntArray:
        """Number of each pair in the original set."""
        return np.arange(self.size, dtype=np.intp)

    @property
    def size(self) -> int:
        """Number of pairs."""
        return int(self.costs.size)

    def subset(self, keep: IntArray | BoolArray) -> Pairs:
        """The pairs selected by a mask or increasing index array."""
        rows = self.rows[keep]
        starts = np.searchsorted(rows, np.arange(self.n + 1)).astype(np.intp)
        return self._derived(keep, starts, rows)

    def count_below(self, cap: FloatArray) -> IntArray:
        """Number of pairs of each row with cost below its cap (at least those).

        One sorted search on ``row * span + cost`` keys; rounding may count a
        pair whose cost ties the cap, never miss one below it.
        """
        if self._keys is None:
            finite = np.isfinite(self.costs)
            top = float(self.costs[finite].max()) if finite.any() else 0.0
            self._span = 2.0 * top + 2.0
            clipped = np.where(finite, self.costs, self._span / 2.0)
            self._keys = np.asarray(self.rows * self._span + clipped, dtype=np.float64)
        target = np.arange(self.n) * self._span + np.clip(cap, -1.0, self._span / 2.0)
        ends = np.searchsorted(self._keys, target * (1 + 1e-15) + 1e-12, side="left")
        return np.maximum(ends - self.starts[:-1], 0)

    def _below_index(self, cap: FloatArray) -> tuple[IntArray, IntArray, IntArray]:
        counts = self.count_below(cap)
        starts = np.zeros(self.n + 1, dtype=np.intp)
        np.cumsum(counts, out=starts[1:])
        idx = np.arange(int(starts[-1]), dtype=np.intp) + np.repeat(
            self.starts[:-1] - starts[:-1], counts
        )
        rows = np.repeat(np.arange(self.n, dtype=np.intp), counts)
        return idx, starts, rows

    def below(self, cap: FloatArray) -> Pairs:
        """The pairs with cost below their row's cap (a superset; see
        :meth:`count_below`)."""
        idx, starts, rows = self._below_index(cap)
        return self._derived(idx, starts, rows)

    def near(self, cap: FloatArray) -> tuple[IntArray, IntArray, IntArray, FloatArray]:
        """Pairs per row, rows, sites and costs of :meth:`below`, without the
        bookkeeping."""
        idx, starts, rows = self._below_index(cap)
        return np.diff(starts), rows, self.cols[idx], self.costs[idx]
