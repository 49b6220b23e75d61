"""Constructive and local-search heuristics for the uncapacitated p-median.

They supply the upper bound (incumbent) of :func:`deploy_opt.location.p_median`
and the hint for the exact phase. All work on a weighted cost matrix in which
forbidden pairs carry a finite penalty larger than any feasible solution, so
arithmetic never meets ``inf - inf``.

* :func:`greedy_add` opens, one at a time, the site that lowers the total cost
  most (Kuehn & Hamburger's greedy).
* :func:`fast_swap` is a best-improvement interchange (Teitz & Bart) evaluated
  for all ``p * m`` swaps at once with the decomposition of Whitaker / Resende &
  Werneck: with ``d1``/``d2`` the nearest and second-nearest open costs of each
  demand point, closing open site ``r`` and opening ``j`` costs
  ``sum_i min(d1_i, c_ij) + sum_{i: nearest(i)=r} [min(d2_i, c_ij) - min(d1_i, c_ij)]``.
* :func:`pair_swap` makes the same moves, evaluated on the sorted pairs that can
  change a cost instead of the whole matrix (the uncapacitated solver's local
  search). With ``r(i)`` the nearest open site of point ``i``, closing ``k``
  and opening ``j`` costs
  ``sum_i d1_i - sum_{i: c_ij < d1_i} (d1_i - c_ij) + sum_{i: r(i)=k} (d2_i - d1_i)
  - sum_{i: r(i)=k, c_ij < d2_i} (d2_i - max(c_ij, d1_i))``, so each move needs
  only the pairs with ``c_ij < d2_i`` (a few per point when ``p`` is not tiny).
  Sums run in a different order than in :func:`fast_swap`, so on float costs
  the two may break exact ties differently.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import scipy.sparse as sp

from deploy_opt.location._arrays import FloatArray, IntArray
from deploy_opt.location.pmedian._sorted_pairs import Pairs

#: Costs of every swap, ``(p, m)``, from the open sites, each point's nearest
#: open site (position in ``sites``), nearest and second-nearest open costs.
SwapCosts = Callable[[IntArray, IntArray, FloatArray, FloatArray], FloatArray]


def penalised(weighted: FloatArray) -> tuple[FloatArray, float]:
    """Replace ``inf`` by a penalty above the cost of any feasible solution.

    Returns
    -------
    tuple
        The finite matrix and the penalty value; a solution costs at least the
        penalty exactly when it uses a forbidden pair.
    """
    finite = np.isfinite(weighted)
    top = float(weighted[finite].max()) if finite.any() else 1.0
    big = (weighted.shape[0] + 1) * (top + 1.0)
    return np.where(finite, weighted, big), big


def greedy_add(dist: FloatArray, p: int, required: IntArray) -> IntArray:
    """Open ``p`` sites greedily, starting from the required ones."""
    n, m = dist.shape
    is_open = np.zeros(m, dtype=bool)
    is_open[required] = True
    current = np.full(n, np.inf)
    if required.size:
        current = dist[:, required].min(axis=1)
    for _ in range(p - required.size):
        totals = np.minimum(dist, current[:, None]).sum(axis=0)
        totals[is_open] = np.inf
        j = int(np.argmin(totals))
        is_open[j] = True
        current = np.minimum(current, dist[:, j])
    return np.flatnonzero(is_open).astype(np.intp)


def assignment_cost(dist: FloatArray, sites: IntArray) -> float:
    """Total cost of serving every row from its nearest site in ``sites``."""
    return float(dist[:, sites].min(axis=1).sum())


def nearest_two(sub: FloatArray) -> tuple[IntArray, FloatArray, FloatArray]:
    """Each row's cheapest column, its cost and the second-cheapest cost.

    With a single column the second cost is ``inf``.
    """
    n, p = sub.shape
    if p < 2:
        return np.zeros(n, dtype=np.intp), sub[:, 0].copy(), np.full(n, np.inf)
    rows = np.arange(n)
    two = np.argpartition(sub, 1, axis=1)[:, :2]
    a, b = sub[rows, two[:, 0]], sub[rows, two[:, 1]]
    first = np.where(a <= b, two[:, 0], two[:, 1]).astype(np.intp)
    return first, np.minimum(a, b), np.maximum(a, b)


def fast_swap(
    dist: FloatArray,
    sites: IntArray,
    required: IntArray,
    max_moves: int = 10_000,
) -> IntArray:
    """Best-improvement interchange until no swap lowers the cost.

    Parameters
    ----------
    dist
        Finite ``(n, m)`` weighted costs.
    sites
        Starting open sites (``p`` distinct columns).
    required
        Sites that must stay open.
    max_moves
        Safety cap on the number of swaps made.

    Returns
    -------
    numpy.ndarray
        A locally optimal set of ``p`` sites, sorted.
    """
    n = dist.shape[0]
    rows = np.arange(n)

    def totals(
        sites: IntArray, first: IntArray, d1: FloatArray, d2: FloatArray
    ) -> FloatArray:
        near1 = np.minimum(dist, d1[:, None])
        gain_add = near1.sum(axis=0)
        extra = np.minimum(dist, d2[:, None]) - near1
        owner = sp.csr_array((np.ones(n), (first, rows)), shape=(sites.size, n))
        return np.asarray(gain_add[None, :] + owner @ extra, dtype=np.float64)

    return _interchange(dist, sites, required, max_moves, totals)


def pair_swap(
    dist: FloatArray,
    pairs: Pairs,
    sites: IntArray,
    required: IntArray,
    max_moves: int = 10_000,
) -> IntArray:
    """:func:`fast_swap` evaluated on sorted pairs (same arguments and result).

    ``pairs`` holds the same costs as ``dist``
    (``Pairs.from_dense(dist)``, see
    :class:`~deploy_opt.location.pmedian._sorted_pairs.Pairs`).
    """
    m = dist.shape[1]
    if np.asarray(sites).size < 2:
        return fast_swap(dist, sites, required, max_moves)

    def totals(
        sites: IntArray, first: IntArray, d1: FloatArray, d2: FloatArray
    ) -> FloatArray:
        p = sites.size
        current = float(d1.sum())
        _, prow, pcol, pcost = pairs.near(d2)
        closer = pcost < d1[prow]
        savings = np.bincount(
            pcol[closer], weights=(d1[prow] - pcost)[closer], minlength=m
        )
        loss = np.bincount(first, weights=d2 - d1, minlength=p)
        regain = np.bincount(
            first[prow] * m + pcol,
            weights=d2[prow] - np.maximum(pcost, d1[prow]),
            minlength=p * m,
        ).reshape(p, m)
        out = (current - savings)[None, :] + loss[:, None] - regain
        return np.asarray(out, dtype=np.float64)

    return _interchange(dist, sites, required, max_moves, totals)


def _interchange(
    dist: FloatArray,
    sites: IntArray,
    required: IntArray,
    max_moves: int,
    swap_costs: SwapCosts,
) -> IntArray:
    """Make the best swap (``swap_costs``) while it lowers the cost; required
    sites stay open. Returns the sites, sorted."""
    m = dist.shape[1]
    sites = np.array(sites, dtype=np.intp)
    locked = np.isin(sites, required)
    if sites.size == m or locked.all():
        return np.sort(sites)
    for _ in range(max_moves):
        first, d1, d2 = nearest_two(dist[:, sites])
        current = float(d1.sum())
        totals = swap_costs(sites, first, d1, d2)
        totals[:, sites] = np.inf
        totals[locked, :] = np.inf
        k, j = np.unravel_index(int(np.argmin(totals)), totals.shape)
        if not totals[k, j] < current - 1e-9 * max(1.0, abs(current)):
            break
        sites[k] = j
    return np.sort(sites)
