r"""Exact re-optimisation of pairs of clusters for the capacitated p-median.

For two clusters with :math:`t` points in all (at most :data:`MAX_PAIR_POINTS`)
every split of the points into two non-empty groups is enumerated at once
(:math:`2^t` bit masks), and each group gets its cheapest candidate site that
holds its demand; candidates are the two current sites and each point's
cheapest sites that are not open elsewhere, the two groups' sites distinct.
The best split replaces the pair when it is cheaper. One evaluation covers
every shift and swap of points between the two clusters together with the
move of either site, which location-allocation and single moves cannot reach
when capacities are tight and clusters small (a few points per site). No MIP
solver is involved, so a pass over all neighbouring pairs takes seconds even
with a thousand sites, and the result is deterministic.
"""

from __future__ import annotations

import time

import numpy as np
import numpy.typing as npt

from deploy_opt.location._arrays import BoolArray, FloatArray, IntArray
from deploy_opt.location._problem import Instance

#: Most points two clusters may hold for their pair to be enumerated.
MAX_PAIR_POINTS = 14
#: Neighbouring clusters each cluster is paired with.
PAIR_NEIGHBOURS = 5
#: Cheapest sites per point offered as candidates.
PAIR_K = 8


def pair_reoptimize(
    inst: Instance,
    allowed: BoolArray,
    assign: IntArray,
    deadline: float | None,
    *,
    neighbours: int = PAIR_NEIGHBOURS,
    k: int = PAIR_K,
) -> tuple[IntArray, int]:
    """Improve ``assign`` by exact re-optimisation of neighbouring cluster pairs.

    Each open site is paired, in site order, with the ``neighbours`` open sites
    nearest to its points (mean cost); pairs with more than
    :data:`MAX_PAIR_POINTS` points or a required site are skipped. Passes repeat
    until one improves nothing or the deadline passes.

    Returns the improved assignment and the number of improving moves.
    """
    caps = inst.require_capacities()
    assign = assign.copy()
    weighted = np.where(allowed, inst.weighted, np.inf)
    kk = min(k, inst.m)
    near = np.argpartition(weighted, kk - 1, axis=1)[:, :kk]
    required = np.zeros(inst.m, dtype=bool)
    required[inst.required] = True
    masks = _split_masks(MAX_PAIR_POINTS)
    moves = 0
    seen: set[bytes] = set()
    improved = True
    while improved:
        improved = False
        for a in np.unique(assign):
            if _past(deadline):
                return assign, moves
            members = np.flatnonzero(assign == a)
            if members.size == 0 or required[a]:
                continue
            open_sites = np.unique(assign)
            reach = weighted[np.ix_(members, open_sites)].mean(axis=0)
            order = np.argsort(reach, kind="stable")
            for b in open_sites[order[1 : neighbours + 1]]:
                if required[b] or not (assign == a).any():
                    continue
                pts = np.flatnonzero((assign == a) | (assign == b))
                if pts.size > MAX_PAIR_POINTS or pts.size < 2:
                    continue
                key = np.concatenate([pts, assign[pts]]).tobytes()
                if key in seen:
                    continue
                seen.add(key)
                is_open = np.zeros(inst.m, dtype=bool)
                is_open[np.unique(assign)] = True
                current = float(weighted[pts, assign[pts]].sum())
                found = _best_split(
                    weighted,
                    inst.demands,
                    caps,
                    pts,
                    near,
                    is_open,
                    (a, b),
                    masks,
                    current,
                )
                if found is None:
                    continue
                group_a, site_a, site_b = found
                assign[pts] = np.where(group_a, site_a, site_b)
                moves += 1
                improved = True
    return assign, moves


def _past(deadline: float | None) -> bool:
    return deadline is not None and time.perf_counter() > deadline


def _split_masks(t_max: int) -> dict[int, npt.NDArray[np.bool_]]:
    """For each ``t``, the ``2^t - 2`` proper non-empty subsets as bool rows."""
    out = {}
    for t in range(2, t_max + 1):
        codes = np.arange(1, 2**t - 1, dtype=np.int64)
        out[t] = ((codes[:, None] >> np.arange(t)) & 1).astype(bool)
    return out


def _best_split(
    weighted: FloatArray,
    demands: FloatArray,
    caps: FloatArray,
    pts: IntArray,
    near: IntArray,
    is_open: BoolArray,
    pair: tuple[int, int],
    masks: dict[int, npt.NDArray[np.bool_]],
    current: float,
) -> tuple[npt.NDArray[np.bool_], int, int] | None:
    """Cheapest split of ``pts`` over two distinct candidate sites, if it is
    cheaper than ``current``: (points of the first group, its site, the other
    group's site)."""
    a, b = pair
    cands = np.unique(np.concatenate([near[pts].ravel(), [a, b]]))
    cands = cands[~is_open[cands] | (cands == a) | (cands == b)]
    sub = weighted[np.ix_(pts, cands)]
    finite = np.isfinite(sub)
    big = float(np.where(finite, sub, 0.0).sum()) + 1.0
    sub = np.where(finite, sub, big)
    bits = masks[pts.size]
    cost_in = bits @ sub  # (masks, candidates): group of the mask
    cost_out = sub.sum(axis=0)[None, :] - cost_in  # the complement
    dem = demands[pts]
    load_in = bits @ dem
    load_out = dem.sum() - load_in
    cost_in = np.where(load_in[:, None] <= caps[cands][None, :] + 1e-9, cost_in, np.inf)
    cost_out = np.where(
        load_out[:, None] <= caps[cands][None, :] + 1e-9, cost_out, np.inf
    )
    # best and second-best site per group, so the two sites can differ
    two = min(2, cands.size)
    arg_in = np.argpartition(cost_in, two - 1, axis=1)[:, :two]
    arg_out = np.argpartition(cost_out, two - 1, axis=1)[:, :two]
    val_in = np.take_along_axis(cost_in, arg_in, axis=1)
    val_out = np.take_along_axis(cost_out, arg_out, axis=1)
    o_in = np.argsort(val_in, axis=1)
    o_out = np.argsort(val_out, axis=1)
    arg_in = np.take_along_axis(arg_in, o_in, axis=1)
    val_in = np.take_along_axis(val_in, o_in, axis=1)
    arg_out = np.take_along_axis(arg_out, o_out, axis=1)
    val_out = np.take_along_axis(val_out, o_out, axis=1)
    total = val_in[:, 0] + val_out[:, 0]
    clash = arg_in[:, 0] == arg_out[:, 0]
    if two > 1:
        alt_1 = val_in[:, 1] + val_out[:, 0]
        alt_2 = val_in[:, 0] + val_out[:, 1]
        total = np.where(clash, np.minimum(alt_1, alt_2), total)
    else:
        total = np.where(clash, np.inf, total)
    best = int(np.argmin(total))
    if not total[best] < current - 1e-9 * max(1.0, current) or total[best] >= big:
        return None
    site_in, site_out = int(arg_in[best, 0]), int(arg_out[best, 0])
    if site_in == site_out:
        if val_in[best, 1] + val_out[best, 0] <= val_in[best, 0] + val_out[best, 1]:
            site_in = int(arg_in[best, 1])
        else:
            site_out = int(arg_out[best, 1])
    return bits[best], int(cands[site_in]), int(cands[site_out])
