"""Sorted pairs (extraction below caps) and the pair-based interchange."""

from __future__ import annotations

import numpy as np
import pytest

from deploy_opt.location.pmedian._heuristics import fast_swap, pair_swap
from deploy_opt.location.pmedian._sorted_pairs import Pairs


@pytest.mark.parametrize("seed", range(200))
def test_below_keeps_every_pair_under_the_cap(seed):
    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(1, 8)), int(rng.integers(1, 8))
    k = int(rng.integers(0, 30))
    rows = rng.integers(0, n, k)
    cols = rng.integers(0, m, k)
    costs = rng.integers(0, 10, k).astype(float)
    if seed % 3 == 0:
        costs += rng.random(k)
    if seed % 5 == 0:
        costs[rng.random(k) < 0.3] = np.inf
    pairs = Pairs.from_arrays(rows, cols, costs, (n, m))
    if seed % 2:
        pairs = pairs.subset(np.flatnonzero(rng.random(pairs.size) < 0.7))
    cap = rng.integers(-1, 14, n).astype(float) + (rng.random(n) if seed % 4 else 0)
    got = pairs.below(cap)
    under = set(pairs.ids[pairs.costs < cap[pairs.rows]].tolist())
    assert under <= set(got.ids.tolist())
    # Anything extra ties its cap or is forbidden (and so never counts).
    finite = np.isfinite(got.costs)
    assert np.all(got.costs[finite] <= cap[got.rows[finite]] + 1e-9)
    assert np.all(np.diff(got.rows) >= 0)
    counts, near_rows, near_cols, near_costs = pairs.near(cap)
    assert np.array_equal(near_rows, got.rows)
    assert np.array_equal(near_cols, got.cols)
    assert np.array_equal(near_costs, got.costs)
    assert np.array_equal(np.bincount(near_rows, minlength=n), counts)


def test_from_dense_is_sorted_by_row_then_cost():
    dense = np.array([[3.0, 1.0, 2.0], [0.0, np.inf, 5.0]])
    pairs = Pairs.from_dense(dense)
    assert pairs.rows.tolist() == [0, 0, 0, 1, 1, 1]
    assert pairs.cols.tolist() == [1, 2, 0, 0, 2, 1]
    assert pairs.below(np.array([2.5, 1.0])).cols.tolist() == [1, 2, 0]


@pytest.mark.parametrize("seed", range(60))
def test_pair_swap_makes_the_same_moves_as_fast_swap_on_integers(seed):
    rng = np.random.default_rng(seed)
    # 2 <= p < m: p = 1 and p = m take shortcuts that compare nothing
    n, m = int(rng.integers(2, 30)), int(rng.integers(3, 20))
    dist = rng.integers(0, 50, (n, m)).astype(float)
    p = int(rng.integers(2, m))
    start = rng.choice(m, p, replace=False)
    required = start[:1] if seed % 3 == 0 else np.zeros(0, dtype=np.intp)
    expected = fast_swap(dist, start, required)
    got = pair_swap(dist, Pairs.from_dense(dist), start, required)
    assert np.array_equal(got, expected)


@pytest.mark.parametrize("seed", range(20))
def test_pair_swap_ends_in_a_local_optimum_on_floats(seed):
    rng = np.random.default_rng(seed)
    dist = rng.random((25, 12)) * 10
    start = rng.choice(12, 4, replace=False)
    got = pair_swap(dist, Pairs.from_dense(dist), start, np.zeros(0, dtype=np.intp))
    cost = dist[:, got].min(axis=1).sum()
    for k in range(4):
        for j in set(range(12)) - set(got.tolist()):
            other = got.copy()
            other[k] = j
            assert dist[:, other].min(axis=1).sum() >= cost - 1e-9
