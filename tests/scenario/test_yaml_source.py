"""The YAML loader: limits, duplicate keys and what stays allowed."""

from __future__ import annotations

import pytest

from deploy_opt import ScenarioError
from deploy_opt.scenario.yaml_source import MAX_ALIASES, YamlDocument


def _doc(tmp_path, text: str) -> YamlDocument:
    path = tmp_path / "s.yaml"
    path.write_text(text)
    return YamlDocument(path)


def test_merge_keys_and_a_few_aliases_stay_allowed(tmp_path):
    doc = _doc(
        tmp_path,
        "base: &car {speed_kmh: 25, max_minutes: 30}\n"
        "polri: *car\n"
        "tni:\n  <<: *car\n  max_minutes: 20\n",
    )
    assert doc.issues == []
    assert doc.data["tni"] == {"speed_kmh": 25, "max_minutes": 20}
    assert (
        doc.line_of(("tni", "max_minutes")) == 5
    )  # the key itself, not the merged one


def test_duplicate_keys_are_reported_at_every_level_and_the_data_keeps_the_later(
    tmp_path,
):
    doc = _doc(tmp_path, "a: 1\nb:\n  c: 1\n  c: 2\na: 3\n")
    found = sorted((i.field, i.line) for i in doc.issues)
    assert found == [("a", 5), ("b.c", 4)]
    assert doc.data == {"a": 3, "b": {"c": 2}}


def test_equal_keys_written_differently_are_duplicates(tmp_path):
    doc = _doc(tmp_path, "1: x\n1.0: y\n")  # the same key once loaded
    assert [i.line for i in doc.issues] == [2]


def test_alias_count_limit_is_exact(tmp_path):
    lines = ["v: &v 1", *(f"k{i}: *v" for i in range(MAX_ALIASES))]
    assert _doc(tmp_path, "\n".join(lines) + "\n").issues == []
    with pytest.raises(ScenarioError, match="aliases"):
        _doc(tmp_path, "\n".join([*lines, "extra: *v"]) + "\n")


def test_tab_in_a_text_value_is_allowed_but_not_in_a_key(tmp_path):
    doc = _doc(tmp_path, 'description: "a\\tb"\n"na\\tme": 1\n')
    assert [(i.line, "tab" in i.message) for i in doc.issues] == [(2, True)]
