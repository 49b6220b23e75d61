r"""The master LP of the column generation, kept in HiGHS and re-solved warm.

A cluster :math:`c` is a site :math:`j_c` with a set :math:`S_c` of points
within its capacity, cost :math:`\sum_{i \in S_c} w_i c_{i j_c}`. Rows, with
their duals:

.. math::

    & \sum_{c \ni i} z_c \ge 1 \ (\lambda_i \ge 0) \quad \forall i, \qquad
    \sum_{c : j_c \notin R} z_c \le p - |R| \ (\pi \le 0), \\
    & \sum_{c : j_c = j} z_c \le 1 \ (\mu_j \le 0) \quad \forall j, \qquad
    \sum_{c : |S_c \cap T| \ge 2} z_c \le 1 \ (\sigma_T \le 0)
    \quad \forall \text{ triples } T,

plus one artificial column per point (cost above any solution) so that the LP
is always feasible. Covering (:math:`\ge`) instead of partitioning rows gives
the same LP value (clusters are closed under removing points) with signed
duals. Required sites are always open and need no cluster, so they do not count
against ``p``. Kept in HiGHS (``highspy``) with presolve off: after adding
columns or rows, HiGHS restarts from the last basis.
"""

from __future__ import annotations

import numpy as np

from deploy_opt.location._arrays import BoolArray, FloatArray, IntArray
from deploy_opt.location._highs import INF, check, quiet_highs
from deploy_opt.location.capacitated.columns._triple_cuts import cut_hits


class Master:
    """The master LP; clusters and triples are only ever added.

    Attributes
    ----------
    sites, members, col_cost
        The clusters (site, points ``(k, n)``, cost) in column order.
    triples
        The triple cuts ``(t, 3)`` in row order.
    """

    def __init__(self, cost: FloatArray, p: int, required: IntArray) -> None:
        n, m = cost.shape
        self.n, self.m = n, m
        self.cost = cost
        self.free = np.ones(m, dtype=bool)
        self.free[required] = False
        hs = quiet_highs(presolve="off")
        lo = np.zeros(n + 1 + m)
        lo[:n] = 1.0
        up = np.concatenate([np.full(n, INF), [float(p - required.size)], np.ones(m)])
        empty = np.zeros(0, dtype=np.int32)
        check(hs.addRows(n + 1 + m, lo, up, 0, empty, empty, np.zeros(0)), "rows")
        finite = cost[np.isfinite(cost)]
        big = float(np.abs(finite).sum()) + 1.0 if finite.size else 1.0
        idx = np.arange(n, dtype=np.int32)
        status = hs.addCols(
            n,
            np.full(n, big),
            np.zeros(n),
            np.full(n, INF),
            n,
            idx,
            idx,
            np.ones(n),
        )
        check(status, "artificial columns")
        self.hs = hs
        self.sites = np.zeros(0, dtype=np.intp)
        self.members = np.zeros((0, n), dtype=bool)
        self.col_cost = np.zeros(0)
        self.triples = np.zeros((0, 3), dtype=np.intp)
        self._known: set[bytes] = set()

    @property
    def size(self) -> int:
        """Number of clusters."""
        return int(self.sites.size)

    def add_columns(self, sites: IntArray, members: BoolArray) -> int:
        """Add the clusters not in the master yet; returns how many were new."""
        keep = []
        for c in range(sites.size):
            key = (
                int(sites[c]).to_bytes(4, "little") + np.packbits(members[c]).tobytes()
            )
            if key not in self._known:
                self._known.add(key)
                keep.append(c)
        if not keep:
            return 0
        sites, members = sites[keep], members[keep]
        n, m, k = self.n, self.m, len(keep)
        costs = np.where(members, self.cost[:, sites].T, 0.0).sum(axis=1)
        hits = cut_hits(members, self.triples)
        index = []
        for c in range(k):
            head = [n] if self.free[sites[c]] else []
            index.append(
                np.concatenate(
                    [
                        np.flatnonzero(members[c]),
                        head,
                        [n + 1 + sites[c]],
                        n + 1 + m + np.flatnonzero(hits[c]),
                    ]
                )
            )
        starts = np.cumsum([0] + [r.size for r in index[:-1]])
        flat = np.concatenate(index).astype(np.int32)
        status = self.hs.addCols(
            k,
            costs,
            np.zeros(k),
            np.full(k, INF),
            flat.size,
            starts.astype(np.int32),
            flat,
            np.ones(flat.size),
        )
        check(status, "columns")
        self.sites = np.concatenate([self.sites, sites])
        self.members = np.vstack([self.members, members])
        self.col_cost = np.concatenate([self.col_cost, costs])
        return k

    def add_cuts(self, triples: IntArray) -> None:
        """Add triple cuts over the clusters already in the master."""
        hits = cut_hits(self.members, triples)
        for t in range(triples.shape[0]):
            cols = (self.n + np.flatnonzero(hits[:, t])).astype(np.int32)
            check(self.hs.addRow(-INF, 1.0, cols.size, cols, np.ones(cols.size)), "cut")
        self.triples = np.vstack([self.triples, triples])

    def solve(self) -> tuple[float, FloatArray, FloatArray]:
        """LP value, duals of all rows, values of the clusters.

        Raises
        ------
        LocationSolverError
            When HiGHS fails.
        """
        check(self.hs.run(), "the master LP")
        sol = self.hs.getSolution()
        value = float(self.hs.getInfo().objective_function_value)
        x = np.asarray(sol.col_value)
        return value, np.asarray(sol.row_dual), x[self.n :]
