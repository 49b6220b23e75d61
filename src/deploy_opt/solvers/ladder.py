"""Pattern ladder: give each cell the densest rule the police headcounts allow.

A category may list several rules, densest first (e.g. 2-12-24, 2-14-28,
2-16-32). Every (category, kecamatan) cell uses one rung of its category's
ladder for all its groups. Procedure (deterministic):

1. Every cell starts on its densest rung; cells are grouped once per rung
   they visit (cached), with that rung's TPS per group.
2. Police are allocated by the relaxation of the allocation model (integer
   min-cost flow; a short person of group g costs w_g n_g / d_g, so the
   optimum is the least risk-weighted uncovered TPS, counted fractionally).
   With no shortfall in the relaxation the exact allocation has none either.
3. While some group is short: among the laddered cells that can still be
   loosened and share a reachable police base with a short group, loosen
   the one of lowest weight by one rung (ties: most short TPS, then category
   and kecamatan order); regroup that cell only and allocate again. Stop
   when nothing is short or no such cell is left.
4. Tighten back: the loosened cells, highest weight first (ties: the last
   loosened first), return one rung denser whenever that does not make the
   relaxed shortfall worse; repeat until no cell changes. So a cell stays
   loosened only where its denser rule costs coverage.

Each group records its rung and why: "densest rule 2-12-24", "single rule
2-2-4" (no ladder) or "loosened to 2-16-32: the police of Polsek X could not
staff 2-14-28 for every group they reach (24 TPS short)".
The exact allocation then runs once on the final groups (``solve_plan``).
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, replace

import numpy as np

from deploy_opt.problem import IntArray, ProblemData
from deploy_opt.solvers.allocation import group_travel, relaxed_flow
from deploy_opt.solvers.grouping import Grouping, form_groups
from deploy_opt.solvers.work_budget import WorkBudget

logger = logging.getLogger("deploy_opt")

Cell = tuple[int, int]


@dataclass(frozen=True)
class _Shortage:
    """The relaxed police allocation of one grouping."""

    cost: int
    short: np.ndarray  # mask over groups: fewer police than the rule asks
    reachable: tuple[IntArray, ...]  # police bases that may serve each group


def form_ladder_groups(
    data: ProblemData,
    refine_s: float = 0.0,
    seed: int = 0,
    budget: WorkBudget | None = None,
) -> Grouping:
    """Guard groups with each cell on the densest rung the police allow.

    Without any ladder (every category has one rule) this is exactly
    :func:`~deploy_opt.solvers.grouping.form_groups`. Otherwise the groups
    carry ``group_rung`` and ``group_reason`` (see the module docstring).
    """
    if all(len(rule.ladder) == 1 for rule in data.categories):
        return form_groups(data, refine_s, seed, budget=budget)
    cells = [
        (c, k)
        for c in range(len(data.categories))
        for k in range(len(data.kecamatan_names))
        if ((data.station_category == c) & (data.station_kecamatan == k)).any()
    ]
    laddered = [cell for cell in cells if len(data.categories[cell[0]].ladder) > 1]
    fixed = form_groups(
        data, refine_s, seed, cells=set(cells) - set(laddered), budget=budget
    )
    ladder = _Ladder(data, refine_s, seed, fixed, laddered, budget)
    return ladder.solve()


class _Ladder:
    """State of the loosening procedure: the rung of every laddered cell."""

    def __init__(
        self,
        data: ProblemData,
        refine_s: float,
        seed: int,
        fixed: Grouping,
        laddered: list[Cell],
        budget: WorkBudget | None = None,
    ) -> None:
        self.data = data
        self.budget = budget
        self.refine_s = refine_s
        self.seed = seed
        self.fixed = fixed
        self.order = {cell: i for i, cell in enumerate(laddered)}
        self.rung = dict.fromkeys(laddered, 0)
        self.parts: dict[tuple[int, int, int], Grouping] = {}
        self.why: dict[tuple[Cell, int], str] = {}
        polices = [r.police for rule in data.categories for r in rule.ladder]
        self.scale = math.lcm(*[p for p in polices if p > 0] or [1])

    def solve(self) -> Grouping:
        """Loosen, then tighten back (module docstring); groups with reasons."""
        grouping = self._grouping(self.rung)
        state = self._shortage(grouping)
        loosened: list[Cell] = []
        while state.short.any():
            pick = self._pick(grouping, state)
            if pick is None:
                break
            self.rung[pick] += 1
            loosened.append(pick)
            grouping = self._grouping(self.rung)
            state = self._shortage(grouping)
        changed = True
        while changed:
            changed = False
            weight = {cell: self.data.categories[cell[0]].weight for cell in loosened}
            last = {cell: i for i, cell in enumerate(loosened)}
            for cell in sorted(set(loosened), key=lambda x: (-weight[x], -last[x])):
                if self.rung[cell] == 0:
                    continue
                trial = {**self.rung, cell: self.rung[cell] - 1}
                trial_grouping = self._grouping(trial)
                trial_state = self._shortage(trial_grouping)
                if trial_state.cost <= state.cost:
                    self.rung, grouping, state = trial, trial_grouping, trial_state
                    changed = True
        loose = {cell: r for cell, r in self.rung.items() if r}
        logger.info(
            "pattern ladder: %d of %d laddered cells loosened%s",
            len(loose),
            len(self.rung),
            "".join(
                f"; {self._cell_name(cell)} -> {self._rule(cell, r)}"
                for cell, r in loose.items()
            ),
        )
        return replace(grouping, group_reason=self._reasons(grouping))

    # -- groups -----------------------------------------------------------

    def _part(self, cell: Cell, rung: int) -> Grouping:
        key = (*cell, rung)
        if key not in self.parts:
            tps = self.data.categories[cell[0]].ladder[rung].tps
            self.parts[key] = form_groups(
                self.data,
                self.refine_s,
                self.seed,
                cells={cell},
                cell_tps={cell: tps},
                budget=self.budget,
            )
        return self.parts[key]

    def _grouping(self, rungs: dict[Cell, int]) -> Grouping:
        """The whole grouping with each laddered cell on ``rungs[cell]``."""
        data = self.data
        parts = [(self.fixed, None)] + [
            (self._part(cell, r), r) for cell, r in rungs.items()
        ]
        rows: list[tuple[int, int, IntArray, int, int]] = []
        for part, rung in parts:
            for g, members in enumerate(part.members):
                rows.append(
                    (
                        int(part.group_category[g]),
                        int(part.group_kecamatan[g]),
                        members,
                        int(part.group_anchor[g]),
                        0 if rung is None else rung,
                    )
                )
        # the order form_groups uses: category, kecamatan, smallest station id
        rows.sort(key=lambda r: (r[0], r[1], data.station_ids[int(r[2].min())]))
        station_group = np.full(data.n_stations, -1, dtype=np.int64)
        for g, row in enumerate(rows):
            station_group[row[2]] = g
        bounds = [part.spread_bound_s for part, _ in parts]
        return Grouping(
            station_group=station_group,
            group_category=np.array([r[0] for r in rows], dtype=np.int64),
            group_kecamatan=np.array([r[1] for r in rows], dtype=np.int64),
            group_anchor=np.array([r[3] for r in rows], dtype=np.int64),
            members=tuple(r[2] for r in rows),
            lower_bound=sum(part.lower_bound for part, _ in parts),
            spread_s=sum(part.spread_s for part, _ in parts),
            spread_bound_s=(
                None if any(b is None for b in bounds) else sum(b or 0 for b in bounds)
            ),
            group_rung=np.array([r[4] for r in rows], dtype=np.int64),
        )

    # -- police -----------------------------------------------------------

    def _shortage(self, grouping: Grouping) -> _Shortage:
        """Relaxed police allocation: exact min-cost flow, fractional coverage."""
        data = self.data
        n_groups = grouping.n_groups
        demand = np.array(
            [
                data.categories[c].need("polri", r)
                for c, r in zip(grouping.group_category, grouping.rungs, strict=True)
            ],
            dtype=np.int64,
        )
        arcs, _ = group_travel(data, grouping, "polri")
        cuts = np.searchsorted(arcs[:, 1], np.arange(1, n_groups))
        reachable = tuple(np.sort(part) for part in np.split(arcs[:, 0], cuts))
        sizes = np.array([len(m) for m in grouping.members], dtype=np.int64)
        weights = np.array(
            [data.categories[c].weight for c in grouping.group_category],
            dtype=np.int64,
        )
        # a short person of group g leaves n_g / d_g of its TPS uncovered
        per_person = weights * sizes * self.scale // np.maximum(demand, 1)
        # coverage only: no travel costs, so the loosening looks at shortage alone
        count, cost = relaxed_flow(
            arcs,
            np.zeros(len(arcs), dtype=np.int64),
            data.headcount["polri"],
            demand,
            per_person,
            n_groups,
        )
        staffed = np.bincount(arcs[:, 1], weights=count, minlength=n_groups)
        return _Shortage(
            cost=cost,
            short=staffed < demand,
            reachable=reachable,
        )

    def _pick(self, grouping: Grouping, state: _Shortage) -> Cell | None:
        """The cell to loosen next, or None; records why it is loosened."""
        data = self.data
        short_groups = np.flatnonzero(state.short)
        short_bases = np.zeros(data.n_bases, dtype=bool)
        for short_group in short_groups:
            short_bases[state.reachable[short_group]] = True
        shared: dict[Cell, set[int]] = {}
        short_tps: dict[Cell, int] = {}
        for g in range(grouping.n_groups):
            cell = (int(grouping.group_category[g]), int(grouping.group_kecamatan[g]))
            if cell not in self.rung:
                continue
            if state.short[g]:
                short_tps[cell] = short_tps.get(cell, 0) + len(grouping.members[g])
            bases = state.reachable[g][short_bases[state.reachable[g]]]
            if len(bases):
                shared.setdefault(cell, set()).update(int(b) for b in bases)
        candidates = [
            cell
            for cell in shared
            if self.rung[cell] + 1 < len(data.categories[cell[0]].ladder)
        ]
        if not candidates:
            return None
        pick = min(
            candidates,
            key=lambda cell: (
                data.categories[cell[0]].weight,
                -short_tps.get(cell, 0),
                self.order[cell],
            ),
        )
        bases = np.array(sorted(shared[pick]), dtype=np.int64)
        # short TPS in reach of the bases this cell shares with them
        total_short = sum(
            len(grouping.members[g])
            for g in short_groups
            if np.isin(state.reachable[g], bases).any()
        )
        old, new = (
            self._rule(pick, self.rung[pick]),
            self._rule(pick, self.rung[pick] + 1),
        )
        self.why[(pick, self.rung[pick] + 1)] = (
            f"loosened to {new}: the police of {self._base_names(list(bases))} "
            f"could not staff {old} for every group they reach "
            f"({total_short} TPS short)"
        )
        logger.info(
            "pattern ladder: %s %s -> %s (%d TPS short)",
            self._cell_name(pick),
            old,
            new,
            total_short,
        )
        return pick

    # -- words ------------------------------------------------------------

    def _rule(self, cell: Cell, rung: int) -> str:
        return self.data.categories[cell[0]].rung_rule(rung)

    def _cell_name(self, cell: Cell) -> str:
        return (
            f"{self.data.categories[cell[0]].name}/{self.data.kecamatan_names[cell[1]]}"
        )

    def _base_names(self, bases: list[int], limit: int = 3) -> str:
        names = [self.data.base_names[b] for b in bases[:limit]]
        more = f" and {len(bases) - limit} more" if len(bases) > limit else ""
        return ", ".join(names) + more

    def _reasons(self, grouping: Grouping) -> tuple[str, ...]:
        out = []
        for c, k, r in zip(
            grouping.group_category,
            grouping.group_kecamatan,
            grouping.rungs,
            strict=True,
        ):
            cell, rung = (int(c), int(k)), int(r)
            if cell not in self.rung:
                out.append(f"single rule {self._rule(cell, 0)}")
            elif rung == 0:
                out.append(f"densest rule {self._rule(cell, 0)}")
            else:
                out.append(self.why[(cell, rung)])
        return tuple(out)
