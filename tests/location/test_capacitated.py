"""Capacitated p-median internals: integer-knapsack Lagrangian, warm starts."""

from __future__ import annotations

import numpy as np
import pytest
from location_helpers import check_median, random_capacitated

from deploy_opt.location import _mip as mip
from deploy_opt.location import capacitated, p_median
from deploy_opt.location._cap_heuristics import flow_assign
from deploy_opt.location._cap_model import decode, solve_model
from deploy_opt.location._knapsack_lr import dp_applicable, knapsack_lagrangian
from deploy_opt.location._problem import prepare


def _optimum(inst, p):
    rows, cols = np.nonzero(inst.allowed)
    out = solve_model(inst, p, rows, cols, 60.0)
    assert out.status == "optimal"
    return out.objective, decode(out, rows, cols, inst.n)


@pytest.mark.parametrize("seed", range(4))
def test_knapsack_lagrangian_bound_and_fixing_are_valid(seed):
    cost, demands, caps = random_capacitated(seed, 14, 3)
    inst = prepare(cost, demands=demands, capacities=caps)
    assert dp_applicable(inst.demands, caps, inst.n, inst.m)
    opt, assign = _optimum(inst, 3)
    for ub in (opt, opt * 1.1):
        lr = knapsack_lagrangian(
            inst.weighted, inst.allowed, inst.demands, caps, inst.required, 3, ub, None
        )
        assert lr.bound <= opt + 1e-6
        # every pair of an optimal solution keeps a bound no larger than opt
        assert (lr.pair_bound[np.arange(inst.n), assign] <= opt + 1e-6).all()


def test_dp_not_applicable_to_fractional_demands():
    assert not dp_applicable(np.array([1.5, 2.0]), np.array([4.0, 4.0]), 2, 2)
    assert not dp_applicable(np.ones(3000), np.full(3000, 3000.0), 3000, 3000)


def test_warm_start_gives_the_same_optimum():
    cost, demands, caps = random_capacitated(7, 12, 3)
    inst = prepare(cost, demands=demands, capacities=caps)
    opt, assign = _optimum(inst, 3)
    rows, cols = np.nonzero(inst.allowed)
    out = solve_model(inst, 3, rows, cols, 60.0, start=assign)
    assert out.status == "optimal"
    assert out.objective == pytest.approx(opt)


def test_warm_start_falls_back_without_the_binding(monkeypatch):
    def broken(*args, **kwargs):
        raise ImportError

    monkeypatch.setattr(mip, "_solve_with_start", broken)
    cost, demands, caps = random_capacitated(8, 10, 2)
    inst = prepare(cost, demands=demands, capacities=caps)
    opt, assign = _optimum(inst, 2)
    rows, cols = np.nonzero(inst.allowed)
    out = solve_model(inst, 2, rows, cols, 60.0, start=assign)
    assert out.objective == pytest.approx(opt)


@pytest.mark.parametrize("colgen", [True, False])
def test_heuristic_and_bound_path_is_consistent(colgen, monkeypatch):
    # 45 x 45 = 2,025 pairs: heuristic, then column generation (or, without it,
    # the knapsack Lagrangian) and the exact phase
    if not colgen:
        monkeypatch.setattr(capacitated, "cg_applicable", lambda *args: False)
    cost, demands, caps = random_capacitated(3, 45, 4)
    res = p_median(cost, 4, demands=demands, capacities=caps, time_limit=30.0)
    expected = "column generation" if colgen else "knapsack lagrangian"
    assert expected in res.method
    check_median(res, cost, 4, demands=demands, capacities=caps)
    assert res.bound <= res.objective + 1e-9
    if res.status == "optimal":
        inst = prepare(cost, demands=demands, capacities=caps)
        opt, _ = _optimum(inst, 4)
        assert res.objective == pytest.approx(opt)


def test_warm_start_binding_is_used():
    pytest.importorskip("scipy.optimize._highspy._core")
    cost, demands, caps = random_capacitated(9, 10, 2)
    inst = prepare(cost, demands=demands, capacities=caps)
    opt, assign = _optimum(inst, 2)
    rows, cols = np.nonzero(inst.allowed)
    calls = []
    original = mip._solve_with_start

    def spy(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    mp = pytest.MonkeyPatch()
    mp.setattr(mip, "_solve_with_start", spy)
    try:
        out = solve_model(inst, 2, rows, cols, 60.0, start=assign)
    finally:
        mp.undo()
    assert calls
    assert out.status == "optimal"
    assert out.objective == pytest.approx(opt)


@pytest.mark.parametrize("seed", range(3))
def test_flow_assignment_is_feasible(seed):
    cost, demands, caps = random_capacitated(seed, 60, 6)
    inst = prepare(cost, demands=demands, capacities=caps)
    sites = np.arange(0, 60, 10)
    assign = flow_assign(inst, inst.allowed, sites)
    assert assign is not None
    assert set(np.unique(assign)) <= set(sites.tolist())
    load = np.bincount(assign, weights=demands, minlength=60)
    assert (load <= caps + 1e-9).all()
