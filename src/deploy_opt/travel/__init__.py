"""Travel times between TPS and bases, behind one interface.

Version 1 ships the straight-line model; road networks plug in as another
:class:`TravelModel`.
"""

from __future__ import annotations

from deploy_opt.scenario.schema import TravelSpec
from deploy_opt.travel.base import TravelModel as TravelModel
from deploy_opt.travel.matrix import Points as Points
from deploy_opt.travel.matrix import TravelMatrix as TravelMatrix
from deploy_opt.travel.straight_line import StraightLineModel as StraightLineModel


def build_travel_model(spec: TravelSpec) -> TravelModel:
    """The travel model a scenario asks for."""
    speeds = {agency: a.speed_kmh for agency, a in spec.agencies.items()}
    return StraightLineModel(speeds_kmh=speeds, detour_factor=spec.detour_factor)


__all__ = [
    "Points",
    "StraightLineModel",
    "TravelMatrix",
    "TravelModel",
    "build_travel_model",
]
