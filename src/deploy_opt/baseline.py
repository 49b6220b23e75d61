"""The "manual planning" baseline: the spreadsheet method that deploy_opt must beat.

How a Bagops planner does it today, step by step:

1. **Who plans what.** Every Polsek (a base of kind ``polsek`` with police)
   plans the kecamatan of its jurisdiction (all kecamatan when none is given).
   A kecamatan in the jurisdiction of several Polsek is planned by the first
   of them by base id. The Polres HQ pool and other police bases are kept in
   reserve, as in plans where only the Polsek headcount is split over TPS
   (``pool=True`` hands them out afterwards, see :func:`manual_plan`).
2. **Groups.** The TPS of each kecamatan are taken in list order (sorted by
   TPS id, i.e. the KPU list: kelurahan code, then TPS number). For each risk
   class the TPS of that class are chunked in that order into groups of the
   pattern's ``tps`` (the last group of a class may be smaller). No spatial
   optimisation: the group spread limit (``max_group_minutes``) is ignored.
3. **Police.** Groups are staffed in list order (by their first TPS) with
   ``police`` officers each from the planning Polsek's own headcount, until
   it runs out; a group is staffed in full or not at all (a later group that
   still fits is staffed). Travel limits are ignored.
4. **TNI.** In the same order each group gets ``tni`` soldiers from the base
   with TNI headcount nearest to its first TPS (within the base's
   jurisdiction), then from the next nearest while the nearest is exhausted.
   "Nearest" ranks by the ambulance travel times, which are stored without a
   cutoff, so bases beyond the TNI travel limit can be chosen, as by hand.
5. **Linmas and medical** exactly as the solver does them
   (:func:`~deploy_opt.solvers.linmas.allocate_linmas`,
   :func:`~deploy_opt.solvers.medical.nearest_medical`): those rules are
   local and the spreadsheet method gets them right too.

The plan is a full :class:`~deploy_opt.result.Result`, so
:func:`deploy_opt.check.check_plan` evaluates it like any other. Because the
method ignores travel and spread limits, the checker reports violations for
it; :func:`rule_breaks` counts them per kind (groups whose TPS are farther
apart than the spread limit, groups served from a base beyond the travel
limit) so they can be reported as the baseline's rule breaks rather than as
bugs. The checker's coverage counts a TPS as covered when it has the persons
its rule asks for, wherever they come from; :attr:`RuleBreaks.group_broken`
lets a caller discount the TPS of rule-breaking groups.

The result's ``objective`` is the risk-weighted number of uncovered TPS times
the persons they miss (the first, dominant term of the solver's objective,
without travel); ``bound`` is 0 because the method proves nothing.
"""

from __future__ import annotations

import dataclasses
import math
import time
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from deploy_opt.problem import GROUP_AGENCIES, IntArray, ProblemData
from deploy_opt.result import Result, Shortfall, SolveParams
from deploy_opt.solvers.allocation import AgencyAllocation, group_travel
from deploy_opt.solvers.grouping import Grouping
from deploy_opt.solvers.linmas import allocate_linmas, uncovered_weight
from deploy_opt.solvers.medical import nearest_medical
from deploy_opt.solvers.medical_teams import candidate_sites, teams_at
from deploy_opt.solvers.plan import group_labels
from deploy_opt.solvers.shortfalls import (
    AGENCY_NAMES,
    group_shortfalls,
    linmas_shortfalls,
    medical_shortfalls,
    team_shortfalls,
)
from deploy_opt.units import UNREACHABLE

BASELINE_NAME = (
    "deploy_opt.baseline v1 (manual: list-order chunks, Polsek headcount in list order)"
)
BASELINE_STATUS = "feasible"


@dataclass(frozen=True)
class RuleBreaks:
    """Groups of a plan that break the spread or a travel limit.

    Attributes
    ----------
    spread : int
        Groups with two TPS more than the class's ``max_group_minutes`` apart
        (police travel).
    travel : dict[str, int]
        Per agency (``polri``, ``tni``): groups served by at least one base
        that does not reach every TPS of the group within the agency's limit.
    group_broken : numpy.ndarray
        Boolean per group: it breaks the spread or any travel limit.
    """

    spread: int
    travel: dict[str, int]
    group_broken: npt.NDArray[np.bool_]

    @property
    def groups(self) -> int:
        """Number of groups with at least one break."""
        return int(self.group_broken.sum())


