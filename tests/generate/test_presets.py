"""Preset district lists at full scale (no TPS are generated) and the helpers."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deploy_opt.generate import rules
from deploy_opt.generate.apportion import split_with_bounds, weighted_pick
from deploy_opt.generate.names import unique_names
from deploy_opt.generate.presets import MAX_DISTRICT_TPS, nasional, polda_metro_jaya


def _category_totals(specs) -> dict[str, int]:
    return {c: sum(s.categories[c] for s in specs) for c in rules.PMJ_MIX}


def test_polda_metro_jaya_published_counts() -> None:
    specs = polda_metro_jaya(seed=0)
    assert len(specs) >= 5
    assert sum(s.stations for s in specs) == 65_495
    assert _category_totals(specs) == {
        "kurang_rawan": 63_854,
        "rawan": 1_548,
        "sangat_rawan": 53,
        "khusus": 40,
    }
    size = {s.name: s.stations for s in specs}
    assert size["Polres Metro Jakarta Barat"] == 7_169
    assert size["Polres Metro Jakarta Utara"] == 4_802
    assert size["Polres Metro Tangerang Kota"] == 6_940
    assert sum(s.stations for s in specs if s.province == "DKI Jakarta") == 30_766
    assert len({s.folder for s in specs}) == len(specs)
    assert all(s.categories["kurang_rawan"] >= 0 for s in specs)


def test_nasional_structure() -> None:
    specs = nasional(seed=0)
    assert sum(s.stations for s in specs) == 820_161
    assert len(specs) == 514  # one Polres per kabupaten/kota
    assert len({s.polda for s in specs}) == len({s.province for s in specs}) == 34
    assert len({s.folder for s in specs}) == len({s.code for s in specs}) == 514
    per_province = {}
    for s in specs:
        per_province[s.province] = per_province.get(s.province, 0) + s.stations
    for province, tps in rules.PUBLISHED_PROVINCES:
        assert per_province[province] == tps
    assert max(s.stations for s in specs) <= MAX_DISTRICT_TPS
    totals = _category_totals(specs)
    share = {c: n / rules.PMJ_TPS for c, n in rules.PMJ_MIX.items()}
    for category, count in totals.items():
        assert abs(count - share[category] * 820_161) <= 1
    assert all(-11 < s.lat < 6 and 95 < s.lon < 141 for s in specs)


def test_nasional_scaled_keeps_the_structure() -> None:
    specs = nasional(seed=2, scale=0.01)
    assert len(specs) == 514
    assert sum(s.stations for s in specs) == round(820_161 * 0.01)
    assert min(s.stations for s in specs) >= 10


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(0.01, 100), min_size=1, max_size=30),
    st.integers(0, 5),
    st.integers(0, 5_000),
)
def test_split_with_bounds(shares: list[float], low: int, extra: int) -> None:
    total = low * len(shares) + extra
    high = low + max(1, -(-extra // len(shares)) + 3)
    parts = split_with_bounds(total, np.array(shares), low=low, high=high)
    assert parts.sum() == total
    assert parts.min() >= low
    assert parts.max() <= high


def test_split_with_bounds_refuses_impossible() -> None:
    with pytest.raises(ValueError, match="cannot split"):
        split_with_bounds(10, np.ones(3), low=4)


def test_weighted_pick_distinct_and_favours_weight() -> None:
    rng = np.random.default_rng(0)
    weights = np.r_[np.full(100, 4.0), np.ones(900)]
    picks = [weighted_pick(weights, 50, rng) for _ in range(50)]
    assert all(len(np.unique(p)) == 50 for p in picks)
    heavy = np.mean([np.mean(p < 100) for p in picks])
    assert heavy > 0.25  # 100 of 1,000 items, but 4x the weight: about 0.3


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(1, 8000), min_size=1, max_size=6), st.integers(0, 99))
def test_names_unique_within_group(sizes: list[int], seed: int) -> None:
    names = unique_names(np.array(sizes), np.random.default_rng(seed))
    start = 0
    for size in sizes:
        group = names[start : start + size]
        assert len(set(group)) == size
        assert all(isinstance(n, str) and n == n.strip() and n for n in group)
        start += size
