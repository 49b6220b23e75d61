"""Staffing rules: named fields, and the P-T-L / P-L-T shorthand."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

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
