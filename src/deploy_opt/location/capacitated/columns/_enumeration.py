r"""All clusters that can be in a solution below a target, and the partition MIP.

With the Lagrangian value :math:`L` of :mod:`~deploy_opt.location.capacitated.columns._root_bound` at
multipliers :math:`(\lambda, \sigma)`, every partition solution costs at least
:math:`L - b_j + \tilde r(j, S)` for each of its clusters :math:`(j, S)`, where
:math:`\tilde r(j, S) = \sum_{i \in S} (w_i c_{ij} - \lambda_i) + \sum_T
(-\sigma_T) [|S \cap T| \ge 2]` and :math:`b_j` is the site's share of
:math:`L` (its own pricing value when chosen, otherwise the worst chosen free
site's). So a solution of cost at most ``target`` uses only clusters with
:math:`\tilde r(j, S) \le b_j + \text{target} - L` (Baldacci, Hadjiconstantinou,
Maniezzo and Mingozzi, 2002). :func:`enumerate_columns` lists them all, site by
site (items sorted by reduced cost, subsets grown one item at a time and cut
by the cut-free DP bound of the items left); the set-partitioning problem over
them (:mod:`~deploy_opt.location.capacitated.columns._partition`) then has the optimum whenever
it costs at most ``target``.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from deploy_opt.location._arrays import BoolArray, FloatArray, IntArray

#: Most items (usable points) of one site the enumeration handles (bit masks).
MAX_SITE_ITEMS = 62


def _site_columns(
    g: FloatArray,
    dem: IntArray,
    cap: int,
    items: IntArray,
    threshold: float,
    triples: IntArray,
    tau: FloatArray,
    limit: int,
) -> npt.NDArray[np.int64] | None:
    """Bit masks (over ``items``) of the subsets within capacity whose penalised
    reduced cost is at most ``threshold``; ``None`` beyond ``limit`` subsets."""
    order = np.argsort(g[items], kind="stable")
    items = items[order]
    k = items.size
    gi = g[items]
    di = dem[items].astype(np.int64)
    # suffix[t, q]: least cut-free cost of items t.. within capacity q
    suffix = np.zeros((k + 1, cap + 1))
    for t in range(k - 1, -1, -1):
        suffix[t] = suffix[t + 1]
        d = int(di[t])
        if gi[t] < 0 and d <= cap:
            np.minimum(
                suffix[t, d:], suffix[t + 1, : cap + 1 - d] + gi[t], out=suffix[t, d:]
            )
    pos = np.full(g.size, -1, dtype=np.intp)
    pos[items] = np.arange(k)
    tri_pos = np.sort(np.where(pos[triples] >= 0, pos[triples], k), axis=1)
    rel = tri_pos[:, 1] < k
    tri_pos, tau = tri_pos[rel], tau[rel]
    weight = np.zeros(1, dtype=np.int64)
    cost = np.zeros(1)
    mask = np.zeros(1, dtype=np.int64)
    tol = 1e-9 * max(1.0, abs(threshold))
    for t in range(k):
        d = int(di[t])
        ok = np.flatnonzero(weight + d <= cap)
        sub = mask[ok]
        extra = cost[ok] + gi[t]
        second = tri_pos[:, 1] == t
        if second.any():
            extra = extra + tau[second] @ (
                (sub[None, :] >> tri_pos[second, 0][:, None]) & 1
            )
        third = tri_pos[:, 2] == t
        if third.any():
            a = (sub[None, :] >> tri_pos[third, 0][:, None]) & 1
            b = (sub[None, :] >> tri_pos[third, 1][:, None]) & 1
            extra = extra + tau[third] @ (a ^ b)
        weight = np.concatenate([weight, weight[ok] + d])
        cost = np.concatenate([cost, extra])
        mask = np.concatenate([mask, sub | (1 << t)])
        alive = cost + suffix[t + 1, cap - weight] <= threshold + tol
        weight, cost, mask = weight[alive], cost[alive], mask[alive]
        if mask.size > limit:
            return None
    chosen = mask[(mask != 0) & (cost <= threshold + tol)]
    # back to point indices: bit t is items[t]
    return _remap(chosen, items)


def _remap(masks: npt.NDArray[np.int64], items: IntArray) -> npt.NDArray[np.int64]:
    """Masks over sorted positions -> masks over ``np.sort(items)`` positions."""
    rank = np.argsort(np.argsort(items))
    out = np.zeros_like(masks)
    for t, r in enumerate(rank.tolist()):
        out |= ((masks >> t) & 1) << r
    return out


def enumerate_columns(
    cost: FloatArray,
    dem: IntArray,
    cap: IntArray,
    usable: BoolArray,
    lam: FloatArray,
    triples: IntArray,
    tau: FloatArray,
    thresholds: FloatArray,
    max_columns: int,
) -> tuple[IntArray, BoolArray] | None:
    """Every cluster within its site's threshold, or ``None`` past ``max_columns``.

    Parameters
    ----------
    cost
        Weighted costs ``(n, m)``.
    dem, cap
        Integer demands and capacities.
    usable
        Pairs that may be used (after reduced-cost fixing).
    lam, triples, tau
        Multipliers of the points, penalised triples and their penalties (> 0).
    thresholds
        Largest penalised reduced cost per site (``-inf``: no cluster).
    max_columns
        Give up beyond this many clusters (or partial subsets at one site).

    Returns
    -------
    sites, members
        The clusters' sites and points ``(k, n)``.
    """
    n, m = cost.shape
    sites: list[IntArray] = []
    members: list[BoolArray] = []
    total = 0
    for j in range(m):
        items = np.flatnonzero(usable[:, j])
        if items.size == 0 or not np.isfinite(thresholds[j]):
            continue
        if items.size > MAX_SITE_ITEMS:
            return None
        g = cost[:, j] - lam
        masks = _site_columns(
            g,
            dem,
            int(cap[j]),
            items,
            float(thresholds[j]),
            triples,
            tau,
            max_columns - total,
        )
        if masks is None:
            return None
        if masks.size == 0:
            continue
        sorted_items = np.sort(items)
        bits = ((masks[:, None] >> np.arange(items.size)) & 1).astype(bool)
        rows = np.zeros((masks.size, n), dtype=bool)
        rows[:, sorted_items] = bits
        sites.append(np.full(masks.size, j, dtype=np.intp))
        members.append(rows)
        total += masks.size
    if not sites:
        return np.zeros(0, dtype=np.intp), np.zeros((0, n), dtype=bool)
    return np.concatenate(sites), np.vstack(members)
