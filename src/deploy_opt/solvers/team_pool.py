"""Candidate team bases, the teams their medis headcount staffs, and their reach.

Everything here works on the sparse ``medis`` travel matrix (bases x TPS, CSR):
no base x TPS matrix is ever made dense.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from deploy_opt.problem import IntArray, ProblemData
from deploy_opt.scenario.schema import MedicalTeamsSpec
from deploy_opt.units import UNREACHABLE, minutes_to_seconds

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class TeamPool:
    """Where teams may stand and what each candidate reaches.

    Attributes
    ----------
    bases
        Candidate base indices, ascending.
    cap
        Teams each candidate can field (its ``medis // team_size``, or the
        requested number of teams when staffing is unchecked).
    staffing
        ``headcount`` or ``unchecked``.
    source
        The scenario's ``medis`` matrix (bases x TPS), not copied.
    cover
        Candidates x TPS travel seconds within the threshold (CSR).
    weights
        Value of serving each TPS: voters (1 where unknown) x risk weight.
    demands
        What a TPS uses of a team's capacity: 1, or its voters.
    threshold_s
        Response-time threshold in seconds.
    """

    bases: IntArray
    cap: IntArray
    staffing: str
    source: sp.csr_array
    cover: sp.csr_array
    weights: FloatArray
    demands: FloatArray
    threshold_s: int

    @property
    def staffed(self) -> npt.NDArray[np.bool_]:
        """Candidates that can field at least one team."""
        return self.cap > 0

    @cached_property
    def reach(self) -> sp.csr_array:
        """Candidates x TPS travel seconds (all usable entries; p-median and
        p-center only)."""
        return rows_of(self.source, self.bases)


def staffing_mode(data: ProblemData, spec: MedicalTeamsSpec) -> str:
    """``headcount`` or ``unchecked`` (``auto``: headcount if any is given)."""
    if spec.staffing != "auto":
        return spec.staffing
    return "headcount" if int(data.headcount["medis"].sum()) > 0 else "unchecked"


def candidate_bases(data: ProblemData, spec: MedicalTeamsSpec) -> IntArray:
    """Bases of the candidate kinds, in id order."""
    kinds = set(spec.candidates)
    return np.array(
        [b for b, kind in enumerate(data.base_kinds) if kind in kinds], dtype=np.int64
    )


def team_caps(data: ProblemData, spec: MedicalTeamsSpec, bases: IntArray) -> IntArray:
    """Teams each of ``bases`` can field."""
    if staffing_mode(data, spec) == "unchecked":
        return np.full(len(bases), spec.teams or len(bases), dtype=np.int64)
    return (data.headcount["medis"][bases] // spec.team_size).astype(np.int64)


def usable(matrix: sp.csr_array, limit: int | None = None) -> sp.csr_array:
    """``matrix`` without unreachable entries (and those above ``limit``)."""
    csr = sp.csr_array(matrix)
    keep = csr.data < UNREACHABLE
    if limit is not None:
        keep &= csr.data <= limit
    if keep.all() and csr.has_sorted_indices:
        return csr
    kept = np.concatenate([[0], np.cumsum(keep)])
    out = sp.csr_array(
        (csr.data[keep], csr.indices[keep], kept[csr.indptr]), shape=csr.shape
    )
    out.sort_indices()
    return out


def rows_of(
    matrix: sp.csr_array, rows: IntArray, limit: int | None = None, chunk: int = 256
) -> sp.csr_array:
    """Usable entries of ``rows`` of ``matrix``, taken a chunk of rows at a time
    so that no more than ``chunk`` full rows are ever copied."""
    parts = [
        usable(matrix[rows[k : k + chunk]], limit) for k in range(0, len(rows), chunk)
    ]
    if not parts:
        return sp.csr_array((0, matrix.shape[1]), dtype=np.int64)
    return sp.csr_array(sp.vstack(parts, format="csr"))


def build_pool(data: ProblemData, spec: MedicalTeamsSpec) -> TeamPool:
    """The candidates of ``spec`` with their staffing and sparse reach."""
    bases = candidate_bases(data, spec)
    threshold = minutes_to_seconds(spec.threshold_minutes)
    source = sp.csr_array(data.travel["medis"].seconds)
    voters = np.maximum(np.asarray(data.station_voters, dtype=np.float64), 1.0)
    risk = np.array(
        [data.categories[c].weight for c in data.station_category], dtype=np.float64
    )
    demands = (
        voters
        if spec.max_voters_per_team is not None
        else np.ones(data.n_stations, dtype=np.float64)
    )
    return TeamPool(
        bases=bases,
        cap=team_caps(data, spec, bases),
        staffing=staffing_mode(data, spec),
        source=source,
        cover=rows_of(source, bases, threshold),
        weights=voters * risk,
        demands=demands,
        threshold_s=threshold,
    )


def column_min(matrix: sp.csr_array, n_cols: int) -> tuple[IntArray, IntArray]:
    """Per column: the row of its smallest stored entry (lowest row on ties) and
    that entry; ``-1`` and :data:`UNREACHABLE` for an empty column."""
    csc = sp.csc_array(matrix)
    csc.sort_indices()
    best_row = np.full(n_cols, -1, dtype=np.int64)
    best_val = np.full(n_cols, UNREACHABLE, dtype=np.int64)
    if csc.nnz == 0:
        return best_row, best_val
    sizes = np.diff(csc.indptr)
    filled = np.flatnonzero(sizes > 0)
    data = csc.data.astype(np.int64)
    best_val[filled] = np.minimum.reduceat(data, csc.indptr[filled])
    col_of = np.repeat(np.arange(n_cols), sizes)
    hits = np.flatnonzero(data == best_val[col_of])
    cols, first = np.unique(col_of[hits], return_index=True)
    best_row[cols] = csc.indices[hits[first]]
    return best_row, best_val


def nearest_of(
    data: ProblemData, bases: IntArray, limit: int | None = None
) -> tuple[IntArray, IntArray]:
    """Each TPS's nearest base among ``bases`` (``-1`` if none) and its seconds."""
    bases = np.asarray(bases, dtype=np.int64)
    if len(bases) == 0:
        return (
            np.full(data.n_stations, -1, dtype=np.int64),
            np.full(data.n_stations, UNREACHABLE, dtype=np.int64),
        )
    rows = rows_of(sp.csr_array(data.travel["medis"].seconds), bases, limit)
    pos, seconds = column_min(rows, data.n_stations)
    return np.where(pos >= 0, bases[np.maximum(pos, 0)], -1), seconds
