"""Hypothesis: every returned solution is feasible, its objective recomputes, the
bound is on the right side, and on tiny instances the optimum is the enumerated
one. Inputs include forbidden pairs (inf), zero weights, all-forbidden rows,
``p == m``, required sites and tight capacities."""

from __future__ import annotations

import itertools

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
def instances(draw, max_n=8, max_m=6):
    n = draw(st.integers(1, max_n))
    m = draw(st.integers(1, max_m))
    cost = draw(
        arrays(
            np.float64, (n, m), elements=st.floats(0, 100, allow_nan=False, width=32)
        )
    )
    forbid = draw(arrays(np.bool_, (n, m)))
    cost = np.where(forbid, np.inf, cost)
    p = draw(st.integers(1, m))
    weights = draw(arrays(np.float64, n, elements=st.floats(0, 10, width=32)))
    required = draw(st.lists(st.integers(0, m - 1), max_size=p, unique=True))
    return cost, p, weights, required


def _weighted(cost, weights):
    """``w * c`` with forbidden pairs inf (also where the weight is 0)."""
    return np.where(
        np.isfinite(cost),
        np.where(np.isfinite(cost), cost, 0) * weights[:, None],
        np.inf,
    )


def _site_sets(m, p, required):
    for sites in itertools.combinations(range(m), p):
        if set(required) <= set(sites):
            yield list(sites)


def _brute_median(cost, p, weights, required):
    wc = _weighted(cost, weights)
    return min(
        (
            float(wc[:, s].min(axis=1).sum())
            for s in _site_sets(cost.shape[1], p, required)
        ),
        default=np.inf,
    )


def _brute_center(cost, p, weights, required):
    wc = _weighted(cost, weights)
    return min(
        (
            float(wc[:, s].min(axis=1).max())
            for s in _site_sets(cost.shape[1], p, required)
        ),
        default=np.inf,
    )


def _brute_capacitated(cost, p, weights, demands, caps, required):
    n, m = cost.shape
    wc = _weighted(cost, weights)
    best = np.inf
    for sites in _site_sets(m, p, required):
        for assign in itertools.product(sites, repeat=n):
            a = np.asarray(assign)
            value = float(wc[np.arange(n), a].sum())
            if value >= best:
                continue
            if (np.bincount(a, weights=demands, minlength=m) <= caps + 1e-9).all():
                best = value
    return best


@SETTINGS
@given(instances())
def test_p_median_feasible_consistent_optimal(inst):
    cost, p, weights, required = inst
    res = p_median(cost, p, weights=weights, required=required)
    best = _brute_median(cost, p, weights, required)
    if res.status == "infeasible":
        assert not np.isfinite(res.objective)
        assert not np.isfinite(best)
        return
    check_median(res, cost, p, weights=weights, required=required)
    assert res.status == "optimal"
    assert np.isclose(res.objective, best)


@SETTINGS
@given(instances(max_n=6, max_m=4), st.integers(1, 3), st.data())
def test_capacitated_feasible_consistent_optimal(inst, cap, data):
    cost, p, weights, required = inst
    n, m = cost.shape
    caps = np.full(m, float(cap))
    demands = data.draw(
        arrays(np.float64, n, elements=st.sampled_from([0.0, 1.0, 2.0]))
    )
    res = p_median(
        cost, p, weights=weights, demands=demands, capacities=caps, required=required
    )
    best = _brute_capacitated(cost, p, weights, demands, caps, required)
    if res.status == "infeasible":
        assert not np.isfinite(best)
        return
    check_median(
        res,
        cost,
        p,
        weights=weights,
        demands=demands,
        capacities=caps,
        required=required,
    )
    assert res.status == "optimal"
    assert np.isclose(res.objective, best)


@SETTINGS
@given(instances())
def test_p_center_feasible_consistent_optimal(inst):
    cost, p, weights, required = inst
    res = p_center(cost, p, weights=weights, required=required)
    best = _brute_center(cost, p, weights, required)
    if res.status == "infeasible":
        assert not np.isfinite(res.objective)
        assert not np.isfinite(best)
        return
    n = cost.shape[0]
    a = res.assignment
    assert (a >= 0).all()
    assert np.isfinite(cost[np.arange(n), a]).all()
    assert set(a.tolist()) <= set(res.sites.tolist())
    assert set(required) <= set(res.sites.tolist())
    assert len(res.sites) <= p
    assert res.objective == _weighted(cost, weights)[np.arange(n), a].max()
    assert res.bound <= res.objective
    assert res.status == "optimal"
    assert np.isclose(res.objective, best)


@SETTINGS
@given(instances(), st.integers(1, 3))
def test_capacitated_p_center_feasible(inst, cap):
    cost, p, weights, required = inst
    n, m = cost.shape
    caps = np.full(m, float(cap))
    res = p_center(cost, p, weights=weights, capacities=caps, required=required)
    if res.status == "infeasible":
        return
    a = res.assignment
    assert (a >= 0).all()
    assert np.isfinite(cost[np.arange(n), a]).all()
    assert set(a.tolist()) <= set(res.sites.tolist())
    assert len(res.sites) <= p
    assert (np.bincount(a, minlength=m) <= caps).all()
    assert res.objective == _weighted(cost, weights)[np.arange(n), a].max()
    assert res.bound <= res.objective


@SETTINGS
@given(instances())
def test_mclp_feasible_and_bound(inst):
    cost, p, weights, required = inst
    cov = mclp(cost, 50.0, p, weights=weights, required=required)
    covered = cov.assignment >= 0
    assert np.isclose(cov.objective, weights[covered].sum())
    assert cov.bound >= cov.objective - 1e-9
    assert (cost[np.flatnonzero(covered), cov.assignment[covered]] <= 50.0).all()
    assert set(cov.assignment[covered].tolist()) <= set(cov.sites.tolist())
    assert set(required) <= set(cov.sites.tolist())
    assert len(cov.sites) == p
    reach = np.isfinite(cost) & (cost <= 50.0)
    best = max(
        float(weights[reach[:, s].any(axis=1)].sum())
        for s in _site_sets(cost.shape[1], p, required)
    )
    assert np.isclose(cov.objective, best)
