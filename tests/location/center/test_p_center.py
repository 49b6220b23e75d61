"""p-center against enumeration."""

from __future__ import annotations

import numpy as np
import pytest
from location_helpers import brute_p_center, random_costs

from deploy_opt.location import LocationInputError, p_center

_random = random_costs


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("p", [1, 2, 3])
def test_p_center_minimum(seed, p):
    cost = _random(seed)
    res = p_center(cost, p)
    assert res.status == "optimal"
    assert res.objective == brute_p_center(cost, p)
    assert res.objective == cost[np.arange(10), res.assignment].max()
    assert len(res.sites) <= p


def test_p_center_weighted_and_capacitated():
    cost = _random(1)
    weights = np.arange(1, 11)
    res = p_center(cost, 3, weights=weights)
    assert res.objective == brute_p_center(cost, 3, weights)
    cap = p_center(cost, 3, capacities=np.full(6, 4.0))
    assert cap.status == "optimal"
    assert np.bincount(cap.assignment, minlength=6).max() <= 4
    assert cap.objective >= res.objective / weights.max()


def test_p_center_validates_p():
    with pytest.raises(LocationInputError, match="`p`"):
        p_center(_random(0), 0)
