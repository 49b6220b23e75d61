"""Deadlines as ``time.perf_counter()`` values (``None``: no limit)."""

from __future__ import annotations

import time


def after(seconds: float | None, share: float) -> float | None:
    """Deadline ``share`` of ``seconds`` from now (``None`` without a limit)."""
    return None if seconds is None else time.perf_counter() + share * seconds


def remaining(deadline: float | None) -> float | None:
    """Seconds left until ``deadline`` (at least 0.01), ``None`` without one."""
    if deadline is None:
        return None
    return max(deadline - time.perf_counter(), 0.01)
