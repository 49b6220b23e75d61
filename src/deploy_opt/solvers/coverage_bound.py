"""An upper bound on risk-weighted coverage that holds for any grouping.

A TPS is covered when its group's police and TNI and its own Linmas are all
staffed (see :mod:`deploy_opt.check`). Whatever the groups, a covered TPS
``i`` of category ``c`` in a group of ``n <= t`` TPS shares the group's ``p``
police, so it takes at least ``p / s_i`` of them, with
``s_i = min(t, 1 + partners_i)`` and ``partners_i`` the TPS that may share a
group with ``i`` (same category and kecamatan, within the spread limit); those
police come from bases that reach ``i`` (jurisdiction over its kecamatan
unless ``solver.jurisdiction`` is penalised, travel limit, the rule of its TPS
kind). The same holds for TNI; Linmas come from ``i``'s kelurahan.
With a ladder of rules the smallest share over the rungs is used.

TPS with the same category, share sizes, reachable police and TNI bases and
(where Linmas are short) kelurahan form one *class* ``k`` of ``n_k`` TPS, so
the linear programme stays small::

    maximise   sum_k w_k z_k
    subject to sum_b xp_bk >= (p/s)_k z_k        (police of class k)
               sum_b xt_bk >= (tni/s)_k z_k      (TNI of class k)
               sum_k xp_bk <= police headcount of base b, same for TNI
               sum_(k in kelurahan) l_k z_k <= Linmas of the kelurahan
               0 <= z_k <= n_k,  x >= 0

Any plan gives a feasible point (its covered TPS per class and each group's
persons split evenly over its TPS), so the optimum bounds the risk-weighted
coverage of every plan. Solved by HiGHS through :func:`scipy.optimize.linprog`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linprog

from deploy_opt.errors import SolverError
from deploy_opt.problem import CategoryRule, ProblemData
from deploy_opt.units import UNREACHABLE

#: Relative slack added to the LP optimum before rounding down.
_SLACK = 1e-6


@dataclass(frozen=True)
class CoverageBound:
    """Upper bound on risk-weighted covered TPS (scaled weights) for any plan."""

    weight: float
    total_weight: int
    classes: int
    variables: int

    @property
    def fraction(self) -> float:
        """The bound as a share of the total risk weight (1 when nothing to cover)."""
        return 1.0 if self.total_weight == 0 else self.weight / self.total_weight

    def gap(self, achieved_weight: float) -> float:
        """Relative gap ``(bound - achieved) / bound`` (0 when the bound is 0)."""
        if self.weight <= 0:
            return 0.0
        return max(0.0, (self.weight - achieved_weight) / self.weight)


def rule_rungs(rule: CategoryRule) -> list[tuple[int, int, int, int]]:
    """``(police, tps, tni, linmas)`` of every rule a category may use.

    The rungs of its pattern ladder, or its single rule.
    """
    ladder = getattr(rule, "ladder", ())
    if not ladder:
        return [(rule.police, rule.tps, rule.tni, rule.linmas)]
    return [
        (
            rule.need("polri", r),
            ladder[r].tps,
            rule.need("tni", r),
            rule.need("linmas", r),
        )
        for r in range(len(ladder))
    ]


def _shares(
    data: ProblemData,
    rule_of: list[list[tuple[int, int, int, int]]],
    partners: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Least police, TNI and Linmas per covered TPS over the rungs of its category."""
    police = np.zeros(data.n_stations)
    tni = np.zeros(data.n_stations)
    linmas = np.zeros(data.n_stations)
    for c, rungs in enumerate(rule_of):
        mask = data.station_category == c
        if not mask.any():
            continue
        best_p = np.full(int(mask.sum()), np.inf)
        best_t = np.full(int(mask.sum()), np.inf)
        best_l = np.inf
        for rung_police, rung_tps, rung_tni, rung_linmas in rungs:
            size = np.minimum(max(1, rung_tps), 1 + partners[mask])
            best_p = np.minimum(best_p, rung_police / size)
            best_t = np.minimum(best_t, rung_tni / size)
            best_l = min(best_l, rung_linmas)
        police[mask], tni[mask], linmas[mask] = best_p, best_t, best_l
    return police, tni, linmas


