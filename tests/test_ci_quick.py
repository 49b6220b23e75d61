"""Quality gates of the CI quick benchmark (``benchmarks/ci_quick.py``) on doctored summaries.

No solve: a summary shaped like ``summary.json`` keeps every gate; each
regression (checker, a category's coverage, the manual method, the gaps,
medical teams) must be reported with the case and the figure named.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("ci_quick", BENCH / "ci_quick.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


ci_quick = _load()

QUALITY = {
    "cases": {
        "tk": {
            "coverage_floor": {"rawan": 1.0, "kurang_rawan": 0.98},
            "coverage_gap_max": 0.001,
            "gap_max": 0.0,
        }
    }
}


def summary() -> dict[str, Any]:
    """A summary that keeps every gate of case ``tk``."""
    return {
        "status": "optimal",
        "gap": 0.0,
        "coverage": 0.985,
        "coverage_bound": 0.9855,
        "coverage_gap": 0.0005,
        "coverage_by_category": {
            "rawan": {"stations": 22, "covered": 22, "fraction": 1.0},
            "kurang_rawan": {"stations": 1000, "covered": 980, "fraction": 0.98},
        },
        "medical_teams": {"requested": 3, "placed": 3},
        "check": {"passed": True, "violations": []},
    }


def test_a_summary_at_its_limits_keeps_every_gate() -> None:
    assert ci_quick.quality_violations("tk", summary(), 0.8, QUALITY) == []


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def edit(s: dict[str, Any]) -> None:
        *keys, last = path.split(".")
        for k in keys:
            s = s[k]
        s[last] = value

    return edit


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (_set("check", {"passed": False, "violations": ["x"]}), "checker failed"),
        (_set("coverage_by_category.kurang_rawan.fraction", 0.979), "below its floor"),
        (_set("coverage_by_category.rawan.fraction", 0.95), "rawan 0.950000 below"),
        (lambda s: s["coverage_by_category"].pop("rawan"), "rawan missing"),
        (
            _set("coverage_by_category.khusus", {"fraction": 1.0}),
            "khusus has no recorded floor",
        ),
        (_set("coverage_gap", 0.0011), "coverage_gap 0.001100 above its ceiling"),
        (_set("coverage_gap", None), "coverage_gap missing"),
        (_set("gap", 0.01), "gap 0.010000 above its ceiling"),
        (_set("gap", None), "gap missing"),
        (_set("medical_teams.placed", 0), "0 of 3 requested medical teams"),
        (_set("coverage", 0.8), "not above the manual method's"),
    ],
)
def test_each_regression_is_reported(
    edit: Callable[[dict[str, Any]], None], expected: str
) -> None:
    doctored = copy.deepcopy(summary())
    edit(doctored)
    found = ci_quick.quality_violations("tk", doctored, 0.8, QUALITY)
    assert len(found) == 1, found
    assert found[0].startswith("tk: ") and expected in found[0]


def test_manual_method_covering_all_needs_equal_not_more() -> None:
    full = copy.deepcopy(summary())
    full["coverage"] = 1.0
    assert ci_quick.quality_violations("tk", full, 1.0, QUALITY) == []
    found = ci_quick.quality_violations("tk", summary(), 1.0, QUALITY)
    assert len(found) == 1 and "below the manual method's" in found[0]


def test_a_case_without_recorded_limits_fails() -> None:
    found = ci_quick.quality_violations("other", summary(), 0.8, QUALITY)
    assert found and "no recorded limits" in found[0]


def test_region_view_weights_districts_by_their_risk_weight() -> None:
    region = {
        "status": "feasible",
        "coverage_by_category": {},
        "counts": {},
        "medical_teams": {"requested": 2, "placed": 2},
        "check": {"passed": True},
    }
    districts = [
        {"coverage": 1.0, "coverage_bound": 1.0, "gap": 0.0},
        {"coverage": 0.5, "coverage_bound": 0.75, "gap": 0.02},
    ]
    view = ci_quick.region_view(region, districts, [100, 300])
    assert view["coverage"] == pytest.approx((100 + 150) / 400)
    assert view["coverage_bound"] == pytest.approx((100 + 225) / 400)
    assert view["coverage_gap"] == pytest.approx((325 - 250) / 325)
    assert view["gap"] == 0.02
    districts[0]["coverage_bound"] = None
    assert ci_quick.region_view(region, districts, [100, 300])["coverage_gap"] is None


def test_recorded_limits_cover_every_case() -> None:
    quality = json.loads((BENCH / "ci_quality.json").read_text())
    for case in ci_quick.CASES:
        limits = quality["cases"][case.name]
        assert limits["coverage_floor"], case.name
        assert 0.0 <= limits["coverage_gap_max"] <= 1.0
        assert 0.0 <= limits["gap_max"] <= 1.0
