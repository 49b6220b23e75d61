"""p-median (uncapacitated and capacitated) against enumeration."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from location_helpers import brute_p_median, check_median

from deploy_opt.location import LocationInputError, p_median
from deploy_opt.units import UNREACHABLE


def _random(seed, n=9, m=7, high=60):
    rng = np.random.default_rng(seed)
    return rng.integers(0, high, size=(n, m)).astype(float)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("p", [1, 2, 3])
def test_uncapacitated_matches_enumeration(seed, p):
    cost = _random(seed)
    res = p_median(cost, p)
    check_median(res, cost, p)
    assert res.status == "optimal"
    assert res.objective == pytest.approx(brute_p_median(cost, p))
    assert res.bound == pytest.approx(res.objective)
    assert res.gap == 0.0


@pytest.mark.parametrize("seed", range(4))
def test_weights_and_required(seed):
    cost = _random(seed) + np.random.default_rng(seed).random((9, 7))
    weights = np.random.default_rng(seed + 10).integers(1, 5, 9)
    res = p_median(cost, 3, weights=weights, required=[seed % 7])
    check_median(res, cost, 3, weights=weights, required=[seed % 7])
    assert res.objective == pytest.approx(
        brute_p_median(cost, 3, weights=weights, required=[seed % 7])
    )


@pytest.mark.parametrize("seed", range(4))
def test_capacitated_matches_enumeration(seed):
    rng = np.random.default_rng(seed)
    cost = rng.integers(1, 40, size=(6, 4)).astype(float)
    demands = rng.integers(1, 4, 6).astype(float)
    caps = np.full(4, 7.0)
    res = p_median(cost, 2, demands=demands, capacities=caps)
    best = brute_p_median(cost, 2, demands=demands, capacities=caps)
    if np.isfinite(best):
        check_median(res, cost, 2, demands=demands, capacities=caps)
        assert res.status == "optimal"
        assert res.objective == pytest.approx(best)
    else:
        assert res.status == "infeasible"


def test_capacitated_infeasible_reported():
    cost = np.ones((4, 3))
    res = p_median(cost, 1, capacities=np.full(3, 2.0))
    assert res.status == "infeasible"
    assert np.isinf(res.objective)
    assert (res.assignment == -1).all()


def test_forbidden_pairs_dense_sparse_and_unreachable_agree():
    cost = np.array([[1, 5, np.inf], [np.inf, 2, 3], [4, np.inf, 1], [2, 2, 2]])
    dense = p_median(cost, 2)
    as_int = np.where(np.isinf(cost), UNREACHABLE, cost).astype(np.int64)
    rows, cols = np.nonzero(np.isfinite(cost))
    sparse = sp.csr_array((cost[rows, cols], (rows, cols)), shape=cost.shape)
    for other in (p_median(as_int, 2), p_median(sparse, 2)):
        assert other.objective == dense.objective
    assert dense.objective == brute_p_median(cost, 2)


def test_infeasible_when_a_row_has_no_usable_site():
    cost = np.array([[1.0, 2.0], [np.inf, np.inf]])
    assert p_median(cost, 1).status == "infeasible"


def test_same_seed_same_result():
    cost = _random(3, n=40, m=40, high=1000)
    a, b = p_median(cost, 5, seed=7), p_median(cost, 5, seed=7)
    assert np.array_equal(a.sites, b.sites)
    assert np.array_equal(a.assignment, b.assignment)
    assert a.objective == b.objective
    assert a.bound == b.bound
    assert a.seed == 7


def test_result_arrays_read_only():
    res = p_median(_random(0), 2)
    with pytest.raises(ValueError, match="read-only"):
        res.sites[0] = 1


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"p": 0}, "`p`"),
        ({"p": 8}, "`p`"),
        ({"p": 1.5}, "`p`"),
        ({"p": 2, "weights": [1, 2]}, "`weights`"),
        ({"p": 2, "capacities": -np.ones(7)}, "`capacities`"),
        ({"p": 2, "required": [9]}, "`required`"),
        ({"p": 1, "required": [0, 1]}, "`p`"),
        ({"p": 2, "time_limit": 0}, "`time_limit`"),
    ],
)
def test_bad_arguments(kwargs, match):
    with pytest.raises(LocationInputError, match=match):
        p_median(_random(0), **kwargs)


@pytest.mark.parametrize(
    "cost", [np.ones(3), np.array([[np.nan, 1.0]]), -np.ones((2, 2)), np.zeros((0, 2))]
)
def test_bad_cost(cost):
    with pytest.raises(LocationInputError, match="`cost`"):
        p_median(cost, 1)


def test_error_is_a_value_error():
    with pytest.raises(ValueError, match="`p`"):
        p_median(_random(0), 0)