def _reach(data: ProblemData, agency: str) -> tuple[np.ndarray, sp.csr_array]:
    """Bases with ``agency`` personnel and, per TPS, which of them may serve it.

    The second value is a sparse TPS x bases pattern (sorted indices).
    """
    bases = np.flatnonzero(data.headcount[agency] > 0)
    stored = sp.csr_array(data.travel[agency].seconds)[bases].tocoo()
    ok = stored.data < UNREACHABLE
    limit = data.travel_limit_s[agency]
    if limit is not None:
        ok &= stored.data <= limit
    row, col = stored.row[ok].astype(np.int64), stored.col[ok].astype(np.int64)
    # jurisdiction (hard), or any kecamatan in reach (penalised: the penalty
    # only costs travel, never coverage)
    serves = data.may_serve(bases, np.arange(len(data.kecamatan_names)))
    keep = serves[row, data.station_kecamatan[col]]
    row, col = row[keep], col[keep]
    if agency == "polri":  # a TPS kind may name the only bases for its police
        named = data.station_police_bases
        keep = np.ones(len(row), dtype=bool)
        at = np.flatnonzero(np.isin(col, np.fromiter(named, dtype=np.int64)))
        for k in at:
            keep[k] = bool(np.isin(bases[row[k]], named[int(col[k])]))
        row, col = row[keep], col[keep]
    ok_matrix = sp.csr_array(
        (np.ones(len(row), dtype=bool), (col, row)),
        shape=(data.n_stations, len(bases)),
    )
    ok_matrix.sort_indices()
    return bases, ok_matrix


def _row_key(matrix: sp.csr_array, i: int) -> bytes:
    """The stored columns of row ``i`` as bytes (equal rows, equal keys)."""
    return matrix.indices[matrix.indptr[i] : matrix.indptr[i + 1]].tobytes()


