"""Sparse travel builders equal a brute-force dense computation on tiny inputs."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from deploy_opt.travel import Points, StraightLineModel
from deploy_opt.travel.subsets import rows_only, within_groups
from deploy_opt.units import UNREACHABLE

MODEL = StraightLineModel({"walk": 4.5, "car": 30.0}, detour_factor=1.3)


def _points(rng: np.random.Generator, n: int, prefix: str) -> Points:
    xy = rng.integers(0, 4000, (n, 2)).astype(np.float64)  # integers: ties, zeros
    return Points(
        tuple(f"{prefix}{i}" for i in range(n)), xy[:, 0], xy[:, 1], xy[:, 0], xy[:, 1]
    )


def _brute(origins: Points, destinations: Points, kmh: float) -> np.ndarray:
    """Every pair's seconds, the definition written out once more."""
    out = np.zeros((len(origins), len(destinations)), dtype=np.int64)
    mps = kmh / 3.6 / MODEL.detour_factor
    for i in range(len(origins)):
        for j in range(len(destinations)):
            metres = np.hypot(
                origins.x[i] - destinations.x[j], origins.y[i] - destinations.y[j]
            )
            out[i, j] = int(np.ceil(metres / mps))
    return out


def _as_dense(matrix) -> np.ndarray:
    out = np.full(matrix.shape, UNREACHABLE, dtype=np.int64)
    coo = matrix.seconds.tocoo()
    out[coo.row, coo.col] = coo.data
    return out


@settings(max_examples=40, deadline=None)
@given(
    n_o=st.integers(0, 12),
    n_d=st.integers(0, 12),
    cutoff=st.integers(0, 4000),
    seed=st.integers(0, 10_000),
)
def test_straight_line_cutoff_keeps_exactly_the_pairs_within(n_o, n_d, cutoff, seed):
    rng = np.random.default_rng(seed)
    origins, destinations = _points(rng, n_o, "o"), _points(rng, n_d, "d")
    got = MODEL.matrix(origins, destinations, "car", cutoff)
    brute = _brute(origins, destinations, 30.0)
    expected = np.where(brute <= cutoff, brute, UNREACHABLE)
    np.testing.assert_array_equal(_as_dense(got), expected)
    assert got.seconds.nnz == int((brute <= cutoff).sum())  # zeros stored too
    assert got.seconds.has_sorted_indices


def test_co_located_points_keep_their_zero_time():
    rng = np.random.default_rng(3)
    points = _points(rng, 6, "p")
    got = MODEL.matrix(points, points, "car", 0)
    assert got.seconds.nnz >= 6
    assert (np.diag(_as_dense(got)) == 0).all()


@settings(max_examples=30, deadline=None)
@given(
    n_o=st.integers(0, 10),
    n_d=st.integers(0, 14),
    groups=st.integers(1, 4),
    seed=st.integers(0, 10_000),
)
def test_within_groups_keeps_only_same_group_pairs(n_o, n_d, groups, seed):
    rng = np.random.default_rng(seed)
    origins, destinations = _points(rng, n_o, "o"), _points(rng, n_d, "d")
    o_group = rng.integers(-1, groups, n_o)  # -1: a base in no kelurahan
    d_group = rng.integers(0, groups, n_d)
    got = within_groups(MODEL, origins, destinations, o_group, d_group, "walk")
    brute = _brute(origins, destinations, 4.5)
    same = (o_group[:, None] == d_group[None, :]) & (o_group[:, None] >= 0)
    np.testing.assert_array_equal(_as_dense(got), np.where(same, brute, UNREACHABLE))
    assert got.seconds.nnz == int(same.sum())


def test_rows_only_fills_the_chosen_origins():
    rng = np.random.default_rng(5)
    origins, destinations = _points(rng, 7, "o"), _points(rng, 9, "d")
    rows = np.array([1, 4, 6])
    got = rows_only(MODEL, origins, destinations, rows, "car", 300)
    brute = _brute(origins, destinations, 30.0)
    expected = np.full(brute.shape, UNREACHABLE)
    expected[rows] = np.where(brute[rows] <= 300, brute[rows], UNREACHABLE)
    np.testing.assert_array_equal(_as_dense(got), expected)


def test_lookups_report_unreachable_for_pairs_not_stored():
    rng = np.random.default_rng(8)
    origins, destinations = _points(rng, 5, "o"), _points(rng, 8, "d")
    got = MODEL.matrix(origins, destinations, "car", 200)
    dense = _as_dense(got)
    rows, cols = np.meshgrid(np.arange(5), np.arange(8), indexing="ij")
    np.testing.assert_array_equal(got.at(rows.ravel(), cols.ravel()), dense.ravel())
    np.testing.assert_array_equal(
        got.block([4, 0], [7, 2, 2]), dense[np.ix_([4, 0], [7, 2, 2])]
    )
