"""Helpers of the location tests: this folder (``location_helpers``) and the
benchmark instance readers (``benchmarks/instances.py``) are importable."""

from __future__ import annotations

import sys
from pathlib import Path

_BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
if str(_BENCHMARKS) not in sys.path:
    sys.path.insert(0, str(_BENCHMARKS))
