"""The outcome of a solve: the plan, its quality and what it could not do."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the solvers import this module; types only here
    from deploy_opt.solvers.allocation import AgencyAllocation
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
class SolveParams:
    """Solver settings: wall-clock limit in seconds, seed and CP-SAT workers."""

    time_limit_s: float = 30.0
    seed: int = 0
    workers: int = 1
    grouping_refine_s: float = 0.0

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
    TPS scaled above all travel, plus travel seconds); ``gap`` is relative.
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

    @property
    def gap(self) -> float:
        """Relative gap between objective and bound (0 when proven optimal)."""
        if self.objective == self.bound:
            return 0.0
        return (self.objective - self.bound) / max(1, abs(self.objective))

    def is_feasible(self) -> bool:
        """A plan exists (it may still have shortfalls, which are listed)."""
        return self.status in {"optimal", "feasible"}
