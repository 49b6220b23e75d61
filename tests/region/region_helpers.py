"""Helpers for the region tests (imported by the tests and conftest)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

#: Three small districts of the generated Polda Metro Jaya (15, 35 and 10 TPS).
FOLDERS = (
    "3171-polres-metro-jakarta-pusat",
    "3173-polres-metro-jakarta-barat",
    "3101-polres-kepulauan-seribu",
)


def region_document(root: Path, folders: tuple[str, ...]) -> dict[str, Any]:
    """The generated region.yaml cut to ``folders`` (in that order)."""
    document = yaml.safe_load((root / "region.yaml").read_text(encoding="utf-8"))
    by_folder = {d["folder"]: d for d in document["districts"]}
    document["districts"] = [by_folder[f] for f in folders]
    for total in ("stations", "categories"):  # they were the whole Polda's
        document.pop(total)
    return document


def tree_bytes(root: Path) -> dict[str, bytes]:
    """Every file below ``root``: relative path -> content."""
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }
