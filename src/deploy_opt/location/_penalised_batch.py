r"""Penalised knapsacks of many sites at once (vectorised state-space relaxation).

Same problem as :mod:`~deploy_opt.location._penalised_dp` (one site's knapsack
plus a penalty :math:`\tau_T` for each triple holding two of its points), for
all sites together. Each site starts with the triples its cut-free optimum
hits; its *key* items are the candidates of those triples; the other items go
through one cut-free DP over all sites (:class:`~deploy_opt.location._knapsack_dp.SiteTables`
with the key items left out), and every subset of the key items (at most
:data:`MAX_KEY` of them, padded) is combined with that table at the capacity it
leaves. A site whose best set takes two points of no further triple is solved
exactly; the others take in the triples they hit and go round again. A site
whose triples hold too many key items keeps only those of largest penalty that
fit, and stops there. What is left unsolved keeps the value of its last round:
a relaxation, so still a lower bound.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from deploy_opt.location._knapsack_dp import SiteTables

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]

#: Most key items per site (subsets enumerated: ``2 ** MAX_KEY``).
MAX_KEY = 10
#: Rounds of taking in newly hit triples.
ROUNDS = 4

_BITS: dict[int, FloatArray] = {}


def _bits(k: int) -> FloatArray:
    if k not in _BITS:
        masks = np.arange(1 << k, dtype=np.int64)
        _BITS[k] = ((masks[:, None] >> np.arange(k)) & 1).astype(np.float64)
    return _BITS[k]


def hits(members: BoolArray, triples: IntArray) -> BoolArray:
    """``(s, r)``: set ``s`` holds two or more points of triple ``r``."""
    if triples.size == 0:
        return np.zeros((members.shape[0], 0), dtype=bool)
    return members[:, triples].sum(axis=2) >= 2


def penalised_batch(
    g: FloatArray,
    dem: IntArray,
    cap: IntArray,
    triples: IntArray,
    tau: FloatArray,
    start: BoolArray,
) -> tuple[FloatArray, BoolArray, BoolArray]:
    """Penalised optima of the sites (columns of ``g``).

    Parameters
    ----------
    g
        Reduced costs ``(n, s)`` (``inf``: unusable).
    dem, cap
        Integer demands ``(n,)`` and the sites' capacities ``(s,)``.
    triples, tau
        Penalised triples ``(r, 3)`` and their penalties ``(r,)``, all > 0.
    start
        The sites' cut-free optimal sets ``(s, n)``.

    Returns
    -------
    value, members, exact
        Per site a lower bound on the optimum (the optimum where ``exact``),
        a feasible set reaching it where ``exact``, and exactness.
    """
    n, s = g.shape
    r = triples.shape[0]
    value = np.full(s, -np.inf)
    members = start.copy()
    exact = np.zeros(s, dtype=bool)
    inc = np.zeros((r, n))
    inc[np.repeat(np.arange(r), 3), triples.ravel()] = 1.0
    used = hits(start, triples)
    dropped = np.zeros(s, dtype=bool)  # a hit triple was left out (relaxed)
    todo = np.arange(s)
    for _ in range(ROUNDS):
        if todo.size == 0:
            break
        cand = (g[:, todo] < 0).T  # (t, n)
        key = ((used[todo].astype(np.float64) @ inc) > 0) & cand
        over = np.flatnonzero(key.sum(axis=1) > MAX_KEY)
        for q in over.tolist():
            j = int(todo[q])
            keep, key[q] = _fit(used[j], cand[q], triples, tau)
            used[j] = keep
            dropped[j] = True
        width = int(key.sum(axis=1).max(initial=0))
        t = todo.size
        # key items, padded with -1, in index order
        order = np.argsort(~key, axis=1, kind="stable")[:, :width]
        pad = ~np.take_along_axis(key, order, axis=1)
        items = np.where(pad, -1, order)
        # the other candidates through one vectorised DP
        g_free = g[:, todo].copy()
        g_free[key.T] = np.inf
        tables = SiteTables(g_free, dem, cap[todo])
        bits = _bits(width)  # (b, width)
        safe = np.where(pad, 0, items)
        d_key = np.where(pad, 0.0, dem[safe].astype(np.float64))
        g_key = np.where(pad, 0.0, g[safe, todo[:, None]])
        weight = d_key @ bits.T  # (t, b)
        cost = g_key @ bits.T
        invalid = (pad.astype(np.float64) @ bits.T) > 0.5
        # penalties of the used triples: count of their key items per subset
        u = used[todo]  # (t, r)
        rows, tri = np.nonzero(u)
        if rows.size:
            in_tri = (triples[tri][:, :, None] == items[rows][:, None, :]).any(axis=1)
            count = in_tri.astype(np.float64) @ bits.T  # (pairs, b)
            contrib = tau[tri][:, None] * (count > 1.5)
            first = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])  # rows sorted
            cost[rows[first]] += np.add.reduceat(contrib, first, axis=0)
        room = cap[todo][:, None] - np.rint(weight).astype(np.int64)
        fit = (room >= 0) & ~invalid
        free_part = tables.f[np.arange(t)[:, None], np.clip(room, 0, None)]
        total = np.where(fit, cost + free_part, np.inf)
        best = np.argmin(total, axis=1)
        val = total[np.arange(t), best]
        chosen = bits[best] > 0.5  # (t, width)
        sets = tables.sets(room[np.arange(t), best])
        sets[np.repeat(np.arange(t), width)[chosen.ravel()], items[chosen]] = True
        value[todo] = val
        members[todo] = sets
        new = hits(sets, triples) & ~u
        done = ~new.any(axis=1)
        exact[todo[done & ~dropped[todo]]] = True
        used[todo] |= new
        todo = todo[~done & ~dropped[todo]]
    return value, members, exact


def _fit(
    used: BoolArray, cand: BoolArray, triples: IntArray, tau: FloatArray
) -> tuple[BoolArray, BoolArray]:
    """The used triples of largest penalty whose candidates fit in
    :data:`MAX_KEY` items, and those items."""
    keep = np.zeros_like(used)
    key = np.zeros_like(cand)
    for t in np.flatnonzero(used)[np.argsort(-tau[used], kind="stable")].tolist():
        grown = key.copy()
        grown[triples[t]] |= cand[triples[t]]
        if grown.sum() <= MAX_KEY:
            key, keep[t] = grown, True
    return keep, key