def manual_plan(
    data: ProblemData, params: SolveParams | None = None, *, pool: bool = False
) -> Result:
    """Plan ``data`` the way it is done by hand (see the module docstring).

    Parameters
    ----------
    data : ProblemData
        The problem, as for :func:`deploy_opt.solve_plan`.
    params : SolveParams, optional
        Recorded in the result only; the method has no time limit or seed.
    pool : bool, default False
        Also hand out the police of the other police bases (the Polres HQ
        pool), in list order, to the groups the Polsek could not staff. Off by
        default: the method as described keeps the pool in reserve.

    Returns
    -------
    Result
        A plan that :func:`deploy_opt.check.check_plan` can evaluate. Its
        shortfalls say why each group went unstaffed under the manual method.
    """
    params = params or SolveParams()
    started = time.monotonic()
    grouping = list_order_groups(data)
    labels = group_labels(data, grouping)
    # list order of groups: by their first TPS (members are sorted by index)
    order = np.argsort([int(m[0]) for m in grouping.members], kind="stable")
    owner = _planning_polsek(data)
    police, police_why = _staff_police(data, grouping, order, owner, pool=pool)
    tni, tni_why = _staff_tni(data, grouping, order)
    allocations = {"polri": police, "tni": tni}
    linmas = allocate_linmas(data)
    medical = nearest_medical(data)
    # planners without a model stand the teams at the first candidate sites of the list
    teams = None
    if data.medical_teams is not None:
        first = candidate_sites(data, data.medical_teams)[: data.medical_teams.teams]
        teams = teams_at(
            data,
            data.medical_teams,
            first,
            method="manual: first candidate sites in list order",
        )
    shortfalls: list[Shortfall] = []
    for alloc, why in ((police, police_why), (tni, tni_why)):
        listed = group_shortfalls(data, grouping, labels, alloc)
        uncovered = np.flatnonzero(~alloc.covered)
        shortfalls += [
            dataclasses.replace(s, reason=why[int(g)])
            for s, g in zip(listed, uncovered, strict=True)
        ]
    shortfalls += linmas_shortfalls(data, linmas)
    shortfalls += medical_shortfalls(data, medical)
    if teams is not None:
        shortfalls += team_shortfalls(data, teams)
    linmas_cost = uncovered_weight(data, linmas)
    return Result(
        status=BASELINE_STATUS,
        objective=police.objective + tni.objective + linmas_cost,
        bound=0,
        grouping=grouping,
        group_ids=labels,
        allocations=allocations,
        linmas=linmas,
        medical=medical,
        shortfalls=tuple(shortfalls),
        runtime_s=time.monotonic() - started,
        params=params,
        solver=BASELINE_NAME,
        input_hash=data.input_hash,
        travel_model=data.travel_model,
        teams=teams,
        notes=(
            "manual baseline: objective = risk-weighted uncovered TPS x missing "
            "persons (no travel term); no bound; travel and spread limits ignored",
        ),
    )


def list_order_groups(data: ProblemData) -> Grouping:
    """Chunk the TPS of each class and kecamatan, in list order, into groups of ``tps``.

    Groups are numbered like the solver's (class, kecamatan, first TPS id);
    each group's anchor is its first TPS. ``lower_bound`` is the count bound
    sum(ceil(n / tps)) over the cells, which this chunking always attains
    (it ignores the spread limit, so it may use fewer groups than any plan
    that keeps it). ``spread_s`` sums the police time from each TPS to its
    group's first TPS where that time is within the spread limit; pairs
    beyond it are not stored and add nothing, so it is a lower estimate.
    """
    groups: list[tuple[int, int, IntArray]] = []
    lower_bound = 0
    for c, rule in enumerate(data.categories):
        for k in range(len(data.kecamatan_names)):
            cell = np.flatnonzero(
                (data.station_category == c) & (data.station_kecamatan == k)
            )
            size = max(1, rule.tps)
            lower_bound += math.ceil(len(cell) / size)
            groups += [
                (c, k, cell[start : start + size])
                for start in range(0, len(cell), size)
            ]
    # station indices follow the ids, so the first member is the smallest id
    groups.sort(key=lambda g: (g[0], g[1], int(g[2][0])))
    station_group = np.full(data.n_stations, -1, dtype=np.int64)
    for g, (_, _, members) in enumerate(groups):
        station_group[members] = g
    anchors = np.array([int(g[2][0]) for g in groups], dtype=np.int64)
    # stored pair times only (missing entries read as 0)
    spread = int(
        data.station_pairs.seconds[
            anchors[station_group], np.arange(data.n_stations)
        ].sum()
    )
    return Grouping(
        station_group=station_group,
        group_category=np.array([g[0] for g in groups], dtype=np.int64),
        group_kecamatan=np.array([g[1] for g in groups], dtype=np.int64),
        group_anchor=anchors,
        members=tuple(g[2] for g in groups),
        lower_bound=lower_bound,
        spread_s=spread,
    )


