"""Deterministic team placement: greedy MCLP with swaps, greedy set cover,
capacitated greedy, greedy p-median and p-center, with the bounds they allow.

Every function works on sparse candidates x TPS matrices and is bounded by
deterministic work (rounds and entries visited), never by the clock. Ties go to
the lowest candidate index.
"""

from __future__ import annotations

import heapq

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from deploy_opt.problem import IntArray

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

#: Entries of work (rounds x stored pairs) the swap search may visit.
SWAP_WORK = 20_000_000


def ones(matrix: sp.csr_array) -> sp.csr_array:
    """The pattern of ``matrix`` as a 0/1 float matrix."""
    return sp.csr_array(
        (np.ones(matrix.nnz), matrix.indices, matrix.indptr), shape=matrix.shape
    )


def counts(cover: sp.csr_array, sites: IntArray) -> IntArray:
    """How many of ``sites`` (rows of ``cover``) reach each TPS."""
    x = np.zeros(cover.shape[0])
    np.add.at(x, np.asarray(sites, dtype=np.int64), 1.0)
    return np.rint(ones(cover).T @ x).astype(np.int64)


def mclp_value(cover: sp.csr_array, w: FloatArray, sites: IntArray) -> float:
    """Weight of the TPS within reach of ``sites``."""
    return float(w[counts(cover, sites) > 0].sum())


def greedy_mclp(
    cover: sp.csr_array, w: FloatArray, p: int, allowed: BoolArray
) -> IntArray:
    """Open up to ``p`` allowed rows, each time the one adding the most weight."""
    a = ones(cover)
    at = a.T.tocsr()
    gain = a @ w
    gain[~allowed] = -1.0
    covered = np.zeros(cover.shape[1], dtype=bool)
    picks: list[int] = []
    for _ in range(min(p, int(allowed.sum()))):
        j = int(np.argmax(gain))
        picks.append(j)
        gain[j] = -1.0
        row = a.indices[a.indptr[j] : a.indptr[j + 1]]
        new = row[~covered[row]]
        covered[new] = True
        if len(new):
            sub = at[new]
            np.subtract.at(gain, sub.indices, np.repeat(w[new], np.diff(sub.indptr)))
            gain[picks] = -1.0
            gain[~allowed] = -1.0
    return np.asarray(picks, dtype=np.int64)


def _swap_state(
    a: sp.csr_array, at: sp.csr_array, w: FloatArray, sites: IntArray
) -> tuple[FloatArray, FloatArray, sp.csr_array]:
    """Gains of each row on the uncovered, loss of each open site, and the
    weight each row would take over from each open site (``at`` is ``a.T``)."""
    n = a.shape[1]
    x = np.zeros(a.shape[0])
    np.add.at(x, sites, 1.0)
    count = np.rint(at @ x).astype(np.int64)
    gain = a @ np.where(count == 0, w, 0.0)
    single = np.flatnonzero(count == 1)
    at_open = a[sites].T.tocsr()[single]  # single TPS x open sites
    owner = at_open.indices  # exactly one open site per single TPS
    loss = np.zeros(len(sites))
    np.add.at(loss, owner, w[single])
    take = sp.csr_array((w[single], (single, owner)), shape=(n, len(sites)))
    return gain, loss, sp.csr_array(a @ take)


