"""Every text cell of the CSV files is neutralised (formulas, control characters)."""

from __future__ import annotations

import csv
import io
import re

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from deploy_opt.export.cells import safe_text
from deploy_opt.export.tables import to_csv_bytes

CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


@pytest.mark.parametrize(
    ("text", "safe"),
    [
        ("Kel\x00urahan", "Kel\\x00urahan"),
        ("\x00=1+1", "\\x00=1+1"),
        ("\t=1+1", "\\x09=1+1"),  # escaped: no longer a formula start
        ("line\nbreak\r", "line\\x0abreak\\x0d"),
        ("bell\x07 del\x7f c1\x85", "bell\\x07 del\\x7f c1\\x85"),
        ("abc\u202edcba", "abc\\u202edcba"),  # right-to-left override
        ("para\u2029", "para\\u2029"),
        ("ꦕꦶꦭꦺꦝꦸꦒ꧀ Cilédug", "ꦕꦶꦭꦺꦝꦸꦒ꧀ Cilédug"),  # scripts and accents kept
        ("=1+1\x00", "'=1+1\\x00"),
        ("-1e3", "-1e3"),  # a number stays a number
        ("-inf", "'-inf"),  # not a finite number: a spreadsheet may read text
        (None, ""),
        (7, "7"),
    ],
)
def test_control_characters_are_escaped(text, safe):
    assert safe_text(text) == safe


@given(st.text())
def test_safe_text_is_safe_and_idempotent(text):
    safe = safe_text(text)
    assert not CONTROL.search(safe)
    assert safe_text(safe) == safe
    if safe[:1] in {"=", "+", "-", "@"}:
        float(safe)  # only a plain number may start like a formula


def test_every_text_column_of_a_table_is_neutralised():
    frame = pd.DataFrame(
        {
            "category": ["=cmd|' /C calc'!A0", "rawan"],
            "group_id": ["@SUM(A1)-KEC-001", "rawan-KEC-001"],
            "count": [1, 2],
            "minutes": [1.5, float("nan")],
            "covered": [True, False],
            "mixed": ["+62 811", None],
            "=header": ["x\x00y", "ok"],
        }
    )
    rows = list(csv.reader(io.StringIO(to_csv_bytes(frame).decode("utf-8"))))
    assert rows[0][-1] == "'=header"
    first = ["'=cmd|' /C calc'!A0", "'@SUM(A1)-KEC-001", "1", "1.5", "True"]
    assert rows[1] == [*first, "'+62 811", "x\\x00y"]
    assert rows[2] == ["rawan", "rawan-KEC-001", "2", "", "False", "", "ok"]
    assert b"\x00" not in to_csv_bytes(frame)
