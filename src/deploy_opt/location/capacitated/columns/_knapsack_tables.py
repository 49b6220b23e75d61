r"""0-1 min-knapsacks by dynamic programming, one per site, vectorised over sites.

For reduced costs :math:`g_{ij}` (``inf``: item unusable), integer demands
:math:`d_i` and capacities :math:`Q_j`, the table

.. math::

    f_j(q) = \min \Big\{ \sum_i g_{ij} x_i : \sum_i d_i x_i \le q,\
    x \in \{0, 1\}^n \Big\}, \qquad 0 \le q \le Q_j,

is built item by item. Only items with :math:`g_{ij} < 0` can lower a table, so
item ``i`` touches only the sites where it is negative (sparse: the work is
:math:`\sum_i |\{j : g_{ij} < 0\}| \cdot Q`, not :math:`n m Q`), and the choice
trace is kept in the same sparse form for backtracking.
:func:`single_table` is the same DP for one site over chosen items.
"""

from __future__ import annotations

import numpy as np

from deploy_opt.location._arrays import BoolArray, FloatArray, IntArray

_Trace = list[tuple[IntArray, BoolArray | None] | None]


class SiteTables:
    """Tables ``f[j, q]`` for every site, and optimal sets on demand.

    Parameters
    ----------
    g
        Reduced costs, shape ``(n, m)``; ``inf`` (or any value >= 0) never taken.
    dem
        Integer demands ``(n,)``, non-negative.
    cap
        Integer capacities ``(m,)``, non-negative.
    trace
        Whether to keep what :meth:`sets` needs.

    Attributes
    ----------
    f
        Shape ``(m, max(cap) + 1)``.
    """

    def __init__(
        self, g: FloatArray, dem: IntArray, cap: IntArray, trace: bool = True
    ) -> None:
        n, m = g.shape
        q_max = int(cap.max(initial=0))
        f = np.zeros((m, q_max + 1))
        steps: _Trace = []
        for i in range(n):
            neg = np.flatnonzero(g[i] < 0)
            d = int(dem[i])
            if neg.size == 0 or d > q_max:
                steps.append(None)
                continue
            gi = g[i, neg][:, None]
            if d == 0:
                f[neg] += gi
                steps.append((neg, None))
                continue
            sub = f[neg]
            cand = sub[:, : q_max + 1 - d] + gi
            better = cand < sub[:, d:]
            np.copyto(sub[:, d:], cand, where=better)
            f[neg] = sub
            steps.append((neg, better) if trace else None)
        self.f = f
        self._steps = steps
        self._dem = dem
        self._shape = (n, m)

    def sets(self, q: IntArray) -> BoolArray:
        """``members[j, i]``: item ``i`` in site ``j``'s optimal set within ``q[j]``."""
        n, m = self._shape
        dem = self._dem
        members = np.zeros((m, n), dtype=bool)
        q = q.astype(np.intp).copy()
        for i in range(n - 1, -1, -1):
            step = self._steps[i]
            if step is None:
                continue
            neg, better = step
            d = int(dem[i])
            if better is None:  # zero demand: taken wherever negative
                members[neg, i] = True
                continue
            qn = q[neg]
            ok = np.flatnonzero(qn >= d)
            took = ok[better[ok, qn[ok] - d]]
            members[neg[took], i] = True
            q[neg[took]] -= d
        return members


def single_table(
    g: FloatArray, dem: IntArray, items: IntArray, cap: int
) -> tuple[FloatArray, list[BoolArray]]:
    """One site's table over ``items`` (all with ``g < 0``) and its trace."""
    f = np.zeros(cap + 1)
    trace = []
    for i in items:
        d = int(dem[i])
        if d > cap:
            trace.append(np.zeros(cap + 1, dtype=bool))
            continue
        if d == 0:
            f += g[i]
            trace.append(np.ones(cap + 1, dtype=bool))
            continue
        cand = f[: cap + 1 - d] + g[i]
        better = np.zeros(cap + 1, dtype=bool)
        better[d:] = cand < f[d:]
        np.copyto(f[d:], cand, where=better[d:])
        trace.append(better)
    return f, trace


def single_backtrack(
    trace: list[BoolArray], dem: IntArray, items: IntArray, q: int
) -> IntArray:
    """Items of the optimal set at capacity ``q`` from :func:`single_table`."""
    taken = []
    for k in range(len(items) - 1, -1, -1):
        if trace[k][q]:
            taken.append(items[k])
            q -= int(dem[items[k]])
    return np.asarray(taken[::-1], dtype=np.intp)
