"""Send police or TNI from bases to guard groups.

Formulation (one agency; bases B with headcount h_b, groups G needing d_g
persons, arcs A = {(b, g): base b may serve g's kecamatan and reaches every TPS
of g within the agency's limit}, t_bg = longest of those trips in seconds,
plus the cross-jurisdiction penalty when b serves outside its jurisdiction
under ``solver.jurisdiction: penalised``):

    minimise   sum_g P_g (1 - y_g) + sum_(b,g) in A  t_bg x_bg
    subject to sum_b x_bg = d_g y_g          (a group is fully staffed or not)
               sum_g x_bg <= h_b              (headcount of each base)
               x_bg integer >= 0, y_g in {0, 1}

P_g = w_g * n_g * M with w_g the category weight (scaled), n_g the TPS in the
group and M larger than any possible total travel (penalties included), so
covering risk-weighted TPS always comes first and travel breaks ties.

Method: relax y_g to [0, 1]; the relaxation is an integer min-cost flow
(source -> base -> group -> sink, plus a direct shortfall arc of cost P_g/d_g per
person), solved exactly by OR-Tools. Its optimum is a valid lower bound. If no
group ends up partly staffed, the flow is optimal for the model above. Otherwise
the partly staffed groups are repaired and CP-SAT, hinted with the repaired
plan, solves the exact model within the time limit; its own bound is reported.

Groups outside ``eligible`` (TNI: groups whose police are not staffed, unless
their category takes TNI alone) get nobody: their demand stays the rule's, so
they are reported short, but no arc leads to them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from ortools.graph.python import min_cost_flow
from ortools.sat.python import cp_model

from deploy_opt.errors import SolverError
from deploy_opt.kinds import group_police_only
from deploy_opt.problem import IntArray, ProblemData
from deploy_opt.solvers.grouping import Grouping
from deploy_opt.units import UNREACHABLE


@dataclass(frozen=True)
class AgencyAllocation:
    """Persons of one agency sent from bases to groups."""

    agency: str
    base: IntArray
    group: IntArray
    count: IntArray
    travel_s: IntArray
    demand: IntArray
    covered: np.ndarray
    reachable_bases: tuple[IntArray, ...]
    objective: int
    bound: int
    status: str
    method: str
    #: Groups this agency was not offered (TNI: police not staffed); None = all.
    held_back: np.ndarray | None = None
    #: Per arc (base, group, count): the base serves outside its jurisdiction
    #: (only under ``solver.jurisdiction: penalised``); None = never.
    outside: np.ndarray | None = None


def group_travel(
    data: ProblemData, grouping: Grouping, agency: str
) -> tuple[IntArray, IntArray]:
    """Arcs (base, group) allowed for ``agency`` and their longest trip in seconds.

    A base may serve a group when it has personnel of ``agency``, its
    jurisdiction includes the group's kecamatan (any kecamatan under
    ``jurisdiction: penalised``), every TPS of the group is within the
    agency's travel limit and, for police, the kind rules of the group's TPS
    allow it (:func:`kind_allowed`).
    """
    candidates = np.flatnonzero(data.headcount[agency] > 0)
    if len(candidates) == 0 or grouping.n_groups == 0:
        return np.zeros((0, 2), dtype=np.int64), np.zeros(0, dtype=np.int64)
    # sparse: a (group, base) pair is allowed when every member's trip is
    # stored and within the limit; memory grows with the stored trips only
    stored = sp.csr_array(data.travel[agency].seconds)[candidates].tocoo()
    cand, station = stored.row.astype(np.int64), stored.col.astype(np.int64)
    seconds = stored.data.astype(np.int64)
    group = grouping.station_group[station]
    ok = (group >= 0) & (seconds < UNREACHABLE)
    limit = data.travel_limit_s[agency]
    if limit is not None:
        ok &= seconds <= limit
    key = group[ok] * len(candidates) + cand[ok]
    seconds = seconds[ok]
    order = np.argsort(key, kind="stable")
    key, seconds = key[order], seconds[order]
    pairs, starts, members = np.unique(key, return_index=True, return_counts=True)
    if len(pairs) == 0:
        return np.zeros((0, 2), dtype=np.int64), np.zeros(0, dtype=np.int64)
    worst = np.maximum.reduceat(seconds, starts)
    group, cand = pairs // len(candidates), pairs % len(candidates)
    sizes = np.bincount(
        grouping.station_group[grouping.station_group >= 0],
        minlength=grouping.n_groups,
    )
    serves = data.may_serve(candidates, np.arange(len(data.kecamatan_names)))
    kecamatan = grouping.group_kecamatan[group]
    allowed = (members == sizes[group]) & serves[cand, kecamatan]
    group, cand, worst = group[allowed], cand[allowed], worst[allowed]
    # sorted by group, then base
    arcs = np.stack([candidates[cand], group], axis=1).astype(np.int64)
    keep = kind_allowed(data, grouping, arcs, agency)
    return arcs[keep], worst.astype(np.int64)[keep]


def kind_allowed(
    data: ProblemData, grouping: Grouping, arcs: IntArray, agency: str
) -> np.ndarray:
    """Mask of ``arcs`` (base, group) the TPS kind rules allow.

    A group holding a TPS whose kind restricts its police (``own_polsek`` or a
    named base) takes police only from bases allowed for every such TPS.
    """
    keep = np.ones(len(arcs), dtype=bool)
    if agency != "polri" or not data.station_police_bases:
        return keep
    allowed = group_police_only(
        data.station_police_bases, grouping.station_group, data.n_bases
    )
    for g, mask in allowed.items():
        rows = arcs[:, 1] == g
        keep[rows] = mask[arcs[rows, 0]]
    return keep


def outside_jurisdiction(
    data: ProblemData, grouping: Grouping, arcs: IntArray
) -> np.ndarray:
    """Mask of ``arcs`` (base, group) where the base serves outside its jurisdiction."""
    if len(arcs) == 0:
        return np.zeros(0, dtype=bool)
    return ~data.jurisdiction[arcs[:, 0], grouping.group_kecamatan[arcs[:, 1]]]


def allocate(
    data: ProblemData,
    grouping: Grouping,
    agency: str,
    *,
    time_limit_s: float,
    seed: int,
    workers: int = 1,
    reproducible: bool = False,
    eligible: np.ndarray | None = None,
) -> AgencyAllocation:
    """Allocate ``agency`` personnel to the groups (see module docstring).

    ``eligible`` (a mask over groups) limits who may receive persons; the
    others keep their demand and are left unstaffed. With ``reproducible``,
    CP-SAT stops on a deterministic-time limit only (see :func:`_cp_solver`).

    Raises
    ------
    SolverError
        If OR-Tools fails on a model that should always be feasible.
    """
    n_groups = grouping.n_groups
    demand = np.array(
        [
            data.categories[c].need(agency, r)  # r: the group's ladder rung
            for c, r in zip(grouping.group_category, grouping.rungs, strict=True)
        ],
        dtype=np.int64,
    )
    headcount = data.headcount[agency]
    arcs, travel = group_travel(data, grouping, agency)
    # arcs are sorted by group, so each group's bases are one slice
    cuts = np.searchsorted(arcs[:, 1], np.arange(1, n_groups))
    reachable = tuple(np.sort(part) for part in np.split(arcs[:, 0], cuts))
    # a person outside the base's jurisdiction (penalised mode) costs extra,
    # like travel: still below any coverage (big_m is taken over this cost)
    outside = outside_jurisdiction(data, grouping, arcs)
    cost = travel + int(data.cross_jurisdiction_s or 0) * outside
    held_back = None
    rule_demand = demand
    if eligible is not None:
        held_back = ~np.asarray(eligible, dtype=bool)
        keep = ~held_back[arcs[:, 1]]
        arcs, travel = arcs[keep], travel[keep]
        outside, cost = outside[keep], cost[keep]
        demand = np.where(held_back, 0, demand)
    sizes = np.array([len(m) for m in grouping.members], dtype=np.int64)
    weights = np.array(
        [data.categories[c].weight for c in grouping.group_category], dtype=np.int64
    )
    big_m = int(max(1, cost.max(initial=0)) * max(1, int(demand.sum())) + 1)
    per_person = weights * sizes * big_m  # any covered TPS outweighs all travel
    penalty = per_person * demand  # cost of leaving a whole group unstaffed

    count, bound = relaxed_flow(arcs, cost, headcount, demand, per_person, n_groups)
    staffed = np.bincount(arcs[:, 1], weights=count, minlength=n_groups).astype(
        np.int64
    )
    partial = (staffed > 0) & (staffed < demand)
    method = "min-cost flow"
    status = "optimal"
    if partial.any():
        # Only the parts of the base-group graph holding a partly staffed group
        # need the exact model; elsewhere the flow is already optimal.
        hot = _components_with(arcs, len(headcount), n_groups, partial)
        count = _repair(arcs, count, headcount, demand, penalty)
        in_hot = hot[arcs[:, 1]]
        settled = int((cost[~in_hot] * count[~in_hot]).sum())
        staffed = np.bincount(arcs[:, 1], weights=count, minlength=n_groups).astype(
            np.int64
        )
        settled += int((per_person * (demand - staffed))[~hot].sum())
        sub_count, cp_bound, status = _solve_exact(
            arcs[in_hot],
            cost[in_hot],
            headcount,
            demand,
            weights * sizes * demand,
            big_m,
            hot,
            count[in_hot],
            time_limit_s,
            seed,
            workers,
            reproducible,
        )
        count[in_hot] = sub_count
        bound = max(bound, settled + cp_bound)
        method = "min-cost flow + CP-SAT on contested parts"
    staffed = np.bincount(arcs[:, 1], weights=count, minlength=n_groups).astype(
        np.int64
    )
    covered = staffed >= rule_demand
    # a group held back cannot be staffed: its penalty is fixed, in both values
    rule_penalty = weights * sizes * rule_demand * big_m
    if held_back is not None:
        bound += int(rule_penalty[held_back].sum())
    objective = int((rule_penalty * ~covered).sum() + (cost * count).sum())
    used = count > 0
    return AgencyAllocation(
        agency=agency,
        base=arcs[used, 0] if len(arcs) else np.zeros(0, dtype=np.int64),
        group=arcs[used, 1] if len(arcs) else np.zeros(0, dtype=np.int64),
        count=count[used],
        travel_s=travel[used],
        demand=rule_demand,
        covered=covered,
        reachable_bases=reachable,
        objective=objective,
        bound=min(bound, objective),
        status=status if bound < objective or status == "optimal" else "optimal",
        method=method,
        held_back=held_back,
        outside=outside[used] if data.cross_jurisdiction_s is not None else None,
    )


def relaxed_flow(
    arcs: IntArray,
    travel: IntArray,
    headcount: IntArray,
    demand: IntArray,
    per_person: IntArray,
    n_groups: int,
) -> tuple[IntArray, int]:
    """Exact min-cost flow of the relaxation: persons per arc and its optimum."""
    n_bases = len(headcount)
    source, sink = n_bases + n_groups, n_bases + n_groups + 1
    tails = np.concatenate(
        [
            np.full(n_bases, source),
            arcs[:, 0],
            n_bases + np.arange(n_groups),
            np.full(n_groups, source),
        ]
    )
    heads = np.concatenate(
        [
            np.arange(n_bases),
            n_bases + arcs[:, 1],
            np.full(n_groups, sink),
            n_bases + np.arange(n_groups),
        ]
    )
    caps = np.concatenate([headcount, demand[arcs[:, 1]], demand, demand])
    costs = np.concatenate([np.zeros(n_bases), travel, np.zeros(n_groups), per_person])
    flow = min_cost_flow.SimpleMinCostFlow()
    handles = flow.add_arcs_with_capacity_and_unit_cost(
        tails.astype(np.int64),
        heads.astype(np.int64),
        caps.astype(np.int64),
        costs.astype(np.int64),
    )
    supplies = np.zeros(n_bases + n_groups + 2, dtype=np.int64)
    supplies[source] = int(demand.sum())
    supplies[sink] = -int(demand.sum())
    flow.set_nodes_supplies(np.arange(len(supplies)), supplies)
    if flow.solve() != flow.OPTIMAL:
        msg = "min-cost flow did not solve the allocation relaxation"
        raise SolverError(msg)
    flows = flow.flows(handles)
    count = flows[n_bases : n_bases + len(arcs)].astype(np.int64)
    # With y_g relaxed, P_g (1 - y_g) = per_person_g * (persons short): the flow
    # optimum is the optimum of the relaxation, hence a valid lower bound.
    return count, int(flow.optimal_cost())


def _components_with(
    arcs: IntArray, n_bases: int, n_groups: int, marked: np.ndarray
) -> np.ndarray:
    """Groups that share a connected part of the base-group graph with a marked group."""
    import scipy.sparse as sp
    from scipy.sparse.csgraph import connected_components

    size = n_bases + n_groups
    graph = sp.coo_array(
        (np.ones(len(arcs)), (arcs[:, 0], n_bases + arcs[:, 1])), shape=(size, size)
    )
    _, labels = connected_components(graph, directed=False)
    group_labels = labels[n_bases:]
    return np.isin(group_labels, group_labels[marked])


def _repair(
    arcs: IntArray,
    count: IntArray,
    headcount: IntArray,
    demand: IntArray,
    penalty: IntArray,
) -> IntArray:
    """Make every group fully staffed or empty: release partial groups, refill by priority."""
    count = count.copy()
    n_groups = len(demand)
    staffed = np.bincount(arcs[:, 1], weights=count, minlength=n_groups)
    partial = np.flatnonzero((staffed > 0) & (staffed < demand))
    count[np.isin(arcs[:, 1], partial)] = 0
    spare = headcount - np.bincount(
        arcs[:, 0], weights=count, minlength=len(headcount)
    ).astype(np.int64)
    for g in sorted(partial, key=lambda g: (-penalty[g] / max(int(demand[g]), 1), g)):
        rows = np.flatnonzero(arcs[:, 1] == g)
        if spare[arcs[rows, 0]].sum() < demand[g]:
            continue
        need = int(demand[g])
        for r in rows:
            take = min(need, int(spare[arcs[r, 0]]))
            count[r] += take
            spare[arcs[r, 0]] -= take
            need -= take
            if need == 0:
                break
    return count


def _solve_exact(
    arcs: IntArray,
    travel: IntArray,
    headcount: IntArray,
    demand: IntArray,
    priority: IntArray,
    big_m: int,
    groups: np.ndarray,
    hint: IntArray,
    time_limit_s: float,
    seed: int,
    workers: int,
    reproducible: bool = False,
) -> tuple[IntArray, int, str]:
    """CP-SAT on the exact model of the ``groups`` (mask) and their ``arcs``.

    Solved lexicographically, which is the same optimum as the weighted model
    with P_g = priority_g * M and keeps CP-SAT's coefficients small: stage 1
    minimises the risk-weighted uncovered TPS, stage 2 the travel with stage 1
    held at its optimum. Returns persons per arc, a proven lower bound of the
    sub-model (in the units of the weighted model) and its status.
    """
    model = cp_model.CpModel()
    n_groups = len(demand)
    x = [
        model.new_int_var(0, int(min(headcount[b], demand[g])), f"x_{b}_{g}")
        for b, g in arcs
    ]
    y = {int(g): model.new_bool_var(f"y_{g}") for g in np.flatnonzero(groups)}
    by_group: list[list[int]] = [[] for _ in range(n_groups)]
    by_base: list[list[int]] = [[] for _ in range(len(headcount))]
    for a, (b, g) in enumerate(arcs):
        by_group[g].append(a)
        by_base[b].append(a)
    # (1) a group is fully staffed or not at all
    for g, staffed in y.items():
        model.add(sum(x[a] for a in by_group[g]) == int(demand[g]) * staffed)
    # (2) no base sends more persons than it has
    for b, rows in enumerate(by_base):
        if rows:
            model.add(sum(x[a] for a in rows) <= int(headcount[b]))
    uncovered = sum(int(priority[g]) * (1 - staffed) for g, staffed in y.items())
    travel_expr = cp_model.LinearExpr.weighted_sum(x, [int(t) for t in travel])
    hinted = np.bincount(arcs[:, 1], weights=hint, minlength=n_groups)
    for a in range(len(arcs)):
        model.add_hint(x[a], int(hint[a]))
    for g, staffed in y.items():
        model.add_hint(staffed, bool(hinted[g] >= demand[g]))

    # stage 1: risk-weighted coverage
    model.minimize(uncovered)
    first = _cp_solver(0.6 * time_limit_s, seed, workers, reproducible)
    status1 = first.solve(model)
    if status1 not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return hint, 0, "feasible"
    best_uncovered = round(first.objective_value)
    plan = np.array([first.value(v) for v in x], dtype=np.int64)
    stage1_bound = math.floor(first.best_objective_bound)
    if status1 != cp_model.OPTIMAL:
        return plan, stage1_bound * big_m, "feasible"

    # stage 2: travel, coverage held at its optimum
    model.add(uncovered <= best_uncovered)
    model.clear_hints()
    for a in range(len(arcs)):
        model.add_hint(x[a], int(plan[a]))
    model.minimize(travel_expr)
    second = _cp_solver(0.4 * time_limit_s, seed, workers, reproducible)
    status2 = second.solve(model)
    if status2 not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return plan, best_uncovered * big_m, "feasible"
    plan = np.array([second.value(v) for v in x], dtype=np.int64)
    bound = best_uncovered * big_m + math.floor(second.best_objective_bound)
    return plan, bound, "optimal" if status2 == cp_model.OPTIMAL else "feasible"


#: Deterministic-time units CP-SAT gets per second of the time limit.
DETERMINISTIC_PER_SECOND = 0.5


def _cp_solver(
    time_limit_s: float, seed: int, workers: int, reproducible: bool = False
) -> cp_model.CpSolver:
    """A CP-SAT solver for a seed.

    The deterministic-time limit (``DETERMINISTIC_PER_SECOND`` per second of
    ``time_limit_s``) binds before the wall-clock one on a normal machine.
    With ``reproducible`` there is no wall-clock limit at all and several
    workers are interleaved in one thread, so the plan never depends on the
    machine's load; without it the wall-clock limit still caps a slow run.
    """
    solver = cp_model.CpSolver()
    deterministic = DETERMINISTIC_PER_SECOND * time_limit_s
    solver.parameters.num_workers = max(1, workers)
    solver.parameters.random_seed = seed
    if reproducible:
        solver.parameters.max_deterministic_time = max(1e-6, deterministic)
        solver.parameters.interleave_search = workers > 1
    else:
        solver.parameters.max_time_in_seconds = max(0.1, time_limit_s)
        solver.parameters.max_deterministic_time = max(0.05, deterministic)
    # Let Ctrl-C reach Python: CP-SAT would otherwise swallow it and return
    # its partial plan as if the limit had been reached. The interrupt is then
    # raised when the search returns (within its share of the time limit).
    solver.parameters.catch_sigint_signal = False
    return solver