def rule_breaks(data: ProblemData, result: Result) -> RuleBreaks:
    """Count the groups of ``result`` that break the spread or a travel limit.

    The tests are those of :func:`deploy_opt.check.check_plan` (which reports
    each as a violation); a plan of the solver has none.
    """
    grouping = result.grouping
    spread_broken = np.zeros(grouping.n_groups, dtype=bool)
    for g, members in enumerate(grouping.members):
        rule = data.categories[int(grouping.group_category[g])]
        if rule.max_group_s is None or len(members) < 2:
            continue
        block = data.station_pairs.seconds[members][:, members].tocoo()
        within = np.eye(len(members), dtype=bool)
        within[block.row, block.col] = block.data <= rule.max_group_s
        spread_broken[g] = not within.all()
    broken = spread_broken.copy()
    travel: dict[str, int] = {}
    for agency in GROUP_AGENCIES:
        alloc = result.allocations[agency]
        limit = data.travel_limit_s[agency]
        worst = _worst_times(data, agency, grouping, alloc.base, alloc.group)
        beyond = worst >= UNREACHABLE
        if limit is not None:
            beyond |= worst > limit
        far = np.zeros(grouping.n_groups, dtype=bool)
        far[alloc.group[beyond]] = True
        travel[agency] = int(far.sum())
        broken |= far
    return RuleBreaks(
        spread=int(spread_broken.sum()), travel=travel, group_broken=broken
    )


def _worst_times(
    data: ProblemData, agency: str, grouping: Grouping, base: IntArray, group: IntArray
) -> IntArray:
    """Per row: longest trip from ``base`` to the TPS of ``group`` (UNREACHABLE if one is not stored)."""
    out = np.zeros(len(base), dtype=np.int64)
    matrix = data.travel[agency].seconds
    for b in np.unique(base):
        stored = matrix[[int(b)]].tocoo()
        row = np.full(data.n_stations, UNREACHABLE, dtype=np.int64)
        row[stored.col] = stored.data
        for r in np.flatnonzero(base == b):
            out[r] = row[grouping.members[int(group[r])]].max()
    return out


def _planning_polsek(data: ProblemData) -> IntArray:
    """Per kecamatan: the Polsek that plans it (first by base id), or -1."""
    owner = np.full(len(data.kecamatan_names), -1, dtype=np.int64)
    for b in range(data.n_bases):
        if data.base_kinds[b] != "polsek" or data.headcount["polri"][b] <= 0:
            continue
        free = (owner < 0) & data.jurisdiction[b]
        owner[free] = b
    return owner


def _allocation(
    data: ProblemData,
    grouping: Grouping,
    agency: str,
    rows: list[tuple[int, int, int]],
    demand: IntArray,
    method: str,
) -> AgencyAllocation:
    """Pack rows (base, group, persons) into an :class:`AgencyAllocation`."""
    base = np.array([r[0] for r in rows], dtype=np.int64)
    group = np.array([r[1] for r in rows], dtype=np.int64)
    count = np.array([r[2] for r in rows], dtype=np.int64)
    travel = _worst_times(data, agency, grouping, base, group)
    staffed = np.bincount(group, weights=count, minlength=grouping.n_groups)
    covered = staffed >= demand
    # reachable bases (within jurisdiction and travel limit), as the solver
    # sees them; kept for consumers of the allocation, not used to plan
    arcs, _ = group_travel(data, grouping, agency)
    cuts = np.searchsorted(arcs[:, 1], np.arange(1, grouping.n_groups))
    reachable = tuple(np.sort(part) for part in np.split(arcs[:, 0], cuts))
    weights = np.array(
        [data.categories[c].weight for c in grouping.group_category], dtype=np.int64
    )
    sizes = np.array([len(m) for m in grouping.members], dtype=np.int64)
    missing = (demand - staffed).clip(min=0).astype(np.int64)
    return AgencyAllocation(
        agency=agency,
        base=base,
        group=group,
        count=count,
        travel_s=travel,
        demand=demand,
        covered=covered,
        reachable_bases=reachable,
        objective=int((weights * sizes * missing).sum()),
        bound=0,
        status=BASELINE_STATUS,
        method=method,
    )


