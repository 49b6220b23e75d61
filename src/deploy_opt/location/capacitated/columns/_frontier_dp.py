r"""One site's knapsack with subset-row penalties, exactly, by a frontier DP.

Pricing under triple cuts asks, for one site,

.. math::

    h(q) = \min \Big\{ \sum_{i \in S} g_i + \sum_T \tau_T [|S \cap T| \ge 2] :
    \sum_{i \in S} d_i \le q \Big\}, \qquad \tau_T > 0.

Items with :math:`g_i \ge 0` are never worth taking (penalties only grow with
``S``). The *key* items are the candidates of triples with two or more
candidates; the others go into a plain DP table first. Key items are then added
one at a time in an order that keeps few triples *open* (some of their key
items seen, some not); the DP state is, per open triple, how many of its items
were taken (0, 1, or 2 = penalty paid) and, per state, a table over the
capacity. A triple leaves the state after its last key item. All states move
together as arrays (one set of NumPy operations per item), with argmin pointers
for backtracking.

When the open triples would exceed :data:`MAX_OPEN`, the triples of least
penalty are dropped (a relaxation: the value is then a lower bound, reported as
not exact). :func:`penalised_knapsack` starts from no triple and adds those its
optimal set hits (decremental state-space relaxation), so the state stays small;
it needs the optimum at the full capacity only, so its enumeration drops every
partial subset whose cut-free completion bound exceeds the best complete set
seen (branch and bound over the key items).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from deploy_opt.location._arrays import BoolArray, FloatArray, IntArray
from deploy_opt.location.capacitated.columns._knapsack_tables import (
    single_backtrack,
    single_table,
)
from deploy_opt.location.errors import LocationSolverError

#: Most triples open at once in the frontier DP (states up to 3 ** MAX_OPEN).
MAX_OPEN = 7
#: Most key items enumerated (all subsets within capacity) when that is cheaper.
MAX_ENUM_ITEMS = 16
#: Most key items enumerated when the frontier is too wide.
MAX_ENUM_FALLBACK = 20
#: Key sets up to this size are enumerated without looking at the frontier.
ALWAYS_ENUM_ITEMS = 12
#: Key sets up to this size are enumerated (with pruning) for one capacity.
PRUNED_ENUM_ITEMS = 20
#: Relative cost of one enumerated subset and one frontier-DP cell.
FRONTIER_FACTOR = 0.25


def _order(key: IntArray, member: BoolArray) -> tuple[IntArray, int]:
    """Greedy order of the key items (columns of ``member``, triples x items)
    that keeps few triples open; the order and its widest frontier."""
    k = key.size
    left = member.sum(axis=1)  # unseen key items per triple
    seen = np.zeros(member.shape[0], dtype=bool)
    done = np.zeros(k, dtype=bool)
    order = []
    width = 0
    for _ in range(k):
        is_open = seen & (left > 0)
        # closes open triples first, then opens few new ones
        closes = (member & is_open[:, None] & (left[:, None] == 1)).sum(axis=0)
        opens = (member & ~seen[:, None]).sum(axis=0)
        score = np.where(done, np.inf, opens * 8.0 - closes * 64.0)
        t = int(np.argmin(score))
        done[t] = True
        order.append(t)
        seen |= member[:, t]
        left -= member[:, t]
        width = max(width, int((seen & (left > 0)).sum()))
    return np.asarray(order, dtype=np.intp), width


_BITS: dict[int, FloatArray] = {}


def _bits(k: int) -> FloatArray:
    """All ``2 ** k`` subsets of ``k`` items as 0/1 rows (cached); row ``s`` is
    the bit mask ``s``."""
    if k not in _BITS:
        masks = np.arange(1 << k, dtype=np.int64)
        _BITS[k] = ((masks[:, None] >> np.arange(k)) & 1).astype(np.float64)
    return _BITS[k]


def _relevant(
    in_cand: BoolArray, triples: IntArray, tau: FloatArray
) -> tuple[IntArray, FloatArray]:
    """Triples with two or more candidates, largest penalty first."""
    rel = in_cand[triples].sum(axis=1) >= 2
    rank = np.argsort(-tau[rel], kind="stable")
    return triples[rel][rank], tau[rel][rank]


def _membership(in_cand: BoolArray, triples: IntArray) -> tuple[IntArray, BoolArray]:
    key = np.unique(triples[in_cand[triples]]).astype(np.intp)
    return key, (triples[:, :, None] == key[None, None, :]).any(axis=1)


class PenalisedTable:
    """The penalised optimum of one site at every capacity, and optimal sets.

    Small key sets (at most :data:`MAX_ENUM_ITEMS` items, or fewer subsets than
    the frontier DP has cells) are enumerated; otherwise the frontier DP runs
    (dropping least-penalty triples while the frontier is wider than
    :data:`MAX_OPEN`). ``exact`` tells whether no triple was dropped. With
    ``full_only`` the table answers :meth:`at` for ``q = cap`` only (not
    :attr:`value`), which lets the enumeration prune.
    """

    def __init__(
        self,
        g: FloatArray,
        dem: IntArray,
        cap: int,
        triples: IntArray,
        tau: FloatArray,
        full_only: bool = False,
    ) -> None:
        in_cand = g < 0
        triples, tau = _relevant(in_cand, triples, tau)
        key, member = _membership(in_cand, triples)
        self.exact = True
        if key.size <= ALWAYS_ENUM_ITEMS or (
            full_only and key.size <= PRUNED_ENUM_ITEMS
        ):
            enum, order = True, np.arange(key.size)
        else:
            order, width = _order(key, member)
            enum_work = FRONTIER_FACTOR * 2.0**key.size * (triples.shape[0] + 3)
            dp_work = key.size * 3.0**width * (cap + 1)
            enum = key.size <= MAX_ENUM_ITEMS and enum_work <= dp_work
            # too wide a frontier: enumerate up to a larger key set, else relax
            enum |= width > MAX_OPEN and key.size <= MAX_ENUM_FALLBACK
            while not enum and width > MAX_OPEN:
                triples, tau = triples[:-1], tau[:-1]
                self.exact = False
                key, member = _membership(in_cand, triples)
                order, width = _order(key, member)
        self.dem, self.cap = dem, cap
        is_key = np.zeros(g.size, dtype=bool)
        is_key[key] = True
        self.free = np.flatnonzero(in_cand & ~is_key)
        self.base, self.trace = single_table(g, dem, self.free, cap)
        self._h: FloatArray | None = None
        self._steps: list[npt.NDArray[np.int64]] | None = None
        self.enumerated = enum
        self.full_only = full_only
        if enum:
            if full_only:  # most negative first: good complete sets early
                first = np.argsort(g[key], kind="stable")
                key, member = key[first], member[:, first]
            self.key = key
            self._enumerate(g, key, member, tau)
        else:
            self.key = key[order]
            self._frontier(g, member[:, order], tau)

    # -- enumeration -------------------------------------------------------
    def _enumerate(
        self, g: FloatArray, key: IntArray, member: BoolArray, tau: FloatArray
    ) -> None:
        """All subsets of the key items within capacity, grown item by item;
        taking item ``t`` pays ``tau_T`` for each triple ``T`` of ``t`` whose
        earlier items are taken exactly once (read from the subset's bits)."""
        cap, dem = self.cap, self.dem
        if key.size <= ALWAYS_ENUM_ITEMS and not self.full_only:  # all at once
            bits = _bits(key.size)  # float: products go through BLAS
            weight = bits @ dem[key].astype(np.float64)
            cost = bits @ g[key]
            if tau.size:
                # einsum, not BLAS: far faster for this shape on a busy machine
                hit = np.einsum("bk,rk->br", bits, member.astype(np.float64)) > 1.5
                cost += hit @ tau
            ok = np.flatnonzero(weight <= cap + 0.5)
            self._subsets = (
                np.rint(weight[ok]).astype(np.int64),
                cost[ok],
                ok.astype(np.int64),
            )
            self._steps = None
            return
        # per triple, the positions of its key items in order (-1 padded)
        pos_of = np.where(member, np.arange(key.size)[None, :], key.size)
        pos_of = np.sort(np.pad(pos_of, ((0, 0), (0, 3)), constant_values=key.size))
        pos_of = pos_of[:, :3]
        pos_of = np.where(pos_of < key.size, pos_of, -1)
        suffix = self._suffix(g, key) if self.full_only else None
        upper = float(self.base[cap])  # no key item taken
        weight = np.zeros(1, dtype=np.int64)
        cost = np.zeros(1)
        mask = np.zeros(1, dtype=np.int64)
        for pos, i in enumerate(key.tolist()):
            d = int(dem[i])
            ok = np.flatnonzero(weight + d <= cap)
            sub = mask[ok]
            extra = cost[ok] + g[i]
            # triples where this is the 2nd item: the 1st taken; 3rd: one of two
            second = pos_of[:, 1] == pos
            third = pos_of[:, 2] == pos
            if second.any():
                first = pos_of[second, 0]
                extra = extra + tau[second] @ ((sub[None, :] >> first[:, None]) & 1)
            if third.any():
                a = (sub[None, :] >> pos_of[third, 0][:, None]) & 1
                b = (sub[None, :] >> pos_of[third, 1][:, None]) & 1
                extra = extra + tau[third] @ (a ^ b)
            weight = np.concatenate([weight, weight[ok] + d])
            cost = np.concatenate([cost, extra])
            mask = np.concatenate([mask, sub | (1 << pos)])
            if suffix is not None:
                # the free items complete any partial subset without penalty
                upper = min(upper, float((cost + self.base[cap - weight]).min()))
                tol = 1e-9 * max(1.0, abs(upper))
                alive = cost + suffix[pos + 1, cap - weight] <= upper + tol
                weight, cost, mask = weight[alive], cost[alive], mask[alive]
        self._subsets = (
            weight.astype(np.int64, copy=False),
            cost,
            mask.astype(np.int64, copy=False),
        )
        self._steps = None

    def _suffix(self, g: FloatArray, key: IntArray) -> FloatArray:
        """``suffix[t, q]``: cut-free optimum of key items ``t..`` and the free
        items within ``q``, a lower bound on completing a partial subset."""
        cap, dem = self.cap, self.dem
        suffix = np.empty((key.size + 1, cap + 1))
        suffix[key.size] = self.base
        for t in range(key.size - 1, -1, -1):
            suffix[t] = suffix[t + 1]
            d = int(dem[key[t]])
            if d <= cap:
                cand = suffix[t + 1, : cap + 1 - d] + g[key[t]]
                np.minimum(suffix[t, d:], cand, out=suffix[t, d:])
        return suffix

    # -- frontier DP -------------------------------------------------------
    def _frontier(self, g: FloatArray, member: BoolArray, tau: FloatArray) -> None:
        cap, dem, key = self.cap, self.dem, self.key
        left = member.sum(axis=1)
        slot = np.full(member.shape[0], -1, dtype=np.intp)  # column of open triples
        states = np.zeros((1, 0), dtype=np.int8)
        table = self.base[None, :]
        steps: list[npt.NDArray[np.int64]] = []
        for t, i in enumerate(key.tolist()):
            d = int(dem[i])
            tri = np.flatnonzero(member[:, t])
            new = tri[slot[tri] < 0]
            slot[new] = states.shape[1] + np.arange(new.size)
            states = np.hstack([states, np.zeros((states.shape[0], new.size), np.int8)])
            inc = slot[tri]
            took = states.copy()
            took[:, inc] = np.minimum(took[:, inc] + 1, 2)
            pen = (states[:, inc] == 1).astype(np.float64) @ tau[tri]
            shifted = np.full_like(table, np.inf)
            if d <= cap:
                shifted[:, d:] = table[:, : cap + 1 - d] + (g[i] + pen)[:, None]
            left[tri] -= 1
            closing = tri[left[tri] == 0]
            keep = np.ones(states.shape[1], dtype=bool)
            keep[slot[closing]] = False
            cand_states = np.vstack([states, took])[:, keep]
            cand_table = np.vstack([table, shifted])
            remap = np.cumsum(keep) - 1
            open_now = slot >= 0
            slot[open_now] = remap[slot[open_now]]
            slot[closing] = -1
            codes = cand_states.astype(np.int64) @ (
                3 ** np.arange(cand_states.shape[1])
            )
            uniq, first, inv = np.unique(codes, return_index=True, return_inverse=True)
            table = np.full((uniq.size, cap + 1), np.inf)
            np.minimum.at(table, inv, cand_table)
            rows = cand_table.shape[0]
            src = np.arange(rows, dtype=np.int64)[:, None]
            pointer = np.full(table.shape, rows, dtype=np.int64)
            np.minimum.at(pointer, inv, np.where(cand_table == table[inv], src, rows))
            steps.append(pointer)
            states = cand_states[first]
        self._steps = steps
        self._h = table.min(axis=0)
        self._final = table

    # -- queries -------------------------------------------------------------
    @property
    def value(self) -> FloatArray:
        """The optimum at every capacity ``0 .. cap``.

        Raises
        ------
        LocationSolverError
            On a table built with ``full_only``.
        """
        if self.full_only:
            msg = "a `full_only` table has no value below its capacity"
            raise LocationSolverError(msg)
        if self._h is None:
            weight, cost, _ = self._subsets
            cap = self.cap
            by_weight = np.full(cap + 1, np.inf)
            np.minimum.at(by_weight, weight, cost)
            # min-plus convolution, one weight at a time: O(cap) memory
            h = np.full(cap + 1, np.inf)
            for w in np.flatnonzero(np.isfinite(by_weight)).tolist():
                np.minimum(h[w:], by_weight[w] + self.base[: cap + 1 - w], out=h[w:])
            self._h = h
        return self._h

    def at(self, q: int) -> tuple[float, IntArray]:
        """The optimum within capacity ``q`` and the items of a set reaching it.

        Raises
        ------
        LocationSolverError
            When ``q`` is not the capacity of a ``full_only`` table.
        """
        if self.full_only and q != self.cap:
            msg = f"a `full_only` table answers at its capacity {self.cap} only"
            raise LocationSolverError(msg)
        if self._steps is None:
            weight, cost, mask = self._subsets
            total = np.where(
                weight <= q, cost + self.base[np.clip(q - weight, 0, None)], np.inf
            )
            best = int(np.argmin(total))
            bits = (int(mask[best]) >> np.arange(self.key.size)) & 1 == 1
            taken = self.key[bits]
            rest = single_backtrack(
                self.trace, self.dem, self.free, int(q - weight[best])
            )
            return float(total[best]), np.sort(np.concatenate([taken, rest]))
        row = int(np.argmin(self._final[:, q]))
        value = float(self._final[row, q])
        picked = []
        for t in range(len(self._steps) - 1, -1, -1):
            c = int(self._steps[t][row, q])
            before = self._steps[t - 1].shape[0] if t > 0 else 1
            if c >= before:  # the "take" half
                i = int(self.key[t])
                picked.append(i)
                q -= int(self.dem[i])
                c -= before
            row = c
        rest = single_backtrack(self.trace, self.dem, self.free, q)
        return value, np.sort(np.concatenate([np.asarray(picked, dtype=np.intp), rest]))


def penalised_knapsack(
    g: FloatArray,
    dem: IntArray,
    cap: int,
    triples: IntArray,
    tau: FloatArray,
    start: BoolArray | None = None,
) -> tuple[float, IntArray, bool]:
    """One site: ``h(cap)``, the items of a set reaching it, and exactness.

    Decremental state-space relaxation: the table starts without triples and
    takes in only those its optimal set hits; a set hitting no left-out triple
    is optimal for the full problem (its true cost is the relaxed value).

    Parameters
    ----------
    g
        The site's reduced costs ``(n,)`` (``inf``: unusable).
    dem, cap
        Integer demands and the site's capacity.
    triples, tau
        Penalised triples ``(k, 3)`` and their penalties ``(k,)``, all > 0.
    start
        The cut-free optimal set, if known: the triples it hits go in at once.
    """
    taken = np.zeros(g.size, dtype=bool)
    if start is None:
        used = np.zeros(triples.shape[0], dtype=bool)
    else:
        used = start[triples].sum(axis=1) >= 2
    while True:
        table = PenalisedTable(g, dem, cap, triples[used], tau[used], full_only=True)
        value, items = table.at(cap)
        taken[:] = False
        taken[items] = True
        hit = (taken[triples].sum(axis=1) >= 2) & ~used
        if not hit.any() or not table.exact:
            return value, items, table.exact and not hit.any()
        used |= hit


def forced_bounds(
    g: FloatArray, dem: IntArray, cap: int, triples: IntArray, tau: FloatArray
) -> FloatArray:
    """Lower bounds, per item ``i``, on the penalised optimum with ``i`` taken:
    ``g_i + h(cap - d_i)`` (penalties only grow with the set); ``inf`` where
    ``d_i > cap``."""
    h = PenalisedTable(g, dem, cap, triples, tau).value
    room = cap - dem
    return np.where(room >= 0, g + h[np.clip(room, 0, cap)], np.inf)
