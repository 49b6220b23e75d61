"""run(): one tiny scenario from files to outputs, and the solver settings."""

from __future__ import annotations

import json

import pytest

from deploy_opt import load_scenario, run
from deploy_opt.errors import OutputExistsError
from deploy_opt.pipeline import params_for

OUTPUTS = ["roster.csv", "stations.csv", "summary.json"]


@pytest.fixture
def scenario_path(make_scenario):
    stations = [
        {"id": "A", "x": 0, "y": 0},
        {"id": "B", "x": 100, "y": 0},
        {"id": "R", "x": 3000, "y": 0, "category": "rawan"},
    ]
    bases = [
        {"id": "PS", "kind": "polsek", "x": 0, "y": 1000, "polri": 4},
        {
            "id": "KEL",
            "kind": "kelurahan",
            "x": 0,
            "y": 0,
            "kecamatan": "Kec A",
            "kelurahan": "Kel A",
            "linmas": 8,
        },
        {"id": "PKM", "kind": "puskesmas", "x": 0, "y": 0},
    ]
    return make_scenario(stations, bases)


def _files(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_run_writes_the_three_outputs(scenario_path, tmp_path):
    out = tmp_path / "runs" / "plan"  # the parent is created too
    outcome = run(scenario_path, out, reproducible=True)
    assert outcome.report.passed and outcome.out_dir == out
    assert sorted(p.name for p in out.iterdir()) == OUTPUTS
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["counts"]["stations"] == 3 and summary["check"]["passed"]
    assert len(outcome.stations) == 3
    # no staging folder is left next to the output
    assert [p.name for p in out.parent.iterdir()] == ["plan"]


def test_run_without_a_folder_writes_nothing(scenario_path, tmp_path):
    outcome = run(scenario_path, None, reproducible=True)
    assert outcome.out_dir is None and outcome.report.passed
    assert sorted(p.name for p in scenario_path.parent.iterdir()) == [
        "bases.csv",
        "scenario.yaml",
        "tps.csv",
    ]


def test_existing_output_is_not_clobbered(scenario_path, tmp_path):
    out = tmp_path / "plan"
    run(scenario_path, out, reproducible=True)
    before = _files(out)
    with pytest.raises(OutputExistsError, match="--overwrite"):
        run(scenario_path, out, seed=3, reproducible=True)
    assert _files(out) == before
    run(scenario_path, out, overwrite=True, reproducible=True)
    assert _files(out) == before


def test_foreign_folder_is_never_replaced(scenario_path, tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(OutputExistsError):
        run(scenario_path, out, overwrite=True, reproducible=True)
    assert _files(out) == {"notes.txt": b"keep me"}


def test_reruns_are_byte_identical(scenario_path, tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    run(scenario_path, first, seed=4, reproducible=True)
    run(scenario_path, second, seed=4, reproducible=True)
    assert _files(first) == _files(second)


def test_params_come_from_the_scenario_unless_overridden(scenario_path):
    scenario = load_scenario(scenario_path)
    spec = scenario.spec.solver
    default = params_for(scenario, None, None)
    assert (default.time_limit_s, default.seed) == (spec.time_limit_s, spec.seed)
    assert default.workers == 1 and not default.reproducible
    assert default.grouping_refine_s == spec.grouping_refine_s
    given = params_for(scenario, 3.5, 9, 2, reproducible=True)
    assert (given.time_limit_s, given.seed, given.workers) == (3.5, 9, 2)
    assert given.reproducible
