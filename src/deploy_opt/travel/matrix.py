"""Travel-time matrices: integer seconds, sparse beyond a cutoff."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from deploy_opt.units import UNREACHABLE


@dataclass(frozen=True)
class Points:
    """Points to travel between: stable ids plus projected metres and lon/lat."""

    ids: tuple[str, ...]
    x: npt.NDArray[np.float64]
    y: npt.NDArray[np.float64]
    lon: npt.NDArray[np.float64]
    lat: npt.NDArray[np.float64]

    def __len__(self) -> int:
        return len(self.ids)

    def subset(self, index: npt.NDArray[np.intp]) -> Points:
        """The points at positions ``index``, in that order."""
        return Points(
            tuple(self.ids[i] for i in index),
            self.x[index],
            self.y[index],
            self.lon[index],
            self.lat[index],
        )


@dataclass(frozen=True)
class TravelMatrix:
    """Travel times from ``n_origins`` to ``n_destinations`` in whole seconds.

    Only pairs reachable within ``cutoff_s`` are stored (explicit entries of a CSR
    matrix, zeros included); everything else is unreachable.
    """

    seconds: sp.csr_array
    cutoff_s: int | None
    model: str

    @property
    def shape(self) -> tuple[int, int]:
        """``(n_origins, n_destinations)``."""
        rows, cols = self.seconds.shape
        return int(rows), int(cols)

    def dense(self) -> npt.NDArray[np.int64]:
        """Full matrix with :data:`~deploy_opt.units.UNREACHABLE` for missing pairs.

        Small data only (tests, small location problems): the plan never
        makes a base x TPS or TPS x TPS matrix dense.
        """
        out = np.full(self.shape, UNREACHABLE, dtype=np.int64)
        coo = self.seconds.tocoo()
        out[coo.row, coo.col] = coo.data
        return out

    def at(self, rows: npt.ArrayLike, cols: npt.ArrayLike) -> npt.NDArray[np.int64]:
        """Seconds of the pairs ``(rows[k], cols[k])``; UNREACHABLE where not stored."""
        r = np.asarray(rows, dtype=np.int64).reshape(-1)
        c = np.asarray(cols, dtype=np.int64).reshape(-1)
        out = np.full(len(r), UNREACHABLE, dtype=np.int64)
        csr = sp.csr_array(self.seconds)
        if len(r) == 0 or csr.nnz == 0:
            return out
        csr.sort_indices()
        n_cols = max(1, self.shape[1])
        entry_row = np.repeat(
            np.arange(self.shape[0], dtype=np.int64), np.diff(csr.indptr)
        )
        keys = entry_row * n_cols + csr.indices.astype(np.int64)  # ascending
        wanted = r * n_cols + c
        pos = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
        hit = keys[pos] == wanted
        out[hit] = csr.data[pos[hit]]
        return out

    def block(self, rows: npt.ArrayLike, cols: npt.ArrayLike) -> npt.NDArray[np.int64]:
        """Dense ``rows x cols`` sub-matrix (UNREACHABLE where not stored).

        Only for small blocks: its memory is ``len(rows) * len(cols)``.
        """
        r = np.asarray(rows, dtype=np.int64).reshape(-1)
        c = np.asarray(cols, dtype=np.int64).reshape(-1)
        out = np.full((len(r), len(c)), UNREACHABLE, dtype=np.int64)
        if len(r) == 0 or len(c) == 0:
            return out
        coo = sp.csr_array(self.seconds)[r][:, c].tocoo()
        out[coo.row, coo.col] = coo.data
        return out

    def transpose(self) -> TravelMatrix:
        """The same times seen from the destinations (for symmetric models)."""
        return TravelMatrix(self.seconds.T.tocsr(), self.cutoff_s, self.model)

    @classmethod
    def from_dense(
        cls, seconds: npt.NDArray[np.int64], cutoff_s: int | None, model: str
    ) -> TravelMatrix:
        """Keep the entries of ``seconds`` that are within ``cutoff_s``."""
        keep = seconds < UNREACHABLE if cutoff_s is None else seconds <= cutoff_s
        rows, cols = np.nonzero(keep)
        data = seconds[rows, cols].astype(np.int64)
        matrix = sp.csr_array((data, (rows, cols)), shape=seconds.shape)
        matrix.sort_indices()
        return cls(matrix, cutoff_s, model)
