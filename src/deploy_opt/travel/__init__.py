"""Travel times between TPS and bases, behind one interface.

Straight line x detour factor, or a road network whose points far from its
roads fall back to the straight line for their legs
(:mod:`deploy_opt.travel.fallback`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from deploy_opt.scenario.schema import TravelSpec
from deploy_opt.travel.base import TravelModel as TravelModel
from deploy_opt.travel.matrix import Points as Points
from deploy_opt.travel.matrix import TravelMatrix as TravelMatrix
from deploy_opt.travel.straight_line import StraightLineModel as StraightLineModel

if TYPE_CHECKING:
    from deploy_opt.travel.network import RoadNetworkModel
    from deploy_opt.travel.road_speeds import ModeSpeeds


def build_travel_model(
    spec: TravelSpec, base_dir: str | Path | None = None
) -> TravelModel:
    """The travel model a scenario asks for; files resolve against ``base_dir``.

    Raises
    ------
    TravelTimeError
        When the road network (or its profile) cannot be read or used.
    """
    if spec.model == "straight_line":
        kmh = {agency: float(a.speed_kmh or 0) for agency, a in spec.agencies.items()}
        return StraightLineModel(speeds_kmh=kmh, detour_factor=spec.detour_factor)
    from deploy_opt.travel.network import RoadNetworkModel
    from deploy_opt.travel.road_speeds import SpeedSpec

    network = spec.network
    assert network is not None  # guaranteed by TravelSpec
    folder = Path(base_dir) if base_dir is not None else Path()
    speeds: dict[str, SpeedSpec] = {}
    for agency, travel in spec.agencies.items():
        assert travel.mode is not None  # guaranteed by TravelSpec
        speeds[agency] = _mode_speeds(agency, travel.mode, travel.speeds)
    road = RoadNetworkModel.from_file(
        folder / network.file,
        speeds,
        profile=None if network.profile is None else folder / network.profile,
        layer=network.layer,
        crs=network.crs,
        snap_threshold_m=network.snap_threshold_m,
        cache_dir=None if network.cache_dir is None else folder / network.cache_dir,
    )
    return _with_fallback(road, spec)


def _with_fallback(road: RoadNetworkModel, spec: TravelSpec) -> TravelModel:
    """``road`` with straight-line legs for badly snapped points.

    Straight-line speed per agency: its ``speed_kmh``, else its road mode's
    speed for unknown road classes (motorbike 15 km/h).
    """
    from deploy_opt.travel.fallback import FallbackRoadModel

    kmh = {}
    for agency, travel in spec.agencies.items():
        given = travel.speed_kmh
        kmh[agency] = float(
            given if given is not None else road.modes[agency].fallback_kmh or 5.0
        )
    return FallbackRoadModel(road, StraightLineModel(kmh, spec.detour_factor))


def _mode_speeds(agency: str, mode: str, overrides: dict[str, float]) -> ModeSpeeds:
    """The built-in ``mode`` for ``agency``, with per-class speed overrides."""
    from dataclasses import replace
    from types import MappingProxyType

    from deploy_opt.travel.road_speeds import resolve_modes

    speeds = resolve_modes({agency: mode})[agency]
    if not overrides:
        return speeds
    table = {**speeds.speeds_kmh, **overrides}
    return replace(speeds, speeds_kmh=MappingProxyType(table))


__all__ = [
    "Points",
    "StraightLineModel",
    "TravelMatrix",
    "TravelModel",
    "build_travel_model",
]
