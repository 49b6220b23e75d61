"""Reproducible runs: deterministic limits only, identical outputs, honest status.

The instance: 12 TPS in a row 1 km apart, each its own group needing 2 police,
and 6 bases of 3 police between pairs of TPS; the travel limit (2 min) lets a
base reach only its two neighbours. The min-cost flow leaves groups partly
staffed, so CP-SAT decides the contested parts.
"""

from __future__ import annotations

import json

from deploy_opt import SolveParams, build_problem, build_travel_model, load_scenario
from deploy_opt.pipeline import run
from deploy_opt.solvers import solve_plan

CATEGORIES = {"kurang_rawan": {"weight": 1, "police": 2, "tps": 1, "linmas": 0}}
PAIRS = {
    "kurang_rawan": {
        "weight": 1,
        "police": 2,
        "tps": 2,
        "linmas": 0,
        "max_group_minutes": 10,
    }
}


def contested(make_scenario, categories=CATEGORIES):
    stations = [{"id": f"T{i:02d}", "x": 1000 * i, "y": 0} for i in range(12)]
    bases = [
        {"id": f"PS{j}", "kind": "polsek", "x": 2000 * j + 500, "y": 0, "polri": 3}
        for j in range(6)
    ]
    return make_scenario(
        stations, bases, categories=categories, limits={"polri": 2, "tni": 2}
    )


def test_a_stage_cut_short_makes_the_plan_feasible_with_its_reason(
    make_scenario, tmp_path
):
    # a deterministic-time limit far too small for CP-SAT to prove anything
    outcome = run(
        contested(make_scenario),
        tmp_path / "out",
        time_limit_s=1e-6,
        reproducible=True,
    )
    summary = outcome.summary
    json.dumps(summary, allow_nan=False)  # strict JSON, stages included
    assert outcome.result.params.reproducible
    assert outcome.report.passed
    assert summary["status"] == "feasible"
    assert any(
        r.startswith("polri: CP-SAT stopped at its limit, gap ")
        for r in summary["status_reasons"]
    ), summary["status_reasons"]
    polri = next(s for s in summary["stages"] if s["stage"] == "polri")
    assert not polri["proven"] and polri["status"] == "feasible"
    assert polri["bound"] < polri["objective"]
    assert summary["status_covers"] == ["grouping", "polri", "tni", "linmas"]


def test_the_same_contested_plan_with_time_is_proven(make_scenario, tmp_path):
    outcome = run(contested(make_scenario), None, time_limit_s=5, reproducible=True)
    assert outcome.summary["status"] == "optimal"
    assert outcome.summary["status_reasons"] == []
    assert all(stage["proven"] for stage in outcome.summary["stages"])


def test_reproducible_runs_give_identical_outputs(make_scenario, tmp_path):
    path = contested(make_scenario)
    outputs = []
    for k in range(2):
        out = tmp_path / f"out{k}"
        run(path, out, time_limit_s=0.02, seed=3, workers=2, reproducible=True)
        outputs.append({f.name: f.read_bytes() for f in sorted(out.iterdir())})
    assert outputs[0] == outputs[1]
    assert set(outputs[0]) >= {"stations.csv", "roster.csv", "summary.json"}


def test_reproducible_run_skips_the_wall_clock_refinement(make_scenario):
    scenario = load_scenario(contested(make_scenario, PAIRS))
    data = build_problem(scenario, build_travel_model(scenario.spec.travel))
    fixed = solve_plan(
        data, SolveParams(time_limit_s=5, grouping_refine_s=1, reproducible=True)
    )
    assert fixed.grouping.spread_bound_s is None
    assert "refinement skipped" in fixed.stages[0].method
    free = solve_plan(data, SolveParams(time_limit_s=5, grouping_refine_s=1))
    assert free.grouping.spread_bound_s is not None
    assert "skipped" not in free.stages[0].method
