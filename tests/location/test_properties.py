"""Hypothesis: every returned solution is feasible, its objective recomputes, and
the bound is on the right side."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from location_helpers import check_median

from deploy_opt.location import mclp, p_center, p_median

SETTINGS = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@st.composite
def instances(draw):
    n = draw(st.integers(1, 8))
    m = draw(st.integers(1, 6))
    cost = draw(
        arrays(
            np.float64, (n, m), elements=st.floats(0, 100, allow_nan=False, width=32)
        )
    )
    forbid = draw(arrays(np.bool_, (n, m)))
    cost = np.where(forbid, np.inf, cost)
    p = draw(st.integers(1, m))
    weights = draw(arrays(np.float64, n, elements=st.floats(0, 10, width=32)))
    return cost, p, weights


@SETTINGS
@given(instances())
def test_p_median_feasible_and_consistent(inst):
    cost, p, weights = inst
    res = p_median(cost, p, weights=weights)
    if res.status == "infeasible":
        assert not np.isfinite(res.objective)
        return
    check_median(res, cost, p, weights=weights)


@SETTINGS
@given(instances(), st.integers(1, 3))
def test_capacitated_feasible_and_consistent(inst, cap):
    cost, p, weights = inst
    caps = np.full(cost.shape[1], float(cap))
    res = p_median(cost, p, weights=weights, capacities=caps)
    if res.status == "infeasible":
        return
    check_median(res, cost, p, weights=weights, capacities=caps)


@SETTINGS
@given(instances())
def test_p_center_and_mclp_bounds(inst):
    cost, p, weights = inst
    res = p_center(cost, p, weights=weights)
    if res.status != "infeasible":
        a = res.assignment
        assert (a >= 0).all()
        w_cost = np.where(np.isfinite(cost), cost, 0) * weights[:, None]
        assert res.objective == w_cost[np.arange(len(a)), a].max()
        assert res.bound <= res.objective
    cov = mclp(cost, 50.0, p, weights=weights)
    covered = cov.assignment >= 0
    assert np.isclose(cov.objective, weights[covered].sum())
    assert cov.bound >= cov.objective - 1e-9
    assert (cost[np.flatnonzero(covered), cov.assignment[covered]] <= 50.0).all()
