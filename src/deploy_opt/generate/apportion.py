"""Whole-number splits and weighted picks, deterministic given their inputs."""

from __future__ import annotations

import numpy as np


def largest_remainder(total: int, shares: np.ndarray) -> np.ndarray:
    """Split ``total`` in proportion to ``shares`` into integers that sum to it.

    Ties in the remainders go to the earlier share.
    """
    shares = np.asarray(shares, dtype=float)
    exact = total * shares / shares.sum()
    base = np.floor(exact).astype(int)
    order = np.lexsort((np.arange(len(shares)), -(exact - base)))
    base[order[: total - base.sum()]] += 1
    return base


def split_with_bounds(
    total: int, shares: np.ndarray, low: int, high: int | None = None
) -> np.ndarray:
    """Like :func:`largest_remainder`, but every part lies in ``[low, high]``.

    The parts are ``clip(f * share, low, high)`` for the factor ``f`` that makes
    them sum to ``total`` (found by bisection), rounded by largest remainder.

    Raises
    ------
    ValueError
        When no split within the bounds exists.
    """
    shares = np.asarray(shares, dtype=float)
    n = len(shares)
    cap = float(total if high is None else high)
    if n * low > total or n * cap < total:
        msg = f"cannot split {total} into {n} parts of {low}..{cap:g}"
        raise ValueError(msg)
    lo, hi = 0.0, cap / shares.min()
    for _ in range(200):
        mid = (lo + hi) / 2
        if np.clip(mid * shares, low, cap).sum() <= total:
            lo = mid
        else:
            hi = mid
    exact = np.clip(lo * shares, low, cap)
    parts = np.floor(exact).astype(np.int64)
    fraction = exact - parts
    while (missing := total - int(parts.sum())) > 0:
        order = np.lexsort((np.arange(n), -fraction))
        order = order[parts[order] < cap][:missing]
        parts[order] += 1
        fraction[order] = -1.0
    return parts


def weighted_pick(
    weights: np.ndarray, count: int, rng: np.random.Generator
) -> np.ndarray:
    """Indices of ``count`` items drawn without replacement, chance by ``weights``.

    Gumbel top-k: one Gumbel draw per item added to its log weight, then a
    partial sort (linear time, vectorised). Items of weight 0 come last.
    Returns the indices in ascending order.
    """
    weights = np.asarray(weights, dtype=float)
    if count <= 0:
        return np.empty(0, dtype=np.int64)
    with np.errstate(divide="ignore"):
        keys = np.log(weights) + rng.gumbel(size=len(weights))
    top = np.argpartition(-keys, count - 1)[:count]
    return np.sort(top).astype(np.int64)
