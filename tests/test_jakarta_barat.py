"""The second sample district: Polres Metro Jakarta Barat."""

from __future__ import annotations

from pathlib import Path

from deploy_opt import run

SCENARIO = (
    Path(__file__).resolve().parents[1]
    / "scenarios"
    / "jakarta-barat"
    / "scenario.yaml"
)


def test_jakarta_barat_plan_reports_rule_next_to_published_count():
    outcome = run(SCENARIO, time_limit_s=20)
    summary = outcome.summary
    assert summary["counts"]["stations"] == 7169
    assert summary["check"]["passed"]
    police = summary["counts"]["personnel"]["polri"]
    assert police["published"]["count"] == 900
    # 2-16-32 within each kecamatan: at least sum of ceil(TPS / 16) = 452 groups
    groups = summary["grouping"]
    assert groups["lower_bound"] >= 452  # at least the sum of ceil(TPS / 16)
    assert police["needed_by_rules"] == 2 * groups["groups"] >= 904
    assert police["assigned"] <= 900
    assert set(summary["coverage_by_category"]) == {"kurang_rawan"}
    assert summary["travel_model"] == "road_network"
    # the synthetic TPS far from the 2012 roads are reported, not hidden
    assert any("farther than 250 m from any road" in w for w in summary["warnings"])
    # ... and their legs fall back to the straight line, so none is left alone
    cost = summary["road_data_cost"]
    flagged = sum(1 for reason in outcome.stations["travel_fallback"] if reason)
    assert cost["tps_with_fallback"] == flagged > 0
    assert cost["fallback_tps_alone"] == 0
    assert cost["groups"] == groups["groups"]
    assert cost["groups_lower_bound"] == groups["lower_bound"]
    assert (
        cost["extra_police"] == police["needed_by_rules"] - cost["police_lower_bound"]
    )
