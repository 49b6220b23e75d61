r"""Subset-row cuts on three points for the set-partitioning master.

In a partition of the points into clusters, at most one cluster holds two or
more points of a triple :math:`T`, so

.. math::

    \sum_{c \,:\, |S_c \cap T| \ge 2} z_c \le 1

holds for every integer solution (Jepsen, Petersen, Spoorendonk and Pisinger,
2008, rank-1 Chvátal-Gomory cuts of the partitioning rows with multipliers
1/2). The LP left-hand side of a triple is
:math:`W_{ik} + W_{il} + W_{kl} - 2 X_{ikl}` with :math:`W` the
(fractional) pair co-occurrences and :math:`X` the triple co-occurrences of the
clusters in the solution, which is how :func:`separate_triples` finds them.
"""

from __future__ import annotations

import numpy as np

from deploy_opt.location._arrays import BoolArray, FloatArray, IntArray

#: Smallest violation of a cut worth adding.
MIN_VIOLATION = 0.02


def separate_triples(
    z: FloatArray,
    members: BoolArray,
    known: set[tuple[int, int, int]],
    max_cuts: int,
    max_per_point: int,
) -> IntArray:
    """Most violated triples for the LP values ``z`` of clusters ``members``.

    Parameters
    ----------
    z
        Positive LP values of the clusters in the solution, shape ``(k,)``.
    members
        Their points, ``(k, n)`` booleans.
    known
        Triples already in the master (sorted tuples), skipped.
    max_cuts, max_per_point
        At most this many cuts, each point in at most ``max_per_point`` of them.

    Returns
    -------
    Triples ``(c, 3)`` of sorted point indices, most violated first.
    """
    a = members.astype(np.float64)
    w = (a * z[:, None]).T @ a
    np.fill_diagonal(w, 0.0)
    found: list[tuple[float, int, int, int]] = []
    rows, cols = np.nonzero(np.triu(w, 1) > 1e-9)
    for i, k in zip(rows.tolist(), cols.tolist(), strict=True):
        s = w[i, k] + w[i, k + 1 :] + w[k, k + 1 :]
        ls = np.flatnonzero(s > 1.0 + MIN_VIOLATION) + k + 1
        if ls.size == 0:
            continue
        both = z * a[:, i] * a[:, k]
        lhs = s[ls - k - 1] - 2.0 * (both @ a[:, ls])
        for l_, v in zip(ls.tolist(), lhs.tolist(), strict=True):
            if v > 1.0 + MIN_VIOLATION and (i, k, l_) not in known:
                found.append((v, i, k, l_))
    found.sort(key=lambda t: (-t[0], t[1], t[2], t[3]))
    count = np.zeros(members.shape[1], dtype=np.intp)
    out = []
    for _, i, k, l_ in found:
        if max(count[i], count[k], count[l_]) >= max_per_point:
            continue
        out.append((i, k, l_))
        count[[i, k, l_]] += 1
        if len(out) >= max_cuts:
            break
    return np.asarray(out, dtype=np.intp).reshape(-1, 3)


def cut_hits(members: BoolArray, triples: IntArray) -> BoolArray:
    """``hits[c, t]``: whether cluster ``c`` holds two or more points of triple ``t``."""
    if triples.size == 0:
        return np.zeros((members.shape[0], 0), dtype=bool)
    return members[:, triples].sum(axis=2) >= 2
