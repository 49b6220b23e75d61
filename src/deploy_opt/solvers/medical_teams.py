"""Site mobile medical teams: MCLP, p-median, p-center or set cover.

Demand points are the TPS, weighted by voters (1 where unknown) times the
category's risk weight; candidate sites are the bases of the configured kinds,
each fielding ``medis // team_size`` teams (see :mod:`.team_pool`); costs are
ambulance travel seconds from the sparse ``medis`` matrix.

A deterministic greedy (with swaps for MCLP) always places the teams first; the
exact model (:mod:`.team_exact`) then runs in the time left and the better of
the two is kept. ``optimal`` is reported only when proven (by the exact model
or by the greedy meeting its bound); a model cut short or skipped leaves the
greedy answer, status ``feasible`` and a ``reason``. In a reproducible run no
clock decides anything: the exact model runs only on instances small enough
to finish, without a time limit.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from deploy_opt.problem import IntArray, ProblemData
from deploy_opt.scenario.schema import MedicalTeamsSpec
from deploy_opt.solvers.team_exact import (
    Exact,
    exact_capacitated,
    exact_cover,
    exact_median_center,
)
from deploy_opt.solvers.team_greedy import (
    counts,
    greedy_capacitated,
    greedy_mclp,
    greedy_p_center,
    greedy_p_median,
    greedy_set_cover,
    independent_points,
    mclp_bound,
    nearest_costs,
    ones,
    swap_mclp,
)
from deploy_opt.solvers.team_pool import (
    TeamPool,
    build_pool,
    candidate_bases,
    column_min,
    nearest_of,
    team_caps,
)
from deploy_opt.units import UNREACHABLE

BoolArray = npt.NDArray[np.bool_]

#: Why a TPS is not served (``TeamSiting.cause``).
SERVED, NO_CANDIDATE, NO_STAFF, TOO_LARGE, CAPACITY, TOO_FEW = range(6)
#: Cost of a TPS no open team reaches, in the p-median and p-center objectives.
PENALTY_S = 10 * UNREACHABLE
_NAMES = {
    "mclp": "MCLP",
    "p_median": "p-median",
    "p_center": "p-center",
    "set_cover": "set cover",
}


@dataclass(frozen=True)
class TeamSiting:
    """Where the teams stand and whom they serve.

    ``sites`` holds the base of each team (ascending; a base fielding two teams
    appears twice). Per TPS: ``station_team`` (base of its team or, when not
    served, of its nearest team; ``-1`` if none reaches it), ``station_team_no``
    (index into ``sites``, ``-1`` when not served), ``travel_s`` to that team,
    ``served`` and ``cause`` (one of the module's cause codes) and
    ``nearest_candidate`` (nearest candidate base within the threshold, ``-1``).
    ``bound`` and ``gap`` are ``None`` where nothing is proven.
    """

    model: str
    sites: IntArray
    station_team: IntArray
    station_team_no: IntArray
    travel_s: IntArray
    threshold_s: int
    served: BoolArray
    cause: IntArray
    nearest_candidate: IntArray
    objective: float
    bound: float | None
    gap: float | None
    status: str
    method: str
    cut_short: bool = False
    reason: str = ""
    requested: int | None = None
    staffable: int | None = None
    team_size: int = 1
    staffing: str = "unchecked"
    capacity: int | None = None
    capacity_unit: str = ""

    @property
    def within(self) -> BoolArray:
        """TPS served by a team within the threshold (and its capacity)."""
        return self.served

    @property
    def placed(self) -> int:
        """Teams placed."""
        return len(self.sites)

    @property
    def staffed_persons(self) -> int:
        """Medis persons in the teams, from the bases' headcounts."""
        return self.placed * self.team_size if self.staffing == "headcount" else 0


@dataclass(frozen=True)
class _Choice:
    rows: IntArray  # pool row of each team
    assign: IntArray | None  # capacitated: each TPS's team (index into rows)
    objective: float
    bound: float | None
    proven: bool
    method: str
    notes: tuple[str, ...] = ()
    cut_short: bool = False


def candidate_sites(data: ProblemData, spec: MedicalTeamsSpec) -> IntArray:
    """Candidate bases that can field a team, in id order."""
    bases = candidate_bases(data, spec)
    return bases[team_caps(data, spec, bases) > 0]


def site_teams(
    data: ProblemData,
    spec: MedicalTeamsSpec,
    seed: int,
    time_limit_s: float | None = None,
    deterministic: bool = False,
) -> TeamSiting:
    """Place the teams (see module docstring).

    ``time_limit_s`` caps ``spec.time_limit_s`` (the stage's share of the
    solve). With ``deterministic`` no wall-clock limit decides the result.
    """
    started = time.perf_counter()
    limit = (
        spec.time_limit_s
        if time_limit_s is None
        else min(spec.time_limit_s, time_limit_s)
    )
    pool = build_pool(data, spec)
    allowed = pool.staffed.copy()
    if spec.model in ("p_median", "p_center"):
        allowed &= np.diff(pool.reach.indptr) > 0
    budget = _Budget(started, limit, deterministic, seed)
    notes: list[str] = []
    if not allowed.any():
        choice = _Choice(np.zeros(0, dtype=np.int64), None, 0.0, None, False, "none")
        notes.append(_why_none(data, spec, pool))
    elif spec.model == "set_cover":
        choice = _set_cover(pool, allowed, spec, budget)
    elif spec.capacity is not None:
        choice = _capacitated(pool, allowed, spec, budget, _target(spec, pool))
    elif spec.model == "mclp":
        choice = _mclp(pool, allowed, _target(spec, pool), budget)
    else:
        choice = _median_center(pool, allowed, spec, _target(spec, pool), budget)
    notes += choice.notes
    if spec.staffing == "auto" and pool.staffing == "unchecked":
        notes.append(
            "the scenario gives no medis headcount: teams placed without a staffing check"
        )
    target = None if spec.model == "set_cover" else _target(spec, pool)
    rows, extra = _add_teams(pool, allowed, choice.rows, target)
    if extra:
        notes.append(f"{extra} more team(s) placed at sites with staff to spare")
    if target is not None and len(rows) < (spec.teams or 0):
        notes.append(_why_fewer(spec, pool, len(rows)))
    if len(rows) == 0:
        status = "infeasible"
    elif choice.proven:
        status = "optimal"
    else:
        status = "feasible"
    siting = _link(data, spec, pool, rows, choice.assign)
    gap = _gap(choice.objective, choice.bound, spec.model)
    return _finish(
        siting,
        objective=choice.objective,
        bound=choice.bound,
        gap=0.0 if status == "optimal" else gap,
        status=status,
        method=choice.method,
        cut_short=choice.cut_short,
        reason="; ".join(notes),
    )


def teams_at(
    data: ProblemData,
    spec: MedicalTeamsSpec,
    sites: IntArray,
    *,
    objective: float = 0.0,
    bound: float | None = None,
    gap: float | None = None,
    status: str = "given",
    method: str = "sites given",
) -> TeamSiting:
    """Teams standing at ``sites`` (base indices, one per team), each TPS served
    by its nearest team (nearest with room first when teams have a capacity)."""
    pool = build_pool(data, spec)
    row_of = {int(b): r for r, b in enumerate(pool.bases)}
    rows = np.array([row_of[int(b)] for b in sites], dtype=np.int64)
    assign = None
    if spec.capacity is not None:
        assign = _fill_nearest(pool, rows, float(spec.capacity))
    siting = _link(data, spec, pool, rows, assign)
    return _finish(
        siting,
        objective=objective,
        bound=bound,
        gap=gap,
        status=status,
        method=method,
        cut_short=False,
        reason="",
    )


# -- the models ---------------------------------------------------------------


@dataclass(frozen=True)
class _Budget:
    started: float
    limit: float
    deterministic: bool
    seed: int

    def left(self) -> float | None:
        """Seconds for the exact model (``None``: no clock in a reproducible run)."""
        if self.deterministic:
            return None
        return self.limit - (time.perf_counter() - self.started)


def _target(spec: MedicalTeamsSpec, pool: TeamPool) -> int | None:
    """Teams to place: those requested, as far as the headcounts staff them."""
    if spec.teams is None:
        return None
    return int(min(spec.teams, pool.cap.sum()))


def _run_exact(budget: _Budget, name: str, run: object) -> Exact | str:
    """Call ``run(time_limit, deterministic)`` unless no time is left."""
    left = budget.left()
    if left is not None and left < 0.05:
        return f"no time left for the exact {name} in the stage's {budget.limit:g} s"
    assert callable(run)
    out = run(left, budget.deterministic)
    assert isinstance(out, Exact | str)
    return out


def _settle(
    greedy: _Choice,
    exact: Exact | str,
    name: str,
    value: object,
    better: object,
) -> _Choice:
    """Keep the better of greedy and exact; say what happened to the exact model."""
    assert callable(value) and callable(better)
    if isinstance(exact, str):
        return _Choice(
            greedy.rows,
            greedy.assign,
            greedy.objective,
            greedy.bound,
            greedy.proven,
            greedy.method,
            (*greedy.notes, f"exact {name} not run ({exact}); greedy placement used"),
            cut_short=not greedy.proven,
        )
    bound = _tighter(greedy.bound, exact.bound, name)
    if len(exact.rows) and (exact.proven or better(value(exact), greedy.objective)):
        exact_value = float(value(exact))
        proven = exact.proven or (bound is not None and abs(bound - exact_value) < 1e-9)
        note = (
            ()
            if exact.proven
            else (
                f"exact {name} cut short after {exact.runtime_s:.1f} s; its placement "
                "beats the greedy one",
            )
        )
        return _Choice(
            exact.rows,
            exact.assign,
            exact_value,
            exact_value if exact.proven else bound,
            proven,
            f"exact {name} ({exact.method or 'location model'}) after greedy",
            (*greedy.notes, *note),
            cut_short=not exact.proven,
        )
    if exact.proven or greedy.proven:
        return _Choice(
            greedy.rows,
            greedy.assign,
            greedy.objective,
            greedy.objective,
            True,
            greedy.method + f"; proven optimal by the exact {name}",
            greedy.notes,
        )
    what = "returned nothing" if not len(exact.rows) else "did not beat it"
    return _Choice(
        greedy.rows,
        greedy.assign,
        greedy.objective,
        bound,
        False,
        greedy.method,
        (
            *greedy.notes,
            f"exact {name} cut short after {exact.runtime_s:.1f} s ({what}); "
            "greedy placement used",
        ),
        cut_short=True,
    )


def _tighter(a: float | None, b: float | None, name: str) -> float | None:
    if a is None:
        return b
    if b is None:
        return a
    return min(a, b) if name == "MCLP" else max(a, b)


def _mclp(
    pool: TeamPool, allowed: BoolArray, p: int | None, budget: _Budget
) -> _Choice:
    p = int(p or 0)
    distinct = min(p, int(allowed.sum()))
    picks = greedy_mclp(pool.cover, pool.weights, distinct, allowed)
    picks, swaps = swap_mclp(pool.cover, pool.weights, picks, allowed)
    value = _coverage(pool, picks)
    bound = mclp_bound(pool.cover, pool.weights, picks, allowed, distinct)
    proven = value >= bound - 1e-9 * max(bound, 1.0)
    greedy = _Choice(
        picks,
        None,
        value,
        bound,
        proven,
        f"greedy MCLP + {swaps} swap(s)",
    )
    if proven or distinct == 0:
        return greedy
    exact = _run_exact(
        budget,
        "MCLP",
        lambda t, det: exact_cover(pool, allowed, distinct, t, budget.seed, det),
    )
    return _settle(
        greedy,
        exact,
        "MCLP",
        lambda e: _coverage(pool, e.rows),
        lambda a, b: a > b,
    )


def _coverage(pool: TeamPool, rows: IntArray) -> float:
    return float(pool.weights[counts(pool.cover, rows) > 0].sum())


def _set_cover(
    pool: TeamPool, allowed: BoolArray, spec: MedicalTeamsSpec, budget: _Budget
) -> _Choice:
    """Fewest teams reaching every TPS any staffed candidate reaches; MCLP with
    the allowed teams when more would be needed."""
    limit = _target(spec, pool)
    capacity = spec.capacity
    if capacity is not None:
        choice = _capacitated(pool, allowed, spec, budget, None)
    else:
        picks = greedy_set_cover(pool.cover, allowed)
        low = float(independent_points(pool.cover, allowed))
        greedy = _Choice(
            picks,
            None,
            float(len(picks)),
            low,
            len(picks) <= low,
            "greedy set cover",
        )
        choice = greedy
        if not greedy.proven:
            exact = _run_exact(
                budget,
                "set cover",
                lambda t, det: exact_cover(pool, allowed, None, t, budget.seed, det),
            )
            choice = _settle(
                greedy,
                exact,
                "set cover",
                lambda e: float(len(e.rows)),
                lambda a, b: a < b,
            )
    if limit is None or choice.objective <= limit:
        return choice
    least = int(np.ceil(choice.bound or 0))
    need = (
        f"set cover needs {int(choice.objective)} teams"
        if choice.proven
        else f"set cover needs at least {least} teams (best found {int(choice.objective)})"
    )
    notes = (f"{need}, at most {limit} allowed: MCLP with {limit} teams",)
    if capacity is not None:
        fallback = _capacitated(pool, allowed, spec, budget, limit)
    else:
        fallback = _mclp(pool, allowed, limit, budget)
    return _Choice(
        fallback.rows,
        fallback.assign,
        fallback.objective,
        fallback.bound,
        fallback.proven,
        fallback.method,
        (*notes, *fallback.notes),
        fallback.cut_short,
    )


def _capacitated(
    pool: TeamPool,
    allowed: BoolArray,
    spec: MedicalTeamsSpec,
    budget: _Budget,
    p: int | None,
) -> _Choice:
    """Capacitated MCLP with ``p`` teams, or capacitated set cover (``p=None``)."""
    capacity = float(spec.capacity or 0)
    cap = np.where(allowed, pool.cap, 0)
    rows, assign = greedy_capacitated(
        pool.cover, pool.weights, pool.demands, capacity, cap, p
    )
    name = "capacitated " + ("MCLP" if p is not None else "set cover")
    if p is None:
        fits = pool.demands <= capacity
        reached = ones(pool.cover[np.flatnonzero(allowed)]).sum(axis=0) > 0
        low = max(
            float(independent_points(pool.cover, allowed)),
            float(np.ceil(pool.demands[fits & reached].sum() / capacity)),
        )
        complete = bool((assign[fits & reached] >= 0).all())
        greedy = _Choice(
            rows,
            assign,
            float(len(rows)),
            low,
            complete and len(rows) <= low,
            "greedy " + name,
        )
    else:
        value = float(pool.weights[assign >= 0].sum())
        greedy = _Choice(rows, assign, value, None, False, "greedy " + name)
    if greedy.proven or (p is not None and p == 0):
        return greedy
    exact = _run_exact(
        budget,
        name,
        lambda t, det: exact_capacitated(
            pool, allowed, capacity, p, t, budget.seed, det
        ),
    )
    if p is None:
        return _settle(
            greedy,
            exact,
            name,
            lambda e: float(len(e.rows)),
            lambda a, b: a < b,
        )
    return _settle(
        greedy,
        exact,
        "MCLP",
        lambda e: (
            float(pool.weights[e.assign >= 0].sum()) if e.assign is not None else 0.0
        ),
        lambda a, b: a > b,
    )


def _median_center(
    pool: TeamPool,
    allowed: BoolArray,
    spec: MedicalTeamsSpec,
    p: int | None,
    budget: _Budget,
) -> _Choice:
    distinct = min(int(p or 0), int(allowed.sum()))
    reached = ones(pool.reach[np.flatnonzero(allowed)]).sum(axis=0) > 0
    if spec.model == "p_median":
        picks = greedy_p_median(
            pool.reach, pool.weights, distinct, allowed, float(PENALTY_S)
        )
    else:
        picks = greedy_p_center(pool.reach, distinct, allowed, float(PENALTY_S))

    def value(rows: IntArray) -> float:
        cost = nearest_costs(pool.reach, rows, float(PENALTY_S))[reached]
        if spec.model == "p_median":
            return float(np.dot(pool.weights[reached], cost))
        return float(cost.max(initial=0.0))

    name = _NAMES[spec.model]
    greedy = _Choice(picks, None, value(picks), None, False, f"greedy {name}")
    exact = _run_exact(
        budget,
        name,
        lambda t, det: exact_median_center(
            pool, allowed, spec.model, distinct, t, budget.seed, det
        ),
    )
    return _settle(greedy, exact, name, lambda e: value(e.rows), lambda a, b: a < b)


# -- from chosen rows to a siting ---------------------------------------------


def _add_teams(
    pool: TeamPool, allowed: BoolArray, rows: IntArray, target: int | None
) -> tuple[IntArray, int]:
    """Add teams until ``target`` stand: at open sites with staff to spare (most
    weight reached first), then at unused staffed sites (lowest index first).
    Returns the rows and how many were added; added teams serve no TPS in a
    capacitated assignment."""
    if target is None or len(rows) >= target:
        return rows, 0
    spare = np.where(allowed, pool.cap, 0) - np.bincount(rows, minlength=len(pool.cap))
    opened = np.unique(rows)
    reached = ones(pool.cover[opened]) @ pool.weights
    order = [*opened[np.lexsort((opened, -reached))].tolist()]
    seen = set(order)
    order += [int(r) for r in np.flatnonzero(spare > 0) if r not in seen]
    extra: list[int] = []
    while len(rows) + len(extra) < target and (spare[order] > 0).any():
        for r in order:
            if spare[r] > 0 and len(rows) + len(extra) < target:
                extra.append(r)
                spare[r] -= 1
    return np.concatenate([rows, np.asarray(extra, dtype=np.int64)]), len(extra)


def _fill_nearest(pool: TeamPool, rows: IntArray, capacity: float) -> IntArray:
    """Each TPS to its nearest team with room within the threshold (nearest
    TPS first)."""
    n = len(pool.weights)
    assign = np.full(n, -1, dtype=np.int64)
    load = np.zeros(len(rows))
    by_tps = pool.cover[rows].T.tocsr()  # TPS x teams
    nearest = np.array(
        [
            by_tps.data[by_tps.indptr[t] : by_tps.indptr[t + 1]].min(
                initial=UNREACHABLE
            )
            for t in range(n)
        ]
    )
    for t in np.lexsort((np.arange(n), nearest)):
        lo, hi = by_tps.indptr[t], by_tps.indptr[t + 1]
        teams, secs = by_tps.indices[lo:hi], by_tps.data[lo:hi]
        for k in teams[np.lexsort((teams, secs))]:
            if load[k] + pool.demands[t] <= capacity:
                load[k] += pool.demands[t]
                assign[t] = k
                break
    return assign


def _link(
    data: ProblemData,
    spec: MedicalTeamsSpec,
    pool: TeamPool,
    rows: IntArray,
    assign: IntArray | None,
) -> dict[str, object]:
    """Per-TPS team, travel, service and cause for teams at pool ``rows``."""
    n = data.n_stations
    bases = pool.bases[rows] if len(rows) else np.zeros(0, dtype=np.int64)
    order = np.argsort(bases, kind="stable")
    sites = bases[order]
    renumber = np.empty(len(order), dtype=np.int64)
    renumber[order] = np.arange(len(order))
    near_base, near_s = nearest_of(data, np.unique(sites))
    station_team = near_base.copy()
    travel = near_s.copy()
    team_no = np.full(n, -1, dtype=np.int64)
    if assign is not None:
        served = assign >= 0
        team_no[served] = renumber[assign[served]]
        station_team[served] = sites[team_no[served]]
        for k in np.unique(assign[served]):
            tps = np.flatnonzero(assign == k)
            lo, hi = pool.cover.indptr[rows[k]], pool.cover.indptr[rows[k] + 1]
            where = lo + np.searchsorted(pool.cover.indices[lo:hi], tps)
            travel[tps] = pool.cover.data[where]
    else:
        served = (near_base >= 0) & (near_s <= pool.threshold_s)
        for b in np.unique(sites):
            mine = np.flatnonzero(served & (near_base == b))
            teams = np.flatnonzero(sites == b)
            mine = mine[np.lexsort((mine, near_s[mine]))]
            for part, k in zip(np.array_split(mine, len(teams)), teams, strict=True):
                team_no[part] = k
    in_reach = ones(pool.cover).sum(axis=0) > 0
    staffed_reach = ones(pool.cover[np.flatnonzero(pool.staffed)]).sum(axis=0) > 0
    cause = np.full(n, TOO_FEW, dtype=np.int64)
    capacity = spec.capacity
    if capacity is not None:
        cause[near_s <= pool.threshold_s] = CAPACITY
        cause[pool.demands > capacity] = TOO_LARGE
    cause[~staffed_reach] = NO_STAFF
    cause[~in_reach] = NO_CANDIDATE
    cause[served] = SERVED
    pos, _ = column_min(pool.cover, n)
    nearest_candidate = np.where(pos >= 0, pool.bases[np.maximum(pos, 0)], -1)
    return {
        "model": spec.model,
        "sites": sites.astype(np.int64),
        "station_team": station_team.astype(np.int64),
        "station_team_no": team_no,
        "travel_s": travel.astype(np.int64),
        "threshold_s": pool.threshold_s,
        "served": served,
        "cause": cause,
        "nearest_candidate": nearest_candidate.astype(np.int64),
        "requested": spec.teams,
        "staffable": int(pool.cap.sum()) if pool.staffing == "headcount" else None,
        "team_size": spec.team_size,
        "staffing": pool.staffing,
        "capacity": capacity,
        "capacity_unit": (
            ""
            if capacity is None
            else "TPS"
            if spec.max_tps_per_team is not None
            else "voters"
        ),
    }


def _finish(siting: dict[str, object], **fields: object) -> TeamSiting:
    for name in ("bound", "gap"):
        value = fields[name]
        if value is not None and not np.isfinite(float(value)):  # type: ignore[arg-type]
            fields[name] = None
    return TeamSiting(**siting, **fields)  # type: ignore[arg-type]


def _gap(objective: float, bound: float | None, model: str) -> float | None:
    if bound is None or not np.isfinite(bound) or not np.isfinite(objective):
        return None
    del model
    diff = abs(objective - bound)
    if diff <= 1e-9 * max(1.0, abs(objective)):
        return 0.0
    return float(diff / max(abs(objective), 1e-9))


def _why_none(data: ProblemData, spec: MedicalTeamsSpec, pool: TeamPool) -> str:
    kinds = ", ".join(spec.candidates)
    if len(pool.bases) == 0:
        return f"no candidate site: the scenario has no base of kind {kinds}"
    if not pool.staffed.any():
        return (
            f"no candidate ({kinds}) has the {spec.team_size} medis persons a team "
            f"needs (medis headcount {int(data.headcount['medis'][pool.bases].sum())} "
            "over all candidates)"
        )
    return "no staffed candidate reaches any TPS"


def _why_fewer(spec: MedicalTeamsSpec, pool: TeamPool, placed: int) -> str:
    if pool.staffing == "headcount" and int(pool.cap.sum()) < (spec.teams or 0):
        return (
            f"{placed} of {spec.teams} teams placed: the medis headcounts staff only "
            f"{int(pool.cap.sum())} team(s) of {spec.team_size}"
        )
    return f"{placed} of {spec.teams} teams placed: no more candidate sites"
