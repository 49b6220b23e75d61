"""Set covering and MCLP against enumeration."""

from __future__ import annotations

import numpy as np
import pytest
from location_helpers import brute_mclp, brute_set_cover, random_costs

from deploy_opt.location import LocationInputError, mclp, set_cover

_random = random_costs


@pytest.mark.parametrize("seed", range(5))
def test_set_cover_minimum(seed):
    cost = _random(seed)
    radius = 30.0
    res = set_cover(cost, radius)
    best = brute_set_cover(cost, radius)
    if best is None:
        assert res.status == "infeasible"
        return
    assert res.status == "optimal"
    assert res.objective == best == len(res.sites)
    assert (cost[np.arange(10), res.assignment] <= radius).all()


def test_set_cover_capacitated_and_required():
    cost = np.array([[1, 9, 9], [1, 9, 9], [1, 1, 9], [9, 1, 1]], dtype=float)
    res = set_cover(cost, 2, capacities=[2, 2, 2], required=[2])
    assert res.status == "optimal"
    assert 2 in res.sites
    assert np.bincount(res.assignment, minlength=3).max() <= 2
    assert res.objective == 3


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("p", [1, 2, 3])
def test_mclp_maximum(seed, p):
    cost = _random(seed)
    weights = np.random.default_rng(seed).integers(1, 9, 10)
    res = mclp(cost, 15, p, weights=weights)
    assert res.sense == "max"
    assert res.status == "optimal"
    assert res.objective == pytest.approx(brute_mclp(cost, 15, p, weights))
    assert res.bound >= res.objective
    covered = res.assignment >= 0
    assert (cost[np.flatnonzero(covered), res.assignment[covered]] <= 15).all()
    assert res.objective == pytest.approx(weights[covered].sum())
    assert len(res.sites) == p


def test_mclp_capacities_limit_coverage():
    cost = np.zeros((5, 2))
    res = mclp(cost, 1, 1, capacities=[3, 3])
    assert res.objective == 3
    assert (res.assignment >= 0).sum() == 3


def test_radius_validated():
    with pytest.raises(LocationInputError, match="`radius`"):
        set_cover(np.ones((2, 2)), -1)
