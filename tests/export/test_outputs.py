"""Output files: atomic directory writes and spreadsheet-safe text."""

from __future__ import annotations

import json

import pytest

from deploy_opt.errors import OutputExistsError
from deploy_opt.export.atomic import write_directory
from deploy_opt.export.cells import safe_text


def test_writes_all_files(tmp_path):
    out = tmp_path / "plan"
    write_directory(out, {"a.csv": b"x\n", "summary.json": b"{}"}, overwrite=False)
    assert sorted(p.name for p in out.iterdir()) == ["a.csv", "summary.json"]


def test_refuses_existing_without_overwrite(tmp_path):
    out = tmp_path / "plan"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    with pytest.raises(OutputExistsError, match="--overwrite"):
        write_directory(out, {"a.csv": b""}, overwrite=False)
    assert (out / "keep.txt").read_text() == "mine"


def test_replaces_own_output(tmp_path):
    out = tmp_path / "plan"
    write_directory(
        out,
        {"summary.json": json.dumps({"tool": "deploy_opt"}).encode(), "old.csv": b""},
        overwrite=False,
    )
    write_directory(
        out,
        {"summary.json": json.dumps({"tool": "deploy_opt", "n": 2}).encode()},
        overwrite=True,
    )
    assert [p.name for p in out.iterdir()] == ["summary.json"]
    assert json.loads((out / "summary.json").read_text())["n"] == 2


def test_failure_while_writing_leaves_previous_output(tmp_path):
    out = tmp_path / "plan"
    write_directory(
        out,
        {"summary.json": json.dumps({"tool": "deploy_opt"}).encode()},
        overwrite=False,
    )
    before = (out / "summary.json").read_bytes()

    class Boom:
        def __len__(self) -> int:
            raise RuntimeError("disk full")

    with pytest.raises(TypeError):
        write_directory(
            out, {"summary.json": b"new", "bad.csv": Boom()}, overwrite=True
        )  # type: ignore[dict-item]
    assert (out / "summary.json").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan"]  # no staging left


@pytest.mark.parametrize(
    ("text", "safe"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+62 811", "'+62 811"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("-3", "-3"),
        ("-cmd|' /C calc'!A0", "'-cmd|' /C calc'!A0"),
        ("Polsek Ciledug", "Polsek Ciledug"),
    ],
)
def test_formula_text_is_neutralised(text, safe):
    assert safe_text(text) == safe
