r"""Penalised knapsacks of many sites at once (vectorised state-space relaxation).

Same problem as :mod:`~deploy_opt.location.capacitated.columns._frontier_dp` (one site's knapsack
plus a penalty :math:`\tau_T` for each triple holding two of its points), for
all sites together. Each site starts with the triples its cut-free optimum
hits; its *key* items are the candidates of those triples; the other items go
through one cut-free DP over all sites (:class:`~deploy_opt.location.capacitated.columns._knapsack_tables.SiteTables`
with the key items left out), and every subset of the key items (at most
:data:`MAX_KEY` of them, padded) is combined with that table at the capacity it
leaves. A site whose best set takes two points of no further triple is solved
exactly; the others take in the triples they hit and go round again. A site
whose triples hold too many key items keeps only those of largest penalty that
fit, and stops there. What is left unsolved keeps the value of its last round:
a relaxation, so still a lower bound.

The small matrix products go through ``np.einsum`` rather than BLAS: for these
shapes a multithreaded BLAS is many times slower on a busy machine.
"""

from __future__ import annotations

import itertools

import numpy as np

from deploy_opt.location._arrays import BoolArray, FloatArray, IntArray
from deploy_opt.location.capacitated.columns._knapsack_tables import SiteTables

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


_GROUPS: dict[int, tuple[IntArray, FloatArray]] = {}


def _groups(k: int) -> tuple[IntArray, FloatArray]:
    """Index ``(k + 1,) * 3`` of the position pairs and triples of ``k`` key
    items (sorted, ``k`` for none; ``-1`` for fewer than two), and which
    subsets hit each: ``[two or more taken]``, shape ``(groups, 2 ** k)``."""
    if k not in _GROUPS:
        groups = [g for size in (2, 3) for g in itertools.combinations(range(k), size)]
        index = np.full((k + 1,) * 3, -1, dtype=np.intp)
        bits = _bits(k)
        hit = np.zeros((len(groups), 1 << k))
        for c, g in enumerate(groups):
            index[(*g, k) if len(g) == 2 else g] = c
            hit[c] = bits[:, list(g)].sum(axis=1) > 1.5
        _GROUPS[k] = (index, hit)
    return _GROUPS[k]


def _penalties(
    items: IntArray, used: BoolArray, triples: IntArray, tau: FloatArray, k: int
) -> FloatArray:
    """Penalty of every subset of each site's key ``items`` (``(t, k)``, ``-1``
    padded) over its ``used`` triples: the triples' penalties summed per group
    of key positions they cover, times whether a subset takes two of them."""
    t = items.shape[0]
    rows, tri = np.nonzero(used)
    out = np.zeros((t, 1 << k))
    if rows.size == 0 or k < 2:
        return out
    # position of each triple item among the site's key items (k: not a key)
    match = triples[tri][:, :, None] == np.where(items < 0, -2, items)[rows][:, None]
    pos = np.where(match.any(axis=2), match.argmax(axis=2), k)
    index, hit = _groups(k)
    pos = np.sort(pos, axis=1)
    group = index[pos[:, 0], pos[:, 1], pos[:, 2]]
    ok = group >= 0
    weight = np.zeros((t, hit.shape[0]))
    np.add.at(weight, (rows[ok], group[ok]), tau[tri[ok]])
    return np.einsum("tg,gb->tb", weight, hit)


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
        key = (np.einsum("tr,rn->tn", used[todo].astype(np.float64), inc) > 0) & cand
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
        weight = np.einsum("tk,bk->tb", d_key, bits)  # (t, b)
        cost = np.einsum("tk,bk->tb", g_key, bits)
        invalid = np.einsum("tk,bk->tb", pad.astype(np.float64), bits) > 0.5
        # penalties of the used triples: count of their key items per subset
        u = used[todo]  # (t, r)
        cost += _penalties(items, u, triples, tau, width)
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
