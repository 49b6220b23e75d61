"""The outcome of a solve: the plan, its quality and what it could not do."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the solvers import this module; types only here
    from deploy_opt.solvers.allocation import AgencyAllocation
    from deploy_opt.solvers.coverage_bound import CoverageBound
    from deploy_opt.solvers.grouping import Grouping
    from deploy_opt.solvers.linmas import LinmasAllocation
    from deploy_opt.solvers.medical import MedicalCover
    from deploy_opt.solvers.medical_teams import TeamSiting


@dataclass(frozen=True)
class Shortfall:
    """One rule the plan could not meet, and why."""

    agency: str
    category: str
    station_ids: tuple[str, ...]
    needed: int
    assigned: int
    reason: str
    group_id: str = ""

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {
            "agency": self.agency,
            "category": self.category,
            "group_id": self.group_id,
            "station_ids": list(self.station_ids),
            "needed": self.needed,
            "assigned": self.assigned,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class StageRecord:
    """What one stage of the plan decided and whether it proved it best.

    ``objective`` and ``bound`` are in the stage's own units (``units``);
    ``proven`` is true only when the stage's result is proven optimal for its
    model; ``note`` says why not (empty when proven).
    """

    stage: str
    status: str
    proven: bool
    objective: float | None
    bound: float | None
    units: str
    method: str
    note: str = ""

    @property
    def gap(self) -> float | None:
        """Relative gap of the stage (None when it has no bound)."""
        if self.objective is None or self.bound is None:
            return None
        if self.objective == self.bound:
            return 0.0
        return abs(self.objective - self.bound) / max(1.0, abs(self.objective))

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form (no NaN: a missing value is null)."""
        gap = self.gap
        return {
            "stage": self.stage,
            "status": self.status,
            "proven": self.proven,
            "objective": _finite(self.objective),
            "bound": _finite(self.bound),
            "gap": None if gap is None or math.isnan(gap) else round(gap, 9),
            "units": self.units,
            "method": self.method,
            "note": self.note,
        }


def _finite(value: float | None) -> float | int | None:
    if value is None or not math.isfinite(value):
        return None
    return int(value) if float(value).is_integer() else round(float(value), 6)


@dataclass(frozen=True)
class SolveParams:
    """Solver settings: time limit in seconds, seed and CP-SAT workers.

    With ``reproducible``, no wall-clock limit decides a result: CP-SAT stops
    on a deterministic-time limit derived from ``time_limit_s``, the grouping
    refinement (which has only wall-clock limits) is skipped and the medical
    team stage runs deterministically; the same inputs and seed give the same
    plan on any machine load.
    """

    time_limit_s: float = 30.0
    seed: int = 0
    workers: int = 1
    grouping_refine_s: float = 0.0
    reproducible: bool = False

    def __post_init__(self) -> None:
        if self.time_limit_s <= 0:
            msg = f"`time_limit_s` must be positive, got {self.time_limit_s}"
            raise ValueError(msg)
        if self.seed < 0:
            msg = f"`seed` must be >= 0, got {self.seed}"
            raise ValueError(msg)
        if self.workers < 1:
            msg = f"`workers` must be >= 1, got {self.workers}"
            raise ValueError(msg)


@dataclass(frozen=True)
class Result:
    """A plan with its status, objective, bound and every shortfall.

    ``objective`` and ``bound`` are in solver cost units (risk-weighted uncovered
    TPS scaled above all travel, plus travel seconds) and cover the stages in
    ``gap_covers`` for the groups formed; ``gap`` is relative. ``status`` covers
    the whole plan (every stage in ``stages``): ``optimal`` only when each stage
    is proven optimal, else ``feasible`` with ``status_reasons``.
    ``coverage_bound`` bounds the risk-weighted coverage of any plan.
    """

    status: str
    objective: int
    bound: int
    grouping: Grouping
    group_ids: tuple[str, ...]
    allocations: dict[str, AgencyAllocation]
    linmas: LinmasAllocation
    medical: MedicalCover
    shortfalls: tuple[Shortfall, ...]
    runtime_s: float
    params: SolveParams
    solver: str
    input_hash: str
    travel_model: str
    teams: TeamSiting | None = None
    notes: tuple[str, ...] = field(default=())
    stages: tuple[StageRecord, ...] = field(default=())
    status_reasons: tuple[str, ...] = field(default=())
    coverage_bound: CoverageBound | None = None
    gap_covers: tuple[str, ...] = field(default=("polri", "tni", "linmas"))

    @property
    def status_covers(self) -> tuple[str, ...]:
        """The stages ``status`` speaks for."""
        return tuple(s.stage for s in self.stages)

    @property
    def gap(self) -> float:
        """Relative gap between objective and bound (0 when proven optimal)."""
        if self.objective == self.bound:
            return 0.0
        return (self.objective - self.bound) / max(1, abs(self.objective))

    def is_feasible(self) -> bool:
        """A plan exists (it may still have shortfalls, which are listed)."""
        return self.status in {"optimal", "feasible"}
