"""The single place where physical units become solver integers.

Solvers work on integer seconds and integer costs. Conversions from the floats of
the scenario (minutes, km/h, weights) happen here and nowhere else.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

#: Marker for "cannot reach within the cutoff" in integer travel-time matrices.
UNREACHABLE: int = np.iinfo(np.int32).max

#: Risk weights are floats in the scenario; solvers use weight * WEIGHT_SCALE as int.
WEIGHT_SCALE: int = 100


def minutes_to_seconds(minutes: float) -> int:
    """Round a duration in minutes to whole seconds."""
    return round(minutes * 60.0)


def seconds_to_minutes(seconds: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Convert integer seconds to minutes (floats)."""
    return np.asarray(seconds, dtype=np.float64) / 60.0


def kmh_to_mps(speed_kmh: float) -> float:
    """Convert a speed in km/h to metres per second."""
    return speed_kmh / 3.6


def scale_weight(weight: float) -> int:
    """Scale a risk weight to the integer used in solver costs (at least 1)."""
    return max(1, round(weight * WEIGHT_SCALE))
