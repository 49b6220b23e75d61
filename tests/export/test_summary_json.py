"""summary.json is strict JSON: a value that is not a finite number is null, with a note."""

from __future__ import annotations

import json

import numpy as np

from deploy_opt import build_problem, build_travel_model, check_plan, load_scenario
from deploy_opt.baseline import manual_plan
from deploy_opt.export.summary import build_summary, strict_json, to_json_bytes


def strict_loads(data: bytes) -> object:
    """Parse as strict JSON: NaN, Infinity and -Infinity are errors."""

    def refuse(name: str) -> None:
        raise AssertionError(f"summary.json holds {name}, which is not JSON")

    return json.loads(data, parse_constant=refuse)


def test_non_finite_numbers_become_null_with_a_reason():
    summary = {
        "gap": float("nan"),
        "bound": float("inf"),
        "teams": {"objective": np.float64("-inf"), "count": np.int64(3)},
        "minutes": [1.5, float("nan"), 2.0],
        "fine": 0.25,
    }
    loaded = strict_loads(to_json_bytes(summary))
    assert loaded["gap"] is None and "NaN" in loaded["gap_note"]
    assert loaded["bound"] is None and "+Infinity" in loaded["bound_note"]
    assert loaded["teams"] == {
        "objective": None,
        "objective_note": loaded["teams"]["objective_note"],
        "count": 3,
    }
    assert "-Infinity" in loaded["teams"]["objective_note"]
    assert loaded["minutes"] == [1.5, None, 2.0]
    assert loaded["minutes_note"].startswith("entries [1] are null because")
    assert loaded["fine"] == 0.25 and "fine_note" not in loaded


def test_a_note_given_by_the_summary_is_kept():
    out = strict_json({"gap": float("nan"), "gap_note": "teams stand at given sites"})
    assert out == {"gap": None, "gap_note": "teams stand at given sites"}


def test_float_subclasses_and_numpy_scalars_are_cleaned_too():
    loaded = strict_loads(
        to_json_bytes({"x": np.float32("nan"), "y": (np.float64("inf"),)})
    )
    assert loaded["x"] is None and loaded["y"] == [None]
    assert "x_note" in loaded and "y_note" in loaded


def test_a_real_summary_with_an_undefined_gap(make_scenario):
    # the manual baseline stands the medical team at the first candidate site:
    # no model is solved, so the team stage has no objective, bound or gap
    stations = [{"id": "A", "x": 0, "y": 0}, {"id": "B", "x": 200, "y": 0}]
    bases = [
        {"id": "PS", "kind": "polsek", "x": 100, "y": 0, "polri": 10},
        {
            "id": "KEL",
            "kind": "kelurahan",
            "x": 0,
            "y": 0,
            "kecamatan": "Kec A",
            "kelurahan": "Kel A",
            "linmas": 10,
        },
        {"id": "PKM", "kind": "puskesmas", "x": 100, "y": 100, "medis": 3},
    ]
    extra = {"medical_teams": {"teams": 1, "threshold_minutes": 5}}
    scenario = load_scenario(make_scenario(stations, bases, extra=extra))
    data = build_problem(scenario, build_travel_model(scenario.spec.travel))
    result = manual_plan(data)
    assert result.teams is not None
    summary = build_summary(data, result, check_plan(data, result), scenario_name="t")
    loaded = strict_loads(to_json_bytes(summary))
    assert loaded["medical_teams"]["gap"] is None
    assert loaded == json.loads(json.dumps(summary))  # the same data in memory