def _demand(data: ProblemData, grouping: Grouping, agency: str) -> IntArray:
    return np.array(
        [data.categories[c].need(agency) for c in grouping.group_category],
        dtype=np.int64,
    )


def _staff_police(
    data: ProblemData,
    grouping: Grouping,
    order: IntArray,
    owner: IntArray,
    *,
    pool: bool,
) -> tuple[AgencyAllocation, dict[int, str]]:
    """Police from the planning Polsek, groups in list order, until it runs out.

    With ``pool``, a second pass in list order staffs the groups still
    without police from the other police bases (by base id) that serve them.
    """
    demand = _demand(data, grouping, "polri")
    spare = data.headcount["polri"].copy()
    rows: list[tuple[int, int, int]] = []
    why: dict[int, str] = {}
    for g in (int(g) for g in order):
        need = int(demand[g])
        if need == 0:
            continue
        kec = int(grouping.group_kecamatan[g])
        b = int(owner[kec])
        if b < 0:
            why[g] = (
                f"manual plan: no Polsek plans Kecamatan {data.kecamatan_names[kec]}"
            )
        elif spare[b] >= need:
            rows.append((b, g, need))
            spare[b] -= need
        else:
            why[g] = (
                f"manual plan: {data.base_names[b]} had {int(spare[b])} of its "
                f"{int(data.headcount['polri'][b])} police left for {need} needed, "
                "after the groups before it in list order"
            )
    method = "manual list order"
    if pool:
        method += " + police pool"
        pooled = [
            b
            for b in range(data.n_bases)
            if data.base_kinds[b] != "polsek" and spare[b] > 0
        ]
        for g in (int(g) for g in order if int(g) in why):
            need = int(demand[g])
            kec = int(grouping.group_kecamatan[g])
            for b in pooled:
                if data.jurisdiction[b, kec] and spare[b] >= need:
                    rows.append((b, g, need))
                    spare[b] -= need
                    del why[g]
                    break
            else:
                why[g] += "; the police pool had none left for it"
    return _allocation(data, grouping, "polri", rows, demand, method), why


def _staff_tni(
    data: ProblemData, grouping: Grouping, order: IntArray
) -> tuple[AgencyAllocation, dict[int, str]]:
    """TNI from the nearest bases with TNI left, groups in list order."""
    demand = _demand(data, grouping, "tni")
    spare = data.headcount["tni"].copy()
    bases = np.flatnonzero(spare > 0)
    # ambulance times have no cutoff: a ranking of nearness ignoring limits
    block = data.travel["medis"].seconds[bases][:, grouping.group_anchor].tocoo()
    nearness = np.full((len(bases), grouping.n_groups), UNREACHABLE, dtype=np.int64)
    nearness[block.row, block.col] = block.data
    rows: list[tuple[int, int, int]] = []
    why: dict[int, str] = {}
    word = AGENCY_NAMES["tni"]
    for g in (int(g) for g in order):
        need = int(demand[g])
        if need == 0:
            continue
        kec = int(grouping.group_kecamatan[g])
        allowed = data.jurisdiction[bases, kec]
        if not allowed.any():
            why[g] = (
                f"manual plan: no base with {word} serves Kecamatan {data.kecamatan_names[kec]}"
            )
            continue
        ranked = bases[allowed][np.argsort(nearness[allowed, g], kind="stable")]
        if spare[ranked].sum() < need:
            why[g] = (
                f"manual plan: the {word} bases serving Kecamatan "
                f"{data.kecamatan_names[kec]} had {int(spare[ranked].sum())} left "
                f"for {need} needed, after the groups before it in list order"
            )
            continue
        for b in (int(b) for b in ranked):
            take = min(need, int(spare[b]))
            if take:
                rows.append((b, g, take))
                spare[b] -= take
                need -= take
            if need == 0:
                break
    return _allocation(data, grouping, "tni", rows, demand, "manual nearest base"), why