def coverage_bound(data: ProblemData) -> CoverageBound:
    """Solve the LP of the module docstring for ``data``.

    Raises
    ------
    SolverError
        If HiGHS does not solve the (always feasible, bounded) LP.
    """
    n = data.n_stations
    weights = np.array(
        [data.categories[c].weight for c in data.station_category], dtype=np.int64
    )
    total = int(weights.sum())
    if n == 0:
        return CoverageBound(0.0, 0, 0, 0)
    pairs = data.station_pairs.seconds
    partners = np.diff(pairs.indptr) - _diagonal_stored(pairs)
    rule_of = [rule_rungs(rule) for rule in data.categories]
    police, tni, linmas = _shares(data, rule_of, partners)
    p_bases, p_ok = _reach(data, "polri")
    t_bases, t_ok = _reach(data, "tni")

    # Linmas bind only in kelurahan with fewer than their TPS need.
    n_kel = len(data.kelurahan_names)
    post_kel = data.base_kelurahan
    have = np.bincount(
        post_kel[post_kel >= 0],
        weights=data.headcount["linmas"][post_kel >= 0],
        minlength=n_kel,
    )
    need = np.bincount(data.station_kelurahan, weights=linmas, minlength=n_kel)
    short_kel = need > have + 1e-9
    kel_key = np.where(short_kel[data.station_kelurahan], data.station_kelurahan, -1)

    keys: dict[tuple[object, ...], int] = {}
    station_class = np.empty(n, dtype=np.int64)
    for i in range(n):
        key = (
            int(data.station_category[i]),
            float(police[i]),
            float(tni[i]),
            int(kel_key[i]),
            _row_key(p_ok, i) if police[i] > 0 else b"",
            _row_key(t_ok, i) if tni[i] > 0 else b"",
        )
        station_class[i] = keys.setdefault(key, len(keys))
    n_classes = len(keys)
    first = np.zeros(n_classes, dtype=np.int64)
    first[station_class[::-1]] = np.arange(n)[::-1]
    size = np.bincount(station_class, minlength=n_classes).astype(np.float64)
    class_weight = weights[first].astype(np.float64)  # one category per class

    # columns: z (classes), then police arcs, then TNI arcs
    columns = [n_classes]
    upper: list[np.ndarray] = []
    arc_blocks = []
    for share, ok, bases, agency in (
        (police, p_ok, p_bases, "polri"),
        (tni, t_ok, t_bases, "tni"),
    ):
        need_share = share[first]
        arcs = ok[first].tocoo()  # row-major, like np.nonzero
        needed = need_share[arcs.row] > 0
        cls = arcs.row[needed].astype(np.int64)
        col = arcs.col[needed].astype(np.int64)
        arc_blocks.append((cls, col, need_share, bases, agency))
        columns.append(len(cls))
    n_vars = sum(columns)
    offset = n_classes
    row = 0
    data_rows: list[np.ndarray] = []
    data_cols: list[np.ndarray] = []
    data_vals: list[np.ndarray] = []
    for cls, col, need_share, bases, agency in arc_blocks:
        arc_ids = offset + np.arange(len(cls))
        # demand rows: share_k z_k - sum_b x_bk <= 0
        needs = np.flatnonzero(need_share > 0)
        demand_row = np.full(n_classes, -1)
        demand_row[needs] = row + np.arange(len(needs))
        data_rows += [demand_row[needs], demand_row[cls]]
        data_cols += [needs, arc_ids]
        data_vals += [need_share[needs], -np.ones(len(cls))]
        upper.append(np.zeros(len(needs)))
        row += len(needs)
        # headcount rows: sum_k x_bk <= h_b
        data_rows.append(row + col)
        data_cols.append(arc_ids)
        data_vals.append(np.ones(len(cls)))
        upper.append(data.headcount[agency][bases].astype(np.float64))
        row += len(bases)
        offset += len(cls)
    # Linmas rows of short kelurahan
    short = np.flatnonzero(short_kel)
    kel_row = np.full(n_kel, -1)
    kel_row[short] = row + np.arange(len(short))
    first_kel = kel_key[first]
    in_short = np.flatnonzero(first_kel >= 0)
    data_rows.append(kel_row[first_kel[in_short]])
    data_cols.append(in_short)
    data_vals.append(linmas[first][in_short])
    upper.append(have[short].astype(np.float64))
    row += len(short)

    matrix = sp.csr_array(
        (
            np.concatenate(data_vals),
            (np.concatenate(data_rows), np.concatenate(data_cols)),
        ),
        shape=(row, n_vars),
    )
    cost = np.zeros(n_vars)
    cost[:n_classes] = -class_weight
    bounds = np.zeros((n_vars, 2))
    bounds[:, 1] = np.inf
    bounds[:n_classes, 1] = size
    # a class no base can staff (police or TNI needed, no base reaches) stays 0
    for cls, _, need_share, _, _ in arc_blocks:
        reached = np.zeros(n_classes, dtype=bool)
        reached[cls] = True
        bounds[:n_classes, 1] = np.where(
            (need_share > 0) & ~reached, 0.0, bounds[:n_classes, 1]
        )
    if row == 0:
        value = math.floor(float(class_weight @ bounds[:n_classes, 1]) + _SLACK)
        return CoverageBound(float(min(value, total)), total, n_classes, n_vars)
    # HiGHS takes a sparse A_ub (documented); SciPy's stubs list dense only
    result = linprog(  # type: ignore[call-overload]
        cost,
        A_ub=matrix,
        b_ub=np.concatenate(upper),
        bounds=[(float(lo), float(hi)) for lo, hi in bounds],
        method="highs",
    )
    if result.status != 0:
        msg = f"coverage bound LP not solved: {result.message}"
        raise SolverError(msg)
    # covered weight is a whole number: round the LP optimum down, after a
    # relative slack far above HiGHS's tolerances
    value = math.floor(float(-result.fun) * (1 + _SLACK) + _SLACK)
    return CoverageBound(float(min(value, total)), total, n_classes, n_vars)


def _diagonal_stored(matrix: sp.csr_array) -> np.ndarray:
    """1 where row ``i`` stores an entry in column ``i`` (zero or not)."""
    n = matrix.shape[0]
    rows = np.repeat(np.arange(n), np.diff(matrix.indptr))
    stored = np.zeros(n, dtype=np.int64)
    stored[rows[matrix.indices == rows]] = 1
    return stored
