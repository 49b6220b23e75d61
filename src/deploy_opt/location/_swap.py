r"""Best-improvement interchange on sorted pairs (the uncapacitated solver's local search).

The same moves as :func:`~deploy_opt.location.heuristics.fast_swap` (Teitz &
Bart; Whitaker's decomposition), evaluated on the pairs that can change a cost
instead of the whole matrix. With :math:`d_1, d_2` the nearest and second-nearest
open costs of point :math:`i` and :math:`r(i)` its nearest open site, closing
open site :math:`k` and opening :math:`j` costs

.. math::

    \sum_i d_{1i} - \sum_{i:\, c_{ij} < d_{1i}} (d_{1i} - c_{ij})
    + \sum_{i:\, r(i) = k} (d_{2i} - d_{1i})
    - \sum_{i:\, r(i) = k,\ c_{ij} < d_{2i}} (d_{2i} - \max(c_{ij}, d_{1i})),

so each move needs only the pairs with :math:`c_{ij} < d_{2i}` (a few per point
when ``p`` is not tiny). Sums run in a different order than the dense version,
so on float costs the two may break exact ties differently.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from deploy_opt.location._pairs import Pairs
from deploy_opt.location.heuristics import fast_swap, nearest_two

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]


def pair_swap(
    dist: FloatArray,
    pairs: Pairs,
    sites: IntArray,
    required: IntArray,
    max_moves: int = 10_000,
) -> IntArray:
    """Interchange until no swap lowers the cost.

    Parameters
    ----------
    dist
        Finite ``(n, m)`` weighted costs (forbidden pairs penalised).
    pairs
        The same costs as :class:`~deploy_opt.location._pairs.Pairs` (from
        ``Pairs.from_dense(dist)``).
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
    m = dist.shape[1]
    sites = np.array(sites, dtype=np.intp)
    p = sites.size
    if p < 2:
        return fast_swap(dist, sites, required, max_moves)
    locked = np.isin(sites, required)
    if p == m or locked.all():
        return np.sort(sites)
    for _ in range(max_moves):
        first, d1, d2 = nearest_two(dist[:, sites])
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
        totals = (current - savings)[None, :] + loss[:, None] - regain
        totals[:, sites] = np.inf
        totals[locked, :] = np.inf
        k, j = np.unravel_index(int(np.argmin(totals)), totals.shape)
        if not totals[k, j] < current - 1e-9 * max(1.0, abs(current)):
            break
        sites[k] = j
    return np.sort(sites)
