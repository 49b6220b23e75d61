"""Capacitated p-median heuristics: kNN greedy, POPMUSIC, the mid/large path."""

from __future__ import annotations

import numpy as np
import pytest
from location_helpers import brute_p_median, check_median, loads_fit

from deploy_opt.location import p_median
from deploy_opt.location._problem import median_objective, prepare
from deploy_opt.location.capacitated._cluster_pairs import pair_reoptimize
from deploy_opt.location.capacitated._location_allocation import (
    balanced_sites,
    knn_greedy,
    locate_allocate,
)
from deploy_opt.location.capacitated._popmusic import (
    cheapest_sites,
    popmusic_grow,
    popmusic_pass,
)
from deploy_opt.location.pmedian._heuristics import greedy_add, penalised


def _clustered(seed: int, n: int, p: int, tightness: float = 0.85):
    """Euclidean points around ``p`` centres with integer demands."""
    rng = np.random.default_rng(seed)
    centres = rng.uniform(0, 1000, size=(p, 2))
    pts = centres[rng.integers(0, p, size=n)] + rng.normal(0, 60, size=(n, 2))
    cost = np.linalg.norm(pts[:, None] - pts[None], axis=2)
    demands = rng.integers(1, 20, size=n).astype(float)
    cap = float(np.ceil(demands.sum() / p / tightness))
    return cost, demands, np.full(n, cap)


@pytest.mark.parametrize("seed", range(3))
def test_knn_greedy_with_every_site_is_the_dense_greedy(seed):
    rng = np.random.default_rng(seed)
    cost = rng.uniform(1, 100, size=(40, 25))
    cost[rng.uniform(size=cost.shape) < 0.1] = np.inf
    cost[:, 0] = rng.uniform(1, 100, size=40)  # every row keeps a usable site
    required = np.array([3], dtype=np.intp)
    dense, _ = penalised(cost)
    expected = greedy_add(dense, 6, required)
    assert np.array_equal(knn_greedy(cost, 6, required, k=25), expected)


def test_knn_greedy_opens_p_sites_with_the_required_ones():
    cost, _, _ = _clustered(4, 300, 12)
    sites = knn_greedy(cost, 12, np.array([7, 150], dtype=np.intp), k=10)
    assert sites.size == 12
    assert {7, 150} <= set(sites.tolist())


def test_balanced_sites_split_the_demand_evenly():
    # a 20 x 20 grid with unit demand: 16 regions of 25 points each
    xy = np.stack(np.meshgrid(np.arange(20), np.arange(20)), axis=-1).reshape(-1, 2)
    cost = np.linalg.norm(xy[:, None] - xy[None], axis=2)
    sites = balanced_sites(cost, np.ones(400), 16, np.array([0], dtype=np.intp))
    assert sites.size == 16
    assert 0 in sites
    # nearest-site clusters of a balanced layout are of similar size
    sizes = np.bincount(np.argmin(cost[:, sites], axis=1), minlength=16)
    assert sizes.max() <= 3 * sizes.min()


@pytest.mark.parametrize("seed", range(4))
def test_pair_reoptimisation_of_the_only_pair_is_optimal(seed):
    # two sites, every point in the pair, every site a candidate: exhaustive
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 100, size=(8, 2))
    cost = np.linalg.norm(xy[:, None] - xy[None], axis=2)
    demands = rng.integers(1, 6, size=8).astype(float)
    caps = np.full(8, float(np.ceil(demands.sum() / 2 / 0.9)))
    inst = prepare(cost, demands=demands, capacities=caps)
    start, _ = locate_allocate(inst, inst.allowed, 2, np.array([0, 1]), None)
    assert start is not None
    better, _ = pair_reoptimize(inst, inst.allowed, start, None, k=8)
    assert loads_fit(better, demands, caps)
    assert np.unique(better).size == 2
    optimum = brute_p_median(cost, 2, demands=demands, capacities=caps)
    assert median_objective(inst, better) == pytest.approx(optimum)


@pytest.mark.parametrize("seed", range(2))
def test_popmusic_never_worsens_and_stays_feasible(seed):
    cost, demands, caps = _clustered(seed, 90, 8)
    inst = prepare(cost, demands=demands, capacities=caps)
    # a poor start: location-allocation from random sites
    sites = np.random.default_rng(seed).choice(90, size=8, replace=False)
    start, _ = locate_allocate(inst, inst.allowed, 8, np.sort(sites), None)
    assert start is not None
    before = median_objective(inst, start)
    one, solved, _ = popmusic_pass(
        inst,
        inst.allowed,
        start,
        None,  # no deadline: what the pass finds must not depend on machine speed
        sites_per_sub=3,
        near=cheapest_sites(inst, inst.allowed, 10),
        sub_limit=1.0,
        memo={},
    )
    assert solved > 0
    assert median_objective(inst, one) <= before + 1e-9
    grown, _, last = popmusic_grow(inst, inst.allowed, one, None, sizes=(2, 4))
    assert last in (2, 4)
    after = median_objective(inst, grown)
    assert after <= median_objective(inst, one) + 1e-9
    assert after < before  # a random start always leaves room
    assert np.unique(grown).size <= 8
    assert loads_fit(grown, demands, caps)


def test_popmusic_is_deterministic_without_a_deadline():
    cost, demands, caps = _clustered(5, 120, 8)
    inst = prepare(cost, demands=demands, capacities=caps)
    start, _ = locate_allocate(
        inst, inst.allowed, 8, np.arange(0, 120, 15, dtype=np.intp), None
    )
    runs = [
        popmusic_grow(inst, inst.allowed, start, None, sizes=(2, 3), seed=1)[0]
        for _ in range(2)
    ]
    assert np.array_equal(runs[0], runs[1])


def test_mid_size_path_is_feasible_with_a_valid_bound():
    # 230 x 230 = 52,900 pairs: beyond the full model, the mid-size path
    cost, demands, caps = _clustered(2, 230, 9)
    res = p_median(cost, 9, demands=demands, capacities=caps, time_limit=12.0)
    assert "POPMUSIC" in res.method
    check_median(res, cost, 9, demands=demands, capacities=caps)
    # dropping the capacities can only lower the optimum
    uncapacitated = p_median(cost, 9, time_limit=10.0)
    assert res.objective >= uncapacitated.bound - 1e-6


def test_large_path_is_feasible_with_a_valid_bound():
    # above 1,000 points: kNN greedy, flow assignment, POPMUSIC
    cost, demands, caps = _clustered(3, 1100, 60)
    res = p_median(cost, 60, demands=demands, capacities=caps, time_limit=15.0)
    assert "POPMUSIC" in res.method
    check_median(res, cost, 60, demands=demands, capacities=caps)
    assert 0 < res.bound <= res.objective
