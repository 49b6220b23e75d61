"""Exact capacitated p-median by columns: pricing, cuts, enumeration, proofs."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from location_helpers import check_median, random_capacitated

from deploy_opt.location import p_median
from deploy_opt.location._problem import median_objective, prepare
from deploy_opt.location.capacitated._model import decode, solve_model
from deploy_opt.location.capacitated.columns import _exact as cap_exact
from deploy_opt.location.capacitated.columns import _partition as partition
from deploy_opt.location.capacitated.columns._batch_relaxation import penalised_batch
from deploy_opt.location.capacitated.columns._enumeration import enumerate_columns
from deploy_opt.location.capacitated.columns._exact import solve_by_columns
from deploy_opt.location.capacitated.columns._frontier_dp import (
    PenalisedTable,
    penalised_knapsack,
)
from deploy_opt.location.capacitated.columns._knapsack_tables import SiteTables
from deploy_opt.location.capacitated.columns._root_bound import (
    cg_applicable,
    root_bound,
)
from deploy_opt.location.capacitated.columns._triple_cuts import (
    cut_hits,
    separate_triples,
)


def _penalised_brute(g, dem, cap, triples, tau):
    """Optimum of the penalised knapsack over all subsets of the negative items."""
    cand = np.flatnonzero(g < 0)
    best = 0.0
    for k in range(1, cand.size + 1):
        for s in itertools.combinations(cand.tolist(), k):
            if dem[list(s)].sum() > cap:
                continue
            x = np.zeros(g.size, dtype=bool)
            x[list(s)] = True
            best = min(best, g[x].sum() + tau[x[triples].sum(axis=1) >= 2].sum())
    return best


def _penalised_case(rng, n):
    g = -rng.integers(1, 30, n).astype(float)
    g[rng.random(n) < 0.15] = 4.0
    dem = rng.integers(1, 8, n)
    cap = int(rng.integers(8, 30))
    r = int(rng.integers(4, 20))
    triples = np.sort(
        np.array([rng.choice(n, 3, replace=False) for _ in range(r)]), axis=1
    )
    tau = rng.integers(1, 20, r).astype(float)
    return g, dem, cap, triples, tau


def _set_cost(g, triples, tau, items):
    x = np.zeros(g.size, dtype=bool)
    x[items] = True
    return g[x].sum() + tau[x[triples].sum(axis=1) >= 2].sum()


@pytest.mark.parametrize("seed", range(25))
def test_penalised_knapsack_matches_brute_force(seed):
    rng = np.random.default_rng(seed)
    g, dem, cap, triples, tau = _penalised_case(rng, int(rng.integers(10, 15)))
    value, items, exact = penalised_knapsack(g, dem, cap, triples, tau)
    best = _penalised_brute(g, dem, cap, triples, tau)
    # instances this small are solved exactly
    assert exact
    assert value == pytest.approx(best)
    assert dem[items].sum() <= cap
    assert _set_cost(g, triples, tau, items) == pytest.approx(value)
    # the unpruned table agrees at the full capacity
    table = PenalisedTable(g, dem, cap, triples, tau)
    assert table.exact
    assert table.value[cap] == pytest.approx(best)


def test_pruned_enumeration_is_exercised_and_exact():
    # more than 12 key items in a wide frontier: the item-by-item enumeration
    # with pruning
    rng = np.random.default_rng(5)
    n = 15
    g = -rng.integers(1, 30, n).astype(float)
    dem = rng.integers(1, 6, n)
    triples = np.array([rng.choice(n, 3, replace=False) for _ in range(30)])
    triples = np.sort(triples, axis=1)
    tau = rng.integers(5, 20, 30).astype(float)
    table = PenalisedTable(g, dem, 20, triples, tau, full_only=True)
    assert table.enumerated and table.key.size > 12
    value, items = table.at(20)
    assert value == pytest.approx(_penalised_brute(g, dem, 20, triples, tau))
    assert _set_cost(g, triples, tau, items) == pytest.approx(value)


@pytest.mark.parametrize("seed", range(6))
def test_penalised_batch_is_a_bound_and_exact_where_claimed(seed):
    rng = np.random.default_rng(100 + seed)
    n, s = 12, 5
    g = -rng.integers(1, 30, (n, s)).astype(float)
    g[rng.random((n, s)) < 0.2] = np.inf
    dem = rng.integers(1, 8, n)
    cap = rng.integers(8, 30, s)
    r = 10
    triples = np.sort(
        np.array([rng.choice(n, 3, replace=False) for _ in range(r)]), axis=1
    )
    tau = rng.integers(1, 20, r).astype(float)
    f = SiteTables(g, dem, cap)
    start = f.sets(cap)
    value, members, exact = penalised_batch(g, dem, cap, triples, tau, start)
    for j in range(s):
        best = _penalised_brute(g[:, j], dem, int(cap[j]), triples, tau)
        assert value[j] <= best + 1e-9
        if exact[j]:
            assert value[j] == pytest.approx(best)
            items = np.flatnonzero(members[j])
            assert dem[items].sum() <= cap[j]
            assert _set_cost(g[:, j], triples, tau, items) == pytest.approx(value[j])


def test_site_tables_match_brute_force():
    rng = np.random.default_rng(3)
    n, m = 9, 4
    g = rng.integers(-20, 5, (n, m)).astype(float)
    dem = rng.integers(0, 6, n)
    cap = rng.integers(0, 15, m)
    tables = SiteTables(g, dem, cap)
    q = np.maximum(cap - 2, 0)
    sets = tables.sets(q)
    for j in range(m):
        for cap_j, members in ((cap[j], None), (q[j], sets[j])):
            best = 0.0
            for k in range(1, n + 1):
                for s in itertools.combinations(range(n), k):
                    if dem[list(s)].sum() <= cap_j:
                        best = min(best, g[list(s), j].sum())
            assert tables.f[j, cap_j] == pytest.approx(best)
            if members is not None:
                assert dem[members].sum() <= cap_j
                assert g[members, j].sum() == pytest.approx(best)


def test_triple_cuts_are_valid_for_partitions_and_cut_fractional_points():
    # three clusters {0,1}, {1,2}, {0,2} at 1/2 each: the triple (0,1,2) has
    # left-hand side 3/2; any partition meets it at most once
    members = np.array([[1, 1, 0], [0, 1, 1], [1, 0, 1]], dtype=bool)
    cuts = separate_triples(np.full(3, 0.5), members, set(), 10, 5)
    assert cuts.tolist() == [[0, 1, 2]]
    for parts in ([[0, 1], [2]], [[0], [1], [2]], [[0, 1, 2]]):
        rows = np.zeros((len(parts), 3), dtype=bool)
        for c, part in enumerate(parts):
            rows[c, part] = True
        assert cut_hits(rows, cuts).sum(axis=0).max() <= 1


def _compact(inst, p):
    rows, cols = np.nonzero(inst.allowed)
    out = solve_model(inst, p, rows, cols, 60.0)
    return out.status, out.objective, decode(out, rows, cols, inst.n)


# roomy capacities, then tight ones (where triple cuts are needed)
CASES = [(seed, 12, 3, 0.85) for seed in range(3)] + [
    (50 + seed, 14, 4, 0.98) for seed in range(4)
]


@pytest.mark.parametrize(("seed", "n", "p", "slack"), CASES)
@pytest.mark.parametrize("warm", [True, False])
def test_solve_by_columns_matches_the_compact_mip(seed, n, p, slack, warm):
    _compare(seed, n, p, slack, warm)


@pytest.mark.parametrize("seed", [51, 53])
def test_small_enumeration_targets_still_prove(seed, monkeypatch):
    # too few clusters allowed for the incumbent's target: one by bisection
    monkeypatch.setattr(cap_exact, "MAX_COLUMNS", 30)
    _compare(seed, 14, 4, 0.98, True)


def test_too_many_clusters_leave_valid_pairs_for_the_compact_model(monkeypatch):
    monkeypatch.setattr(cap_exact, "MAX_COLUMNS", 10)
    cost, demands, caps = random_capacitated(51, 14, 4, 0.98)
    inst = prepare(cost, demands=demands, capacities=caps)
    _, opt, assign = _compact(inst, 4)
    out = solve_by_columns(inst, inst.allowed, 4, _worse(inst, 4, assign), None)
    assert not out.proven
    assert out.bound <= opt + 1e-6
    assert out.usable is not None
    assert out.usable[np.arange(inst.n), assign].all()


def _all_clusters(demands, caps):
    """Every (site, point set) whose demand fits the site's capacity."""
    n = demands.size
    masks = (np.arange(1, 1 << n)[:, None] >> np.arange(n)) & 1 == 1
    fits = masks.astype(float) @ demands
    sites = [np.full(int((fits <= c).sum()), j) for j, c in enumerate(caps)]
    members = [masks[fits <= c] for c in caps]
    return np.concatenate(sites), np.concatenate(members)


