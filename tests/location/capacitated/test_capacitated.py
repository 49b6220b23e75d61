"""Capacitated p-median internals: the MIP, warm starts through highspy, paths."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from location_helpers import check_median, random_capacitated

from deploy_opt.location import LocationInputError, p_median
from deploy_opt.location._mip import solve_mip
from deploy_opt.location._problem import prepare
from deploy_opt.location.capacitated import _small as small
from deploy_opt.location.capacitated import solve_capacitated
from deploy_opt.location.capacitated._location_allocation import flow_assign
from deploy_opt.location.capacitated._model import decode, solve_model, start_vector


def _optimum(inst, p):
    rows, cols = np.nonzero(inst.allowed)
    out = solve_model(inst, p, rows, cols, 60.0)
    assert out.status == "optimal"
    return out.objective, decode(out, rows, cols, inst.n)


def test_warm_start_gives_the_same_optimum():
    cost, demands, caps = random_capacitated(7, 12, 3)
    inst = prepare(cost, demands=demands, capacities=caps)
    opt, assign = _optimum(inst, 3)
    rows, cols = np.nonzero(inst.allowed)
    out = solve_model(inst, 3, rows, cols, 60.0, start=assign)
    assert out.status == "optimal"
    assert out.objective == pytest.approx(opt)


def test_a_start_is_never_lost_when_the_limit_cuts_the_search():
    # a 40-point instance cannot be solved in 10 ms: the start must come back
    cost, demands, caps = random_capacitated(4, 40, 4)
    inst = prepare(cost, demands=demands, capacities=caps)
    start = flow_assign(inst, inst.allowed, np.arange(0, 40, 10))
    assert start is not None
    start_cost = float(inst.weighted[np.arange(inst.n), start].sum())
    rows, cols = np.nonzero(inst.allowed)
    out = solve_model(inst, 4, rows, cols, 0.01, start=start)
    found = decode(out, rows, cols, inst.n)
    assert found is not None
    assert out.objective <= start_cost + 1e-6


def test_start_vector_is_feasible_for_the_model():
    cost, demands, caps = random_capacitated(9, 10, 2)
    inst = prepare(cost, demands=demands, capacities=caps)
    _, assign = _optimum(inst, 2)
    rows, cols = np.nonzero(inst.allowed)
    x = start_vector(inst, 2, rows, cols, assign)
    assert x is not None
    assert x[: rows.size].sum() == inst.n
    assert x[rows.size :].sum() == 2


def test_solve_mip_with_start_reports_infeasible():
    # x0 + x1 >= 3 with binaries: no solution, whatever the start
    a = sp.csr_array(np.array([[1.0, 1.0]]))
    out = solve_mip(
        np.ones(2),
        np.ones(2, dtype=np.int8),
        np.zeros(2),
        np.ones(2),
        a,
        np.array([3.0]),
        np.array([np.inf]),
        None,
        start=np.ones(2),
    )
    assert out.status == "infeasible"
    assert out.x is None


@pytest.mark.parametrize("colgen", [True, False])
def test_heuristic_and_bound_path_is_consistent(colgen, monkeypatch):
    # 45 x 45 = 2,025 pairs: heuristic, then column generation (or, without it,
    # the full model warm-started with the heuristic solution)
    if not colgen:
        monkeypatch.setattr(small, "cg_applicable", lambda *args: False)
    cost, demands, caps = random_capacitated(3, 45, 4)
    res = p_median(cost, 4, demands=demands, capacities=caps, time_limit=30.0)
    assert ("column generation" in res.method) == colgen
    assert "location-allocation + POPMUSIC" in res.method
    check_median(res, cost, 4, demands=demands, capacities=caps)
    assert res.bound <= res.objective + 1e-9
    if res.status == "optimal":
        inst = prepare(cost, demands=demands, capacities=caps)
        opt, _ = _optimum(inst, 4)
        assert res.objective == pytest.approx(opt)


def test_capacitated_solver_needs_capacities():
    inst = prepare(np.ones((3, 3)))
    with pytest.raises(LocationInputError, match="`capacities`"):
        solve_capacitated(inst, 1, time_limit=None, seed=0, start=0.0)


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
