"""Form guard groups: TPS of one category and kecamatan, at most ``tps`` per group.

Formulation (per cell = category c x kecamatan k, stations I, capacity Q = tps,
spread limit L = max_group_s, police travel times D symmetrised as max(d_ij, d_ji)):

    minimise   number of groups, then sum_i D[i, anchor(i)]
    subject to every station in exactly one group;
               at most Q stations per group;
               D[i, j] <= L for all i, j in one group  (the group's spread).

Method (capacitated p-median heuristic, Mulvey-Beck style): start with
ceil(|I|/Q) anchors chosen farthest-first; assign stations to anchors by an exact
min-cost flow with capacity Q, allowing only D[i, anchor] <= L/2 (by the triangle
inequality this keeps every pairwise time within L); move each anchor to its
group's medoid and repeat until stable; open a new anchor at a station no anchor
can take; then try to close the smallest groups while everything still fits,
merge any two groups whose union has at most Q stations within L, and empty a
group when each of its stations can join another group with room while staying
within L of all its members.

Lower bound on the number of groups of a cell: the largest of ceil(|I|/Q); the
size of a clique of stations pairwise more than L apart (they must all be in
different groups); and ceil(sum_i 1 / min(Q, d_i + 1)) with d_i the stations
within L of i (a group of size s contributes s * 1/s = 1, and i's group has at
most min(Q, d_i + 1) members). All hold for any plan, so the gap is honest.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from ortools.graph.python import min_cost_flow

from deploy_opt.errors import SolverError
from deploy_opt.problem import IntArray, ProblemData
from deploy_opt.solvers.work_budget import PAIR_UNITS, WorkBudget, flow_units
from deploy_opt.units import UNREACHABLE

#: Cost of leaving a station without an anchor in one assignment round.
_UNASSIGNED_COST = 10**9
_MAX_ROUNDS = 50
#: Smallest groups tried for closing per round (each try is one min-cost flow).
_CLOSE_TRIALS = 8


@dataclass(frozen=True)
class Grouping:
    """Guard groups of a plan.

    ``station_group[i]`` is the group of station ``i``; groups are numbered by
    category, then kecamatan, then the smallest station id in the group.
    """

    station_group: IntArray
    group_category: IntArray
    group_kecamatan: IntArray
    group_anchor: IntArray
    members: tuple[IntArray, ...]
    lower_bound: int
    spread_s: int
    spread_bound_s: int | None = None
    #: Ladder rung of each group's rule (index into its category's ladder);
    #: None = every group on its category's densest rule.
    group_rung: IntArray | None = None
    #: Why each group got its rule (empty when no category has a ladder).
    group_reason: tuple[str, ...] = ()

    @property
    def n_groups(self) -> int:
        """Number of groups."""
        return len(self.members)

    @property
    def rungs(self) -> IntArray:
        """Ladder rung of each group (0 = its category's densest rule)."""
        if self.group_rung is None:
            return np.zeros(self.n_groups, dtype=np.int64)
        return self.group_rung


def form_groups(
    data: ProblemData,
    refine_s: float = 0.0,
    seed: int = 0,
    *,
    cells: Collection[tuple[int, int]] | None = None,
    cell_tps: Mapping[tuple[int, int], int] | None = None,
    budget: WorkBudget | None = None,
) -> Grouping:
    """Partition the stations of ``data`` into guard groups (see module docstring).

    ``cells`` limits the work to those (category, kecamatan) cells (the other
    stations keep group -1); ``cell_tps`` gives a cell's TPS per group where
    it differs from its category's densest rule (a loosened ladder rung).

    With ``refine_s`` > 0 seconds (shared by the cells in proportion to their
    size), each cell is also solved as a capacitated p-median with as many
    groups and only pairs within the spread limit allowed. Its proven bound
    bounds the spread of any valid grouping with that many groups and is
    reported; its solution replaces ours when it keeps the pairwise rule and
    is better.

    ``budget`` (shared by the cells, in their order) bounds the work: once it
    runs out, every cell still gets valid groups, but the improvement steps
    are skipped (:class:`~deploy_opt.solvers.work_budget.WorkBudget` records
    which).

    Raises
    ------
    SolverError
        If a formed group breaks its spread limit (a bug, never the user's input).
    """
    budget = WorkBudget() if budget is None else budget
    groups: list[tuple[int, int, IntArray, int]] = []
    lower_bound = 0
    spread = 0
    spread_bound = 0.0
    groupable = sum(
        int((data.station_category == c).sum())
        for c, r in enumerate(data.categories)
        if r.tps > 1
    )
    for c, rule in enumerate(data.categories):
        for k in range(len(data.kecamatan_names)):
            cell = np.flatnonzero(
                (data.station_category == c) & (data.station_kecamatan == k)
            )
            if len(cell) == 0 or (cells is not None and (c, k) not in cells):
                continue
            tps = rule.tps if cell_tps is None else cell_tps.get((c, k), rule.tps)
            if tps <= 1:
                groups += [(c, k, np.array([i]), int(i)) for i in cell]
                lower_bound += len(cell)
                continue
            times = _cell_times(data, cell)
            budget.spend(60 * len(cell) ** 2)  # times, bound, farthest-first
            limit = (
                rule.max_group_s if rule.max_group_s is not None else UNREACHABLE - 1
            )
            cell_bound = _cell_lower_bound(times, tps, limit)
            anchors, assignment = _cluster(times, tps, limit, cell_bound, budget)
            lower_bound += cell_bound
            if refine_s > 0 and budget.allows("p-median refinement"):
                refine_cell_s = max(0.5, refine_s * len(cell) / max(1, groupable))
                anchors, assignment, bound = _refine(
                    times, anchors, assignment, tps, limit, refine_cell_s, seed
                )
                spread_bound += bound
            for a in np.unique(assignment):
                members = np.flatnonzero(assignment == a)
                block = times[np.ix_(members, members)]
                if block.max() > limit:
                    msg = f"group in cell {rule.name}/{data.kecamatan_names[k]} breaks its spread limit"
                    raise SolverError(msg)
                spread += int(times[members, anchors[a]].sum())
                groups.append((c, k, cell[members], int(cell[anchors[a]])))
    groups.sort(key=lambda g: (g[0], g[1], data.station_ids[int(g[2].min())]))
    station_group = np.full(data.n_stations, -1, dtype=np.int64)
    for g, (_, _, members, _) in enumerate(groups):
        station_group[members] = g
    return Grouping(
        station_group=station_group,
        group_category=np.array([g[0] for g in groups], dtype=np.int64),
        group_kecamatan=np.array([g[1] for g in groups], dtype=np.int64),
        group_anchor=np.array([g[3] for g in groups], dtype=np.int64),
        members=tuple(np.sort(g[2]) for g in groups),
        lower_bound=lower_bound,
        spread_s=spread,
        spread_bound_s=None if refine_s <= 0 else math.ceil(spread_bound - 1e-6),
    )


def _refine(
    times: IntArray,
    anchors: IntArray,
    assignment: IntArray,
    capacity: int,
    limit: int,
    time_limit: float,
    seed: int,
) -> tuple[IntArray, IntArray, float]:
    """Capacitated p-median on the cell: a bound on the spread, maybe better groups."""
    from deploy_opt.location import p_median

    ours = int(times[np.arange(len(times)), anchors[assignment]].sum())
    cost = np.where(times <= limit, times.astype(np.float64), np.inf)
    result = p_median(
        cost,
        len(anchors),
        capacities=np.full(len(times), capacity),
        time_limit=time_limit,
        seed=seed,
    )
    bound = float(min(max(result.bound, 0.0), ours))
    if (result.assignment < 0).any() or not result.objective < ours:
        return anchors, assignment, bound
    used = np.unique(result.assignment)
    if len(used) != len(anchors):
        return anchors, assignment, bound
    new_assignment = np.searchsorted(used, result.assignment).astype(np.int64)
    new_anchors = np.empty(len(used), dtype=np.int64)
    for a in range(len(used)):
        members = np.flatnonzero(new_assignment == a)
        block = times[np.ix_(members, members)]
        if block.max() > limit:
            return anchors, assignment, bound  # breaks the pairwise rule
        new_anchors[a] = members[int(np.argmin(block.sum(axis=1)))]
    if int(times[np.arange(len(times)), new_anchors[new_assignment]].sum()) >= ours:
        return anchors, assignment, bound
    return new_anchors, new_assignment, bound


def _cell_times(data: ProblemData, cell: IntArray) -> IntArray:
    """Dense symmetric police times within a cell; UNREACHABLE beyond the cutoff."""
    block = data.station_pairs.seconds[cell][:, cell].tocoo()
    times = np.full((len(cell), len(cell)), UNREACHABLE, dtype=np.int64)
    times[block.row, block.col] = block.data
    np.fill_diagonal(times, 0)
    return np.maximum(times, times.T)


def _cluster(
    times: IntArray,
    capacity: int,
    limit: int,
    lower_bound: int,
    budget: WorkBudget | None = None,
) -> tuple[IntArray, IntArray]:
    """Anchors (cell positions) and the anchor number of each station.

    First with anchor radius L/2 (every group keeps the spread rule by the
    triangle inequality); when that leaves more groups than the bound, once
    more with radius 3L/4, repairing the groups that then break the rule, and
    the better of the two is kept. ``budget``: unlimited when None.
    """
    budget = WorkBudget() if budget is None else budget
    anchors, assignment = _cluster_at(times, capacity, limit, limit // 2, budget)
    if len(anchors) > lower_bound and budget.allows("the wider anchor radius pass"):
        wide_anchors, wide_assignment = _cluster_at(
            times, capacity, limit, (3 * limit) // 4, budget
        )
        if _spread_key(times, wide_anchors, wide_assignment) < _spread_key(
            times, anchors, assignment
        ):
            anchors, assignment = wide_anchors, wide_assignment
    return anchors, assignment


def _spread_key(
    times: IntArray, anchors: IntArray, assignment: IntArray
) -> tuple[int, int]:
    """(groups, total time to anchors): what grouping minimises, in order."""
    return len(anchors), int(
        times[np.arange(len(assignment)), anchors[assignment]].sum()
    )


def _cluster_at(
    times: IntArray, capacity: int, limit: int, radius: int, budget: WorkBudget
) -> tuple[IntArray, IntArray]:
    """Clustering with a given anchor radius; groups always end within ``limit``.

    When ``budget`` runs out, the stations no anchor takes yet get groups of
    their own at once (:func:`_open_groups`) and the improvements are skipped.
    """
    n = len(times)
    anchors = _farthest_first(times, math.ceil(n / capacity))
    budget.spend(n * len(anchors))
    if not budget.affords(
        _assign_units(times, anchors, radius), "assignment of stations to anchors"
    ):
        return _repair_spread(
            times, *_open_groups(times, anchors, capacity, radius), capacity, limit
        )
    while True:
        anchors, assignment = _improve(times, anchors, capacity, radius, budget)
        missing = np.flatnonzero(assignment < 0)
        if len(missing) == 0:
            break
        if not budget.allows("opening anchors one at a time"):
            anchors, assignment = _open_groups(
                times, anchors, capacity, radius, assignment
            )
            break
        # Open an anchor at the unplaced station farthest from all anchors.
        far = missing[np.argmax(times[np.ix_(missing, anchors)].min(axis=1))]
        budget.spend(len(missing) * len(anchors))
        anchors = np.append(anchors, far)
    # Try to close groups, smallest first, while every station still fits.
    changed = True
    while changed and len(anchors) > math.ceil(n / capacity):
        changed = False
        sizes = np.bincount(assignment, minlength=len(anchors))
        for a in np.argsort(sizes, kind="stable")[:_CLOSE_TRIALS]:
            if not budget.affords(
                2 * _assign_units(times, anchors, radius), "closing small groups"
            ):
                break
            trial = np.delete(anchors, a)
            # one exact assignment tells whether the others can take everyone
            if (_assign(times, trial, capacity, radius, budget) < 0).any():
                continue
            anchors, assignment = _improve(times, trial, capacity, radius, budget)
            changed = True
            break
    # radius L/2 keeps the spread by the triangle inequality, which times with
    # straight-line fallback legs (deploy_opt.travel.fallback) need not obey
    anchors, assignment = _repair_spread(times, anchors, assignment, capacity, limit)
    anchors, assignment = _merge_small_groups(
        times, anchors, assignment, capacity, limit, budget
    )
    return _absorb_groups(
        times, anchors, assignment, capacity, limit, math.ceil(n / capacity), budget
    )


def _open_groups(
    times: IntArray,
    anchors: IntArray,
    capacity: int,
    radius: int,
    assignment: IntArray | None = None,
) -> tuple[IntArray, IntArray]:
    """Give every station without an anchor a group, at once (no flows).

    The first station left in ``anchors``' farthest-first order, then the
    unplaced station farthest from every anchor, opens a group and takes its
    nearest unplaced stations within ``radius`` (at most ``capacity - 1``).
    Fast and valid where the times keep the triangle inequality; the spread
    repair handles the rest.
    """
    n = len(times)
    if assignment is None:
        assignment = np.full(n, -1, dtype=np.int64)
        fresh: list[int] = [int(a) for a in anchors]
        anchors = np.zeros(0, dtype=np.int64)
    else:
        assignment = assignment.copy()
        fresh = []
    anchor_list = [int(a) for a in anchors]
    nearest = (
        times[:, anchors].min(axis=1)
        if len(anchors)
        else np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    )
    while (assignment < 0).any():
        free = assignment < 0
        while fresh and not free[fresh[0]]:
            fresh.pop(0)
        if fresh:
            i = fresh.pop(0)
        else:
            i = int(np.flatnonzero(free)[np.argmax(nearest[free])])
        row = np.where(free, times[i], np.iinfo(np.int64).max)
        row[i] = -1  # the anchor itself comes first
        near = np.argsort(row, kind="stable")[:capacity]
        near = near[row[near] <= radius]
        assignment[near] = len(anchor_list)
        assignment[i] = len(anchor_list)
        anchor_list.append(i)
        nearest = np.minimum(nearest, times[i])
    return np.array(anchor_list, dtype=np.int64), assignment


def _repair_spread(
    times: IntArray, anchors: IntArray, assignment: IntArray, capacity: int, limit: int
) -> tuple[IntArray, IntArray]:
    """Make every group keep the spread limit L.

    From a group that breaks it, the station farthest from the others leaves
    until the rest fit; each station that left joins the nearest group with
    room that it fits, or starts a group of its own.
    """
    assignment = assignment.copy()
    anchors = anchors.copy()
    loose: list[int] = []
    for g in range(len(anchors)):
        members = list(np.flatnonzero(assignment == g))
        while len(members) > 1:
            block = times[np.ix_(members, members)]
            if block.max() <= limit:
                break
            worst = members.pop(int(np.argmax(block.max(axis=1))))
            assignment[worst] = -1
            loose.append(int(worst))
    for i in loose:
        sizes = np.bincount(assignment[assignment >= 0], minlength=len(anchors))
        target = -1
        for g in np.argsort(times[i, anchors], kind="stable"):
            group = np.flatnonzero(assignment == g)
            if sizes[g] < capacity and times[i, group].max() <= limit:
                target = int(g)
                break
        if target < 0:
            anchors = np.append(anchors, i)
            target = len(anchors) - 1
        assignment[i] = target
    for g in range(len(anchors)):
        group = np.flatnonzero(assignment == g)
        anchors[g] = group[int(np.argmin(times[np.ix_(group, group)].sum(axis=1)))]
    return anchors, assignment


def _absorb_groups(
    times: IntArray,
    anchors: IntArray,
    assignment: IntArray,
    capacity: int,
    limit: int,
    fewest: int,
    budget: WorkBudget,
) -> tuple[IntArray, IntArray]:
    """Close a group by moving each of its stations into another group with room.

    A station may join a group when it stays within L of every member (the
    real spread rule, not the anchor radius). Smallest groups are tried first;
    this stops when no group can be emptied or the count reaches ceil(n/Q).
    """
    while len(anchors) > fewest and budget.allows("emptying groups into others"):
        sizes = np.bincount(assignment, minlength=len(anchors))
        order = np.argsort(assignment, kind="stable")
        starts = np.searchsorted(assignment[order], np.arange(len(anchors)))
        closed = False
        for g in np.argsort(sizes, kind="stable")[:_CLOSE_TRIALS]:
            if (capacity - sizes).sum() - (capacity - sizes[g]) < sizes[g]:
                break
            moving = np.flatnonzero(assignment == g)
            budget.spend(len(moving) * len(times) + PAIR_UNITS * len(moving))
            # worst time from each moving station to each group's members
            worst = np.maximum.reduceat(times[np.ix_(moving, order)], starts, axis=1)
            room = capacity - sizes
            room[g] = 0
            target = np.full(len(moving), -1, dtype=np.int64)
            for k, i in enumerate(moving):
                fits = (room > 0) & (worst[k] <= limit)
                if not fits.any():
                    break
                h = int(np.flatnonzero(fits)[np.argmin(times[i, anchors[fits]])])
                target[k] = h
                room[h] -= 1
                # later movers must also stay within L of this one
                worst[:, h] = np.maximum(worst[:, h], times[moving, i])
            if (target < 0).any():
                continue
            assignment = assignment.copy()
            assignment[moving] = target
            assignment = np.where(assignment > g, assignment - 1, assignment)
            anchors = np.delete(anchors, g)
            for h in np.unique(assignment[moving]):
                members = np.flatnonzero(assignment == h)
                anchors[h] = members[
                    int(np.argmin(times[np.ix_(members, members)].sum(axis=1)))
                ]
            closed = True
            break
        if not closed:
            break
    return anchors, assignment


def _merge_small_groups(
    times: IntArray,
    anchors: IntArray,
    assignment: IntArray,
    capacity: int,
    limit: int,
    budget: WorkBudget,
) -> tuple[IntArray, IntArray]:
    """Merge two groups whenever their union fits: size <= Q, spread <= L.

    The anchor radius L/2 is sufficient, not necessary; two small groups can
    often share officers although their TPS are more than L/2 apart.
    """
    while budget.allows("merging small groups"):
        members = [np.flatnonzero(assignment == a) for a in range(len(anchors))]
        budget.spend(PAIR_UNITS * len(anchors) * (len(anchors) - 1) // 2)
        best: tuple[int, int, int] | None = None
        for a in range(len(anchors)):
            for b in range(a + 1, len(anchors)):
                if len(members[a]) + len(members[b]) > capacity:
                    continue
                union = np.concatenate([members[a], members[b]])
                spread = int(times[np.ix_(union, union)].max())
                if spread <= limit and (best is None or spread < best[0]):
                    best = (spread, a, b)
        if best is None:
            break
        _, a, b = best
        union = np.concatenate([members[a], members[b]])
        block = times[np.ix_(union, union)]
        anchors = anchors.copy()
        anchors[a] = union[int(np.argmin(block.sum(axis=1)))]
        assignment = np.where(assignment == b, a, assignment)
        assignment = np.where(assignment > b, assignment - 1, assignment)
        anchors = np.delete(anchors, b)
    return anchors, assignment


def _improve(
    times: IntArray, anchors: IntArray, capacity: int, radius: int, budget: WorkBudget
) -> tuple[IntArray, IntArray]:
    """Alternate exact assignment and medoid moves until the anchors are stable
    (or ``budget`` runs out: the last assignment is kept)."""
    assignment = _assign(times, anchors, capacity, radius, budget)
    for _ in range(_MAX_ROUNDS):
        if not budget.affords(
            _assign_units(times, anchors, radius), "moving anchors to medoids"
        ):
            break
        sizes = np.bincount(assignment[assignment >= 0], minlength=len(anchors))
        budget.spend(len(times) * len(anchors) + int((sizes * sizes).sum()))
        moved = anchors.copy()
        for a in range(len(anchors)):
            members = np.flatnonzero(assignment == a)
            if len(members) == 0:
                continue
            block = times[np.ix_(members, members)]
            fits = block.max(axis=1) <= radius
            if not fits.any():
                continue
            cost = np.where(fits, block.sum(axis=1), np.iinfo(np.int64).max)
            moved[a] = members[int(np.argmin(cost))]
        if np.array_equal(moved, anchors):
            break
        new_assignment = _assign(times, moved, capacity, radius, budget)
        if (new_assignment < 0).sum() > (assignment < 0).sum():
            break
        anchors, assignment = moved, new_assignment
    return anchors, assignment


def _assign_units(times: IntArray, anchors: IntArray, radius: int) -> float:
    """Work units :func:`_assign` would spend (a scan of the pairs it weighs)."""
    n, k = len(times), len(anchors)
    arcs = int((times[:, anchors] <= radius).sum())
    return n * k + flow_units(arcs + k + n, n + k + 1)


def _assign(
    times: IntArray,
    anchors: IntArray,
    capacity: int,
    radius: int,
    budget: WorkBudget | None = None,
) -> IntArray:
    """Min-cost assignment of stations to anchors within ``radius``; -1 if none fits.

    Each anchor station is pinned to its own anchor (the anchor is a member of
    its group); the other stations share the remaining ``capacity - 1`` places
    of each anchor.
    """
    n, k = len(times), len(anchors)
    if len(np.unique(anchors)) != k:
        msg = "two groups share an anchor station while forming groups"
        raise SolverError(msg)
    assignment = np.full(n, -1, dtype=np.int64)
    assignment[anchors] = np.arange(k)
    others = np.flatnonzero(assignment < 0)
    m = len(others)
    if m == 0 or capacity <= 1:
        return assignment
    station, anchor = np.nonzero(times[np.ix_(others, anchors)] <= radius)
    if budget is not None:
        budget.spend(m * k + flow_units(len(station) + k + m, m + k + 1))
    sink = m + k
    flow = min_cost_flow.SimpleMinCostFlow()
    tails = np.concatenate([station, m + np.arange(k), np.arange(m)])
    heads = np.concatenate([m + anchor, np.full(k, sink), np.full(m, sink)])
    caps = np.concatenate(
        [np.ones(len(station)), np.full(k, capacity - 1), np.ones(m)]
    ).astype(np.int64)
    costs = np.concatenate(
        [
            times[others[station], anchors[anchor]],
            np.zeros(k),
            np.full(m, _UNASSIGNED_COST),
        ]
    ).astype(np.int64)
    arcs = flow.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    supplies = np.zeros(m + k + 1, dtype=np.int64)
    supplies[:m] = 1
    supplies[sink] = -m
    flow.set_nodes_supplies(np.arange(m + k + 1), supplies)
    if flow.solve() != flow.OPTIMAL:
        msg = "min-cost flow failed while forming groups"
        raise SolverError(msg)
    used = flow.flows(arcs[: len(station)]) > 0
    assignment[others[station[used]]] = anchor[used]
    return assignment


def _farthest_first(times: IntArray, count: int) -> IntArray:
    """``count`` spread-out stations: start at the most peripheral, then farthest."""
    capped = np.minimum(times, UNREACHABLE // 4)
    chosen = [int(np.argmax(capped.sum(axis=1)))]
    nearest = capped[chosen[0]].copy()
    nearest[chosen[0]] = -1  # never chosen twice, even among co-located stations
    for _ in range(1, min(count, len(times))):
        nxt = int(np.argmax(nearest))
        chosen.append(nxt)
        nearest = np.minimum(nearest, capped[nxt])
        nearest[nxt] = -1
    return np.array(chosen, dtype=np.int64)


def _cell_lower_bound(times: IntArray, capacity: int, limit: int) -> int:
    """max(ceil(n / Q), a clique of stations pairwise > L apart, a packing bound)."""
    conflict: npt.NDArray[np.bool_] = times > limit
    order = np.argsort(-conflict.sum(axis=1), kind="stable")
    clique: list[int] = []
    for i in order:
        if all(conflict[i, j] for j in clique):
            clique.append(int(i))
    # A station with d stations within L sits in a group of at most
    # min(Q, d + 1); summing 1 / (group size) over stations counts groups.
    reach = np.minimum(capacity, (~conflict).sum(axis=1))
    packing = math.ceil(float((1.0 / reach).sum()) - 1e-9)
    return max(math.ceil(len(times) / capacity), len(clique), packing)