@pytest.mark.parametrize("max_nodes", [3, 5])
def test_cut_short_partition_search_bounds_its_own_solution(max_nodes, monkeypatch):
    # no root cuts and a node limit: the search stops mid-tree after finding a
    # solution; the bound must cover that solution's subtree too (seed 21 has
    # open nodes whose bounds exceed the solution found)
    monkeypatch.setattr(partition, "ROOT_ROUNDS", 0)
    monkeypatch.setattr(partition, "MAX_NODES", max_nodes)
    cost, demands, caps = random_capacitated(21, 8, 3, 0.95)
    sites, members = _all_clusters(demands, caps)
    none = np.zeros(0, dtype=np.intp)
    no_cuts = np.zeros((0, 3), dtype=np.intp)
    status, found, bound = partition.search(
        cost, sites, members, none, 3, no_cuts, np.inf, 1 - 1e-6, None
    )
    assert status == "time_limit"
    assert found is not None
    assert bound <= cost[np.arange(8), found].sum() + 1e-9


def test_solve_by_columns_with_a_required_site():
    _compare(52, 14, 4, 0.98, False, required=[5])


def _compare(seed, n, p, slack, warm, required=None):
    cost, demands, caps = random_capacitated(seed, n, p, slack)
    inst = prepare(cost, demands=demands, capacities=caps, required=required)
    assert cg_applicable(inst.demands, caps, inst.n, inst.m)
    status, opt, assign = _compact(inst, p)
    assert status == "optimal"
    # a worse start: the optimum must still be found and proven
    start = _worse(inst, p, assign) if warm else None
    out = solve_by_columns(inst, inst.allowed, p, start, None)
    assert out.bound <= opt + 1e-6
    if out.assignment is not None:
        _check_feasible(inst, p, out.assignment)
    assert out.proven
    assert median_objective(inst, out.assignment) == pytest.approx(opt)


