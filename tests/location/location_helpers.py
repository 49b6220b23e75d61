"""Brute-force optima and feasibility checks for tiny location instances."""

from __future__ import annotations

import itertools

import numpy as np


def brute_p_median(cost, p, weights=None, demands=None, capacities=None, required=()):
    """Optimum by enumerating site sets (and assignments when capacitated)."""
    n, m = cost.shape
    w = np.ones(n) if weights is None else np.asarray(weights, float)
    d = np.ones(n) if demands is None else np.asarray(demands, float)
    best = np.inf
    for sites in itertools.combinations(range(m), p):
        if not set(required) <= set(sites):
            continue
        if capacities is None:
            best = min(best, float((w * cost[:, sites].min(axis=1)).sum()))
            continue
        for assign in itertools.product(sites, repeat=n):
            a = np.asarray(assign)
            load = np.bincount(a, weights=d, minlength=m)
            if (load <= np.asarray(capacities) + 1e-9).all():
                best = min(best, float((w * cost[np.arange(n), a]).sum()))
    return best


def random_capacitated(seed, n, p, slack=0.85):
    """Uniform points in a 100 x 100 square with floored distances, demands
    1-7 and equal capacities of ``sum(demand) / p / slack`` (rounded up)."""
    rng = np.random.default_rng(seed)
    pts = rng.uniform(0, 100, size=(n, 2))
    cost = np.floor(np.linalg.norm(pts[:, None] - pts[None], axis=2))
    demands = rng.integers(1, 8, size=n).astype(float)
    cap = float(np.ceil(demands.sum() / p / slack))
    return cost, demands, np.full(n, cap)


def loads_fit(assign, demands, capacities):
    """Whether every site's assigned demand is within its capacity."""
    load = np.bincount(assign, weights=demands, minlength=capacities.size)
    return bool((load <= capacities + 1e-9).all())


def brute_p_center(cost, p, weights=None):
    n, m = cost.shape
    w = np.ones(n) if weights is None else np.asarray(weights, float)
    return min(
        float((w * cost[:, list(s)].min(axis=1)).max())
        for s in itertools.combinations(range(m), p)
    )


def brute_mclp(cost, radius, p, weights=None):
    n, m = cost.shape
    w = np.ones(n) if weights is None else np.asarray(weights, float)
    cover = cost <= radius
    return max(
        float(w[cover[:, list(s)].any(axis=1)].sum())
        for s in itertools.combinations(range(m), p)
    )


def brute_set_cover(cost, radius):
    m = cost.shape[1]
    cover = cost <= radius
    for k in range(1, m + 1):
        for s in itertools.combinations(range(m), k):
            if cover[:, list(s)].any(axis=1).all():
                return k
    return None


def check_median(
    res, cost, p, weights=None, demands=None, capacities=None, required=()
):
    """The result is feasible and its objective is its recomputation."""
    n, m = cost.shape
    w = np.ones(n) if weights is None else np.asarray(weights, float)
    d = np.ones(n) if demands is None else np.asarray(demands, float)
    a = res.assignment
    assert a.shape == (n,)
    assert (a >= 0).all()
    assert np.isfinite(cost[np.arange(n), a]).all()
    assert set(np.unique(a)) <= set(res.sites.tolist())
    assert len(res.sites) <= p
    assert set(required) <= set(res.sites.tolist())
    if capacities is not None:
        load = np.bincount(a, weights=d, minlength=m)
        assert (load <= np.asarray(capacities) + 1e-9).all()
    assert np.isclose(res.objective, float((w * cost[np.arange(n), a]).sum()))
    assert res.bound <= res.objective + 1e-6


def random_costs(seed, n=10, m=6):
    """Integer costs 1-49 as floats, ``(n, m)``."""
    rng = np.random.default_rng(seed)
    return rng.integers(1, 50, size=(n, m)).astype(float)
