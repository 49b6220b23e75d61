"""Shortfall reasons in Indonesian: every sentence the solver writes is known."""

from __future__ import annotations

import pytest

from deploy_opt.export.labels import translate_reason

REASONS = {
    "nearest medical facility H2 is 45.8 min away, limit 30 min": (
        "Faskes terdekat, H2, berjarak 45.8 menit, batas 30 menit"
    ),
    "no candidate team site within 10 min; nearest team at PKM Pluit is 10.4 min away": (
        "tidak ada lokasi tim medis dalam 10 menit; tim terdekat di PKM Pluit "
        "berjarak 10.4 menit"
    ),
    "no candidate team site within 10 min": "tidak ada lokasi tim medis dalam 10 menit",
    "teams too few: 3 of 5 requested placed, the medis headcounts staff 3, none "
    "within 10 min; nearest team at PKM A is 12.5 min away": (
        "tim medis kurang: 3 ditempatkan dari 5 yang diminta, tenaga medis cukup "
        "untuk 3, tidak ada dalam 10 menit; tim terdekat di PKM A berjarak 12.5 menit"
    ),
    "the teams within 10 min are full (at most 40 TPS per team)": (
        "tim medis dalam 10 menit sudah penuh (paling banyak 40 TPS per tim)"
    ),
    "candidate sites within 10 min (nearest PKM B, 2 medis) have fewer than the 3 "
    "medis persons a team needs": (
        "lokasi calon dalam 10 menit (terdekat PKM B, 2 tenaga medis) kurang dari 3 "
        "tenaga medis yang dibutuhkan satu tim"
    ),
    "900 voters exceed a team's capacity of 600 voters": (
        "900 pemilih melebihi kapasitas satu tim (600 pemilih)"
    ),
}


@pytest.mark.parametrize("english", sorted(REASONS))
def test_reason_in_indonesian(english):
    assert translate_reason(english, "id") == REASONS[english]
    assert translate_reason(english, "en") == english


def test_an_unknown_sentence_stays_as_it_is():
    assert translate_reason("something new", "id") == "something new"