def _worse(inst, p, assign):
    """Another feasible assignment (the optimum if none is found)."""
    opt = median_objective(inst, assign)
    for i in range(inst.n):  # move one point to another open site if it fits
        for j in np.unique(assign):
            trial = assign.copy()
            trial[i] = j
            load = np.bincount(trial, weights=inst.demands, minlength=inst.m)
            if (load <= inst.capacities + 1e-9).all() and median_objective(
                inst, trial
            ) > opt:
                return trial
    return assign


def _check_feasible(inst, p, assign):
    load = np.bincount(assign, weights=inst.demands, minlength=inst.m)
    assert (load <= inst.capacities + 1e-9).all()
    assert np.union1d(assign, inst.required).size <= p


def test_solve_by_columns_proves_infeasibility_or_claims_nothing():
    # four points of demand 3, capacity 5 each: every site holds one point,
    # so three sites cannot serve them (total capacity 15 >= 12 all the same)
    rng = np.random.default_rng(0)
    cost = rng.integers(1, 20, (4, 4)).astype(float)
    inst = prepare(cost, demands=np.full(4, 3.0), capacities=np.full(4, 5.0))
    status, _, _ = _compact(inst, 3)
    assert status == "infeasible"
    out = solve_by_columns(inst, inst.allowed, 3, None, None)
    assert out.assignment is None


def test_root_bound_and_enumeration_keep_the_optimum():
    cost, demands, caps = random_capacitated(2, 12, 3, 0.9)
    inst = prepare(cost, demands=demands, capacities=caps)
    _, opt, assign = _compact(inst, 3)
    w = np.where(inst.allowed, inst.weighted, np.inf)
    dem = demands.astype(np.intp)
    cap = caps.astype(np.intp)
    root = root_bound(w, dem, cap, inst.required, 3, None, np.inf, None)
    assert root.dw_bound <= root.bound + 1e-9 <= opt + 1e-6
    mult = root.multipliers
    pair = mult.pair_bounds(w, dem, cap, root.triples, inst.required, 3)
    assert (pair[np.arange(inst.n), assign] <= opt + 1e-6).all()
    base = mult.site_bases(inst.required, 3)
    tri, tau = mult.active(root.triples)
    target = opt + 1e-6
    found = enumerate_columns(
        w,
        dem,
        cap,
        inst.allowed & (pair <= target),
        mult.lam,
        tri,
        tau,
        base + (target - mult.value),
        100_000,
    )
    assert found is not None
    sites, members = found
    keys = {(int(s), m.tobytes()) for s, m in zip(sites, members, strict=True)}
    for j in np.unique(assign):
        assert (int(j), (assign == j).tobytes()) in keys


@pytest.mark.parametrize("seed", [4, 5])
def test_p_median_proves_fractional_costs_by_columns(seed):
    # 45 x 45 pairs: heuristic first, then the column path with float costs
    rng = np.random.default_rng(seed)
    pts = rng.uniform(0, 100, size=(45, 2))
    cost = np.linalg.norm(pts[:, None] - pts[None], axis=2)
    demands = rng.integers(1, 8, size=45).astype(float)
    caps = np.full(45, float(np.ceil(demands.sum() / 4 / 0.9)))
    res = p_median(cost, 4, demands=demands, capacities=caps, time_limit=30.0)
    assert "column generation" in res.method
    check_median(res, cost, 4, demands=demands, capacities=caps)
    inst = prepare(cost, demands=demands, capacities=caps)
    status, opt, _ = _compact(inst, 4)
    assert status == "optimal"
    assert res.bound <= opt + 1e-6
    assert res.status == "optimal"
    assert res.objective == pytest.approx(opt)
