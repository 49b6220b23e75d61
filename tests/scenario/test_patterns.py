"""Staffing rules: named fields, and the P-T-L / P-L-T shorthand."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from deploy_opt import ScenarioError, load_scenario
from deploy_opt.scenario.schema import CategorySpec


def test_named_fields():
    rule = CategorySpec(weight=1, police=2, tps=16, linmas=2)
    assert (rule.police, rule.tps, rule.linmas, rule.rule) == (2, 16, 2, "2-16-32")


def test_ptl_pattern():
    rule = CategorySpec(weight=1, pattern="2-16-32", pattern_order="P-T-L")
    assert (rule.police, rule.tps, rule.linmas) == (2, 16, 2)


def test_plt_pattern_of_polda_metro_jaya_2014():
    # "2:10:5 = 2 police with 10 Linmas secure 5 TPS" (domain.md 1.1)
    rule = CategorySpec(weight=1, pattern="2:10:5", pattern_order="P-L-T")
    assert (rule.police, rule.tps, rule.linmas) == (2, 5, 2)


def test_pattern_and_contradicting_field():
    with pytest.raises(ValidationError, match="contradicts"):
        CategorySpec(weight=1, pattern="2-2-4", pattern_order="P-T-L", tps=3)


def test_missing_rule():
    with pytest.raises(ValidationError, match="missing tps"):
        CategorySpec(weight=1, police=2, linmas=2)


# --- ladders: several rules, densest first ---------------------------------

LADDER = ["2-12-24", "2-14-28", "2-16-32"]


def test_pattern_ladder_keeps_the_densest_in_the_named_fields():
    rule = CategorySpec(weight=1, pattern=LADDER, pattern_order="P-T-L", tni=1)
    assert (rule.police, rule.tps, rule.linmas) == (2, 12, 2)
    assert [r.text for r in rule.ladder] == LADDER
    assert {r.tni for r in rule.ladder} == {1}


def test_single_rule_is_a_ladder_of_one():
    named = CategorySpec(weight=1, police=2, tps=16, linmas=2)
    pattern = CategorySpec(weight=1, pattern="2-16-32", pattern_order="P-T-L")
    assert named.ladder == pattern.ladder
    assert [r.text for r in named.ladder] == ["2-16-32"]


def test_plt_ladder():
    rule = CategorySpec(weight=1, pattern=["2:10:5", "2:20:10"], pattern_order="P-L-T")
    assert [(r.police, r.tps, r.linmas) for r in rule.ladder] == [(2, 5, 2), (2, 10, 2)]


def test_named_rules_ladder():
    rule = CategorySpec(
        weight=1,
        rules=[
            {"police": 2, "tps": 12, "linmas": 2},
            {"police": 2, "tps": 16, "linmas": 2},
        ],
    )
    assert (rule.police, rule.tps, rule.linmas) == (2, 12, 2)
    assert [r.text for r in rule.ladder] == ["2-12-24", "2-16-32"]


@pytest.mark.parametrize(
    ("patterns", "fragment"),
    [
        (["2-16-32", "2-12-24"], "pattern[1] 2-12-24 is denser than pattern[0]"),
        (["2-12-24", "4-16-32"], "pattern[1] 4-16-32 is denser than pattern[0]"),
        (["2-12-24", "3-12-24"], "denser than"),
        (["2-12-24", "2-16-32", "2-12-24"], "repeats pattern[0]"),
        (["2-12-24", "2-16-48"], "same Linmas per TPS"),
        (["2-12-24", "1001-1-2"], "pattern[1]: pattern '1001-1-2' asks 1,001 police"),
        (["1-1001-2"], "asks 1,001 TPS"),
        (["99999999999999999999-1-2"], "police per group; at most 1,000"),
        (["2-1-99999999999999999999"], "Linmas per TPS; at most 1,000"),
        (["9" * 5000 + "-1-2"], "at most 1,000"),
        (["2-12-24", "2-16"], "pattern[1]: pattern '2-16' is not three numbers"),
        ([], "lists no rule"),
    ],
)
def test_bad_ladders_are_refused(patterns, fragment):
    with pytest.raises(ValidationError) as caught:
        CategorySpec(weight=1, pattern=patterns, pattern_order="P-T-L")
    assert fragment in str(caught.value)


def test_looser_rule_with_fewer_police_per_tps_is_accepted():
    rule = CategorySpec(weight=1, pattern=["3-12-24", "2-12-24"], pattern_order="P-T-L")
    assert [r.police for r in rule.ladder] == [3, 2]


def test_single_pattern_out_of_bounds_is_refused_like_the_named_field():
    with pytest.raises(ValidationError, match="1,001 police"):
        CategorySpec(weight=1, pattern="1001-1-2", pattern_order="P-T-L")
    with pytest.raises(ValidationError, match="less than or equal to 1000"):
        CategorySpec(weight=1, police=1001, tps=1, linmas=2)


@pytest.mark.parametrize(
    ("fields", "fragment"),
    [
        ({"rules": []}, "lists no rule"),
        (
            {"rules": [{"police": 2, "tps": 12, "linmas": 2}], "police": 2},
            "either as `rules` or as police",
        ),
        (
            {
                "rules": [{"police": 2, "tps": 12, "linmas": 2}],
                "pattern": "2-12-24",
                "pattern_order": "P-T-L",
            },
            "either as `rules` or as pattern",
        ),
        (
            {"rules": [{"police": 1001, "tps": 12, "linmas": 2}]},
            "less than or equal to 1000",
        ),
        (
            {
                "rules": [
                    {"police": 2, "tps": 16, "linmas": 2},
                    {"police": 2, "tps": 12, "linmas": 2},
                ]
            },
            "rules[1] 2-12-24 is denser than rules[0] 2-16-32",
        ),
    ],
)
def test_bad_named_rules_are_refused(fields, fragment):
    with pytest.raises(ValidationError) as caught:
        CategorySpec(weight=1, **fields)
    assert fragment in str(caught.value)


def _ladder_scenario(make_scenario, kurang_rawan: dict[str, object]):
    stations = [{"id": "A", "x": 0, "y": 0}]
    bases = [{"id": "PS", "kind": "polsek", "x": 0, "y": 500, "polri": 4}]
    categories = {"kurang_rawan": {"weight": 1, **kurang_rawan}}
    return make_scenario(stations, bases, categories=categories)


def _issue(path, fragment: str):
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    matching = [i for i in caught.value.issues if fragment in i.message]
    assert matching, [str(i) for i in caught.value.issues]
    return matching[0]


def test_ladder_error_names_file_field_and_line(make_scenario):
    path = _ladder_scenario(
        make_scenario, {"pattern": ["2-12-24", "1001-1-2"], "pattern_order": "P-T-L"}
    )
    issue = _issue(path, "pattern[1]: pattern '1001-1-2' asks 1,001 police")
    text = path.read_text(encoding="utf-8").splitlines()
    assert Path(issue.file) == path
    assert issue.field == "categories.kurang_rawan"
    assert "kurang_rawan:" in text[issue.line - 1]


def test_named_rule_error_points_at_the_rule(make_scenario):
    path = _ladder_scenario(
        make_scenario,
        {
            "rules": [
                {"police": 2, "tps": 12, "linmas": 2},
                {"police": 2, "tps": 0, "linmas": 2},
            ]
        },
    )
    issue = _issue(path, "greater than 0")
    assert issue.field == "categories.kurang_rawan.rules[1].tps"
    assert issue.line is not None


def test_looser_rule_below_the_body_system_minimum_is_refused(make_scenario):
    path = _ladder_scenario(
        make_scenario, {"pattern": ["2-12-24", "1-12-24"], "pattern_order": "P-T-L"}
    )
    issue = _issue(path, "rule 1-12-24: 1 officer(s) per group is below the minimum")
    assert issue.field == "categories.kurang_rawan.pattern"


def test_valid_ladder_scenario_loads(make_scenario):
    path = _ladder_scenario(
        make_scenario, {"pattern": ["2-12-24", "2-16-32"], "pattern_order": "P-T-L"}
    )
    scenario = load_scenario(path)
    spec = scenario.spec.categories["kurang_rawan"]
    assert [r.text for r in spec.ladder] == ["2-12-24", "2-16-32"]