def swap_mclp(
    cover: sp.csr_array, w: FloatArray, sites: IntArray, allowed: BoolArray
) -> tuple[IntArray, int]:
    """Best-improvement 1-swaps (open site out, allowed row in) while they help.

    Returns the sites and the number of swaps made.
    """
    a = ones(cover)
    sites = np.asarray(sites, dtype=np.int64).copy()
    if len(sites) == 0:
        return sites, 0
    rounds = max(1, min(4 * len(sites) + 20, SWAP_WORK // max(a.nnz, 1)))
    at = a.T.tocsr()
    made = 0
    for _ in range(rounds):
        gain, loss, take = _swap_state(a, at, w, sites)
        free = allowed.copy()
        free[sites] = False
        if not free.any():
            break
        delta = take.toarray() + gain[:, None] - loss[None, :]
        delta[~free] = -np.inf
        best = float(delta.max())
        total = float(w.sum())
        if best <= 1e-9 * max(total, 1.0):
            break
        j, s = np.unravel_index(int(np.argmax(delta)), delta.shape)
        sites[s] = j
        made += 1
    return sites, made


def mclp_bound(
    cover: sp.csr_array, w: FloatArray, sites: IntArray, allowed: BoolArray, p: int
) -> float:
    """Upper bound on the weight any ``p`` allowed rows reach.

    ``f(S) + sum of the p largest gains on S`` (coverage is submodular), and
    never more than the weight any allowed row reaches.
    """
    a = ones(cover)
    count = counts(a, sites)
    value = float(w[count > 0].sum())
    gain = a @ np.where(count == 0, w, 0.0)
    gain = np.sort(gain[allowed])[::-1]
    reachable = ones(cover[np.flatnonzero(allowed)]).sum(axis=0) > 0
    return min(value + float(gain[:p].sum()), float(w[reachable].sum()))


def greedy_set_cover(cover: sp.csr_array, allowed: BoolArray) -> IntArray:
    """Allowed rows until every TPS some allowed row reaches is reached; then
    rows that became redundant are dropped (latest pick first)."""
    a = ones(cover)
    at = a.T.tocsr()
    gain = a @ np.ones(a.shape[1])
    gain[~allowed] = -1.0
    covered = np.zeros(a.shape[1], dtype=bool)
    picks: list[int] = []
    while gain.max(initial=-1.0) > 0:
        j = int(np.argmax(gain))
        picks.append(j)
        row = a.indices[a.indptr[j] : a.indptr[j + 1]]
        new = row[~covered[row]]
        covered[new] = True
        sub = at[new]
        np.subtract.at(gain, sub.indices, np.repeat(1.0, sub.nnz))
        gain[picks] = -1.0
        gain[~allowed] = -1.0
    sites = np.asarray(picks, dtype=np.int64)
    count = counts(a, sites)
    keep = np.ones(len(sites), dtype=bool)
    for k in range(len(sites) - 1, -1, -1):
        row = a.indices[a.indptr[sites[k]] : a.indptr[sites[k] + 1]]
        if (count[row] >= 2).all():
            keep[k] = False
            count[row] -= 1
    return sites[keep]


def independent_points(cover: sp.csr_array, allowed: BoolArray) -> int:
    """TPS no two of which share an allowed row: a lower bound on any cover."""
    at = cover[np.flatnonzero(allowed)].T.tocsr()
    sizes = np.diff(at.indptr)
    used = np.zeros(at.shape[1], dtype=bool)
    found = 0
    for t in np.lexsort((np.arange(len(sizes)), sizes)):
        if sizes[t] == 0:
            continue
        rows = at.indices[at.indptr[t] : at.indptr[t + 1]]
        if not used[rows].any():
            used[rows] = True
            found += 1
    return found


def greedy_capacitated(
    cover: sp.csr_array,
    w: FloatArray,
    d: FloatArray,
    capacity: float,
    cap: IntArray,
    p: int | None,
) -> tuple[IntArray, IntArray]:
    """Teams one at a time, each at the row whose fill serves the most.

    A team serves unserved TPS within reach whose demand fits, best value per
    demand first, then nearest. ``p`` teams (or, when ``None``, until no team
    serves anything more, counting TPS instead of weight: set cover).
    Returns the row of each team and each TPS's team (``-1``).
    """
    value = np.ones_like(w) if p is None else w
    served = np.zeros(cover.shape[1], dtype=bool)
    left = np.asarray(cap, dtype=np.int64).copy()

    def fill(j: int) -> tuple[float, IntArray]:
        lo, hi = cover.indptr[j], cover.indptr[j + 1]
        tps = cover.indices[lo:hi]
        secs = cover.data[lo:hi]
        ok = ~served[tps] & (d[tps] <= capacity)
        tps, secs = tps[ok], secs[ok]
        order = np.lexsort((tps, secs, -value[tps] / d[tps]))
        tps = tps[order]
        room = np.cumsum(d[tps]) <= capacity
        chosen = tps[room].astype(np.int64)
        return float(value[chosen].sum()), chosen

    heap = [(-fill(j)[0], j) for j in np.flatnonzero(left > 0).tolist()]
    heapq.heapify(heap)
    teams: list[int] = []
    assign = np.full(cover.shape[1], -1, dtype=np.int64)
    while heap and (p is None or len(teams) < p):
        _, j = heapq.heappop(heap)
        got, chosen = fill(j)
        if heap and got < -heap[0][0] - 1e-12 * max(got, 1.0):
            heapq.heappush(heap, (-got, j))  # stale: re-queue with its true value
            continue
        if got <= 0 and p is None:
            break
        assign[chosen] = len(teams)
        served[chosen] = True
        teams.append(j)
        left[j] -= 1
        if left[j] > 0:
            heapq.heappush(heap, (-fill(j)[0], j))
    return np.asarray(teams, dtype=np.int64), assign


def _savings(reach: sp.csr_array, cur: FloatArray, w: FloatArray) -> FloatArray:
    """For each row: the p-median saving of opening it, given current costs."""
    t = reach.indices
    saving = w[t] * np.maximum(cur[t] - reach.data, 0.0)
    rows = sp.csr_array((saving, t, reach.indptr), shape=reach.shape)
    return np.asarray(rows.sum(axis=1), dtype=np.float64)


def greedy_p_median(
    reach: sp.csr_array, w: FloatArray, p: int, allowed: BoolArray, penalty: float
) -> IntArray:
    """Open ``p`` rows, each time the one saving the most weighted seconds
    (a TPS no open row reaches costs ``penalty``)."""
    cur = np.full(reach.shape[1], penalty)
    picks: list[int] = []
    open_ = ~allowed.copy()
    for _ in range(min(p, int(allowed.sum()))):
        saving = _savings(reach, cur, w)
        saving[open_] = -1.0
        j = int(np.argmax(saving))
        picks.append(j)
        open_[j] = True
        lo, hi = reach.indptr[j], reach.indptr[j + 1]
        t = reach.indices[lo:hi]
        cur[t] = np.minimum(cur[t], reach.data[lo:hi])
    return np.asarray(picks, dtype=np.int64)


def greedy_p_center(
    reach: sp.csr_array, p: int, allowed: BoolArray, penalty: float
) -> IntArray:
    """Farthest-first: the row with the smallest worst time, then repeatedly the
    allowed row nearest to the TPS worst served so far."""
    rows = np.flatnonzero(allowed)
    if len(rows) == 0 or p <= 0:
        return np.zeros(0, dtype=np.int64)
    n = reach.shape[1]
    full = np.diff(reach.indptr) == n
    worst = np.array(
        [
            reach.data[reach.indptr[j] : reach.indptr[j + 1]].max(initial=0)
            if full[j]
            else penalty
            for j in rows
        ]
    )
    picks = [int(rows[int(np.argmin(worst))])]
    cur = np.full(n, penalty)
    at = reach.T.tocsr()
    taken = ~allowed.copy()
    while True:
        j = picks[-1]
        taken[j] = True
        lo, hi = reach.indptr[j], reach.indptr[j + 1]
        t = reach.indices[lo:hi]
        cur[t] = np.minimum(cur[t], reach.data[lo:hi])
        if len(picks) >= min(p, int(allowed.sum())):
            break
        order = np.lexsort((np.arange(n), -cur))
        nxt = -1
        for far in order:
            lo, hi = at.indptr[far], at.indptr[far + 1]
            cand, secs = at.indices[lo:hi], at.data[lo:hi]
            ok = ~taken[cand]
            if ok.any():
                k = np.lexsort((cand[ok], secs[ok]))[0]
                nxt = int(cand[ok][k])
                break
        if nxt < 0:
            nxt = int(np.flatnonzero(~taken)[0])
        picks.append(nxt)
    return np.asarray(picks, dtype=np.int64)


def nearest_costs(reach: sp.csr_array, sites: IntArray, penalty: float) -> FloatArray:
    """Each TPS's smallest cost over ``sites`` (``penalty`` when none reaches it)."""
    cur = np.full(reach.shape[1], penalty)
    for j in np.asarray(sites, dtype=np.int64):
        lo, hi = reach.indptr[j], reach.indptr[j + 1]
        t = reach.indices[lo:hi]
        cur[t] = np.minimum(cur[t], reach.data[lo:hi])
    return cur
