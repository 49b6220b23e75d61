"""A stage's allowance of work, counted deterministically (and, optionally, by the clock).

Heuristics that improve a valid answer step by step (grouping) charge each
step's work in *units* (roughly a nanosecond of work on a 2020s laptop core:
one matrix entry scanned = 1, one Python-level pair test = 1,000, a
min-cost flow :func:`flow_units`). When the units run out, they keep their best answer so
far and skip the remaining improvements, and :attr:`WorkBudget.cut_short`
says so. The same inputs always spend the same units, so a reproducible run
stops at the same point on any machine; a wall-clock ``deadline`` (monotonic
seconds) is only set outside reproducible runs.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

#: Work units per second of stage time limit (see the module docstring).
UNITS_PER_SECOND = 1e9
#: Units of one Python-level pair test.
PAIR_UNITS = 1_000
#: Units of a min-cost flow per arc and per square root of its nodes (flows
#: slow down per arc as they grow: ~1 us per arc at 500 nodes, ~3 at 7,000).
FLOW_UNITS = 45


def flow_units(arcs: int, nodes: int) -> float:
    """Work units of one min-cost flow with ``arcs`` arcs on ``nodes`` nodes."""
    return FLOW_UNITS * arcs * math.sqrt(max(1, nodes))


@dataclass
class WorkBudget:
    """Work allowance of one stage; ``math.inf`` units = unlimited."""

    units: float = math.inf
    deadline: float | None = None
    used: float = 0.0
    #: Steps skipped because the budget ran out (empty: never cut).
    skipped: list[str] = field(default_factory=list)

    @classmethod
    def for_seconds(cls, seconds: float, *, reproducible: bool) -> WorkBudget:
        """A budget of ``seconds`` of work; a wall-clock deadline too unless
        ``reproducible``."""
        deadline = None if reproducible else time.monotonic() + seconds
        return cls(units=seconds * UNITS_PER_SECOND, deadline=deadline)

    def spend(self, units: float) -> None:
        """Charge ``units`` of work done."""
        self.used += units

    @property
    def exhausted(self) -> bool:
        """True once the units (or the wall-clock deadline) are used up."""
        if self.used >= self.units:
            return True
        return self.deadline is not None and time.monotonic() >= self.deadline

    def affords(self, units: float, step: str) -> bool:
        """Whether ``step``, costing ``units``, fits in what is left; records
        it as skipped when not."""
        if self.used + units <= self.units and not self.exhausted:
            return True
        if step not in self.skipped:
            self.skipped.append(step)
        return False

    def allows(self, step: str) -> bool:
        """Whether ``step`` may run; records it as skipped when not."""
        if not self.exhausted:
            return True
        if step not in self.skipped:
            self.skipped.append(step)
        return False

    @property
    def cut_short(self) -> bool:
        """True when some step was skipped."""
        return bool(self.skipped)

    def reason(self) -> str:
        """Why the stage was cut short, for its record (empty when it was not)."""
        if not self.skipped:
            return ""
        by = (
            "its work budget"
            if self.used >= self.units
            else "its wall-clock share of the time limit"
        )
        return (
            f"cut short by {by} ({self.used / UNITS_PER_SECOND:.1f} of "
            f"{self.units / UNITS_PER_SECOND:.1f} s-equivalent work units); "
            f"skipped: {', '.join(self.skipped)}"
        )
