"""Speeds per road class and travel mode, and parsing of OSM edge tags.

Default speeds (km/h) are typical *congested urban* speeds for Jakarta-like
cities on a working day, not posted limits; election day is a public holiday
in Indonesia, so they are on the safe (slow) side. ``0`` means the mode may not
use the class (motorcycles are banned from Indonesian toll roads, pedestrians
from motorways, cars from footways). ``*_link`` classes are ramps.

==============  ====  =========  ===  =========
class           walk  motorbike  car  ambulance
==============  ====  =========  ===  =========
motorway        0     0          60   70
motorway_link   0     0          40   45
trunk           5     35         40   50
trunk_link      5     25         30   35
primary         5     30         30   40
primary_link    5     25         25   30
secondary       5     25         25   32
secondary_link  5     20         20   25
tertiary        5     22         20   25
tertiary_link   5     20         18   22
unclassified    5     20         18   22
residential     5     18         15   18
living_street   5     12         10   12
road            5     18         15   18
service         5     12         10   12
track           4     10         8    10
pedestrian      5     8          0    0
footway         5     8          0    0
path            4     8          0    0
cycleway        5     10         0    0
steps           3     0          0    0
construction    0     0          0    0
proposed        0     0          0    0
==============  ====  =========  ===  =========

A class absent from the table (or a missing ``highway`` value) travels at the
mode's *fallback* speed: walk 5, motorbike 15, car 12, ambulance 15 km/h.
The off-road *access leg* from a point to its snap point on the network is
travelled at the mode's access speed: walk 5, motorbike 10, car 5 (the last
stretch on foot), ambulance 5 km/h. Pedestrians (``walk``) ignore ``oneway``;
all other modes honour it.
"""

from __future__ import annotations

import ast
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from deploy_opt.errors import TravelTimeError

_MODES = ("walk", "motorbike", "car", "ambulance")
# km/h per class: walk, motorbike, car, ambulance (see the module docstring)
_TABLE: tuple[tuple[str, float, float, float, float], ...] = (
    ("motorway", 0, 0, 60, 70),
    ("motorway_link", 0, 0, 40, 45),
    ("trunk", 5, 35, 40, 50),
    ("trunk_link", 5, 25, 30, 35),
    ("primary", 5, 30, 30, 40),
    ("primary_link", 5, 25, 25, 30),
    ("secondary", 5, 25, 25, 32),
    ("secondary_link", 5, 20, 20, 25),
    ("tertiary", 5, 22, 20, 25),
    ("tertiary_link", 5, 20, 18, 22),
    ("unclassified", 5, 20, 18, 22),
    ("residential", 5, 18, 15, 18),
    ("living_street", 5, 12, 10, 12),
    ("road", 5, 18, 15, 18),
    ("service", 5, 12, 10, 12),
    ("track", 4, 10, 8, 10),
    ("pedestrian", 5, 8, 0, 0),
    ("footway", 5, 8, 0, 0),
    ("path", 4, 8, 0, 0),
    ("cycleway", 5, 10, 0, 0),
    ("steps", 3, 0, 0, 0),
    ("construction", 0, 0, 0, 0),
    ("proposed", 0, 0, 0, 0),
)

#: Built-in speeds in km/h per mode and OSM ``highway`` class (0 = not usable).
DEFAULT_SPEEDS_KMH: Mapping[str, Mapping[str, float]] = MappingProxyType(
    {
        mode: MappingProxyType({row[0]: float(row[1 + m]) for row in _TABLE})
        for m, mode in enumerate(_MODES)
    }
)

#: Speed in km/h for classes missing from a mode's table.
DEFAULT_FALLBACK_KMH: Mapping[str, float] = MappingProxyType(
    {"walk": 5.0, "motorbike": 15.0, "car": 12.0, "ambulance": 15.0}
)

#: Speed in km/h of the straight off-road leg between a point and the road.
DEFAULT_ACCESS_KMH: Mapping[str, float] = MappingProxyType(
    {"walk": 5.0, "motorbike": 10.0, "car": 5.0, "ambulance": 5.0}
)

#: Built-in modes that may travel both ways along one-way streets.
IGNORES_ONEWAY: frozenset[str] = frozenset({"walk"})

_FORWARD = frozenset({"yes", "true", "1", "t", "y"})
_BACKWARD = frozenset({"-1", "reverse", "reversed"})
_BOTH = frozenset({"no", "false", "0", "f", "n", "", "nan", "none"})
# OSM: direction changes during the day; we cannot know it, so allow both
_TIME_DEPENDENT = frozenset({"reversible", "alternating"})

_MPH = 1.609344
_NUMBER = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(mph|km/h|kmh|kph)?\s*$")


@dataclass(frozen=True)
class ModeSpeeds:
    """How one travel mode moves on the network.

    Attributes
    ----------
    name
        Mode name as the caller uses it (``walk``, ``car``, an agency, ...).
    speeds_kmh
        Speed per ``highway`` class; ``0`` closes the class to the mode.
    fallback_kmh
        Speed for classes missing from ``speeds_kmh``; ``None`` makes such a
        class an error.
    access_kmh
        Speed of the straight off-road leg between a point and its snap point.
    honour_oneway
        Whether ``oneway`` restrictions apply to the mode.
    use_maxspeed
        Whether an edge's ``maxspeed`` caps the class speed.

    Raises
    ------
    TravelTimeError
        When a speed is negative or not finite, or the access speed is not > 0.
    """

    name: str
    speeds_kmh: Mapping[str, float] = field(hash=False)
    fallback_kmh: float | None = None
    access_kmh: float = 5.0
    honour_oneway: bool = True
    use_maxspeed: bool = True

    def __post_init__(self) -> None:
        bad = {k: v for k, v in self.speeds_kmh.items() if not _non_negative(v)}
        if bad:
            msg = f"speeds of mode `{self.name}` must be finite and >= 0: {bad}"
            raise TravelTimeError(msg)
        if self.fallback_kmh is not None and not _non_negative(self.fallback_kmh):
            msg = f"fallback speed of mode `{self.name}` must be >= 0"
            raise TravelTimeError(msg)
        if not (_non_negative(self.access_kmh) and self.access_kmh > 0):
            msg = f"access speed of mode `{self.name}` must be > 0"
            raise TravelTimeError(msg)

    def speed_for(self, highway: str) -> float | None:
        """Speed in km/h for one class, or ``None`` when it has none."""
        speed = self.speeds_kmh.get(highway)
        return self.fallback_kmh if speed is None else float(speed)

    def fingerprint(self) -> str:
        """Stable text describing every parameter (for cache keys)."""
        speeds = sorted((k, float(v)) for k, v in self.speeds_kmh.items())
        return repr(
            (
                self.name,
                speeds,
                self.fallback_kmh,
                self.access_kmh,
                self.honour_oneway,
                self.use_maxspeed,
            )
        )


SpeedSpec = str | Mapping[str, float] | ModeSpeeds


def resolve_modes(
    speeds: Mapping[str, SpeedSpec] | None = None,
    *,
    default_speed_kmh: float | Mapping[str, float] | None = None,
    access_speed_kmh: float | Mapping[str, float] | None = None,
    use_maxspeed: bool = True,
) -> dict[str, ModeSpeeds]:
    """Turn the caller's speed settings into one :class:`ModeSpeeds` per mode.

    Parameters
    ----------
    speeds
        Mode name -> either the name of a built-in mode (``"motorbike"``; handy
        to map agencies to modes: ``{"polri": "motorbike", "medis":
        "ambulance"}``), or a mapping ``highway class -> km/h`` (merged over
        the built-in table of the same name, if there is one), or a ready
        :class:`ModeSpeeds`. Default: the four built-in modes.
    default_speed_kmh
        Speed for classes not in a mode's table, one for all modes or per
        mode. Default: the built-in fallback of the mode (or of the built-in
        mode it names); a mode without any fallback raises on unknown classes.
    access_speed_kmh
        Speed of the off-road access leg, one for all modes or per mode.
        Default: the built-in access speed, else 5 km/h.
    use_maxspeed
        Whether an edge's ``maxspeed`` tag caps the class speed.

    Returns
    -------
    dict[str, ModeSpeeds]
        One entry per mode.

    Raises
    ------
    TravelTimeError
        When a named built-in mode does not exist or a speed is negative.
    """
    given: Mapping[str, SpeedSpec] = (
        {m: m for m in DEFAULT_SPEEDS_KMH} if speeds is None else speeds
    )
    out: dict[str, ModeSpeeds] = {}
    for name, spec in given.items():
        if isinstance(spec, ModeSpeeds):
            out[name] = spec
            continue
        if isinstance(spec, str):
            if spec not in DEFAULT_SPEEDS_KMH:
                msg = (
                    f"speeds for mode `{name}`: unknown built-in mode `{spec}`; "
                    f"known: {sorted(DEFAULT_SPEEDS_KMH)}"
                )
                raise TravelTimeError(msg)
            base: str | None = spec
            table = dict(DEFAULT_SPEEDS_KMH[spec])
        else:
            base = name if name in DEFAULT_SPEEDS_KMH else None
            table = dict(DEFAULT_SPEEDS_KMH[base]) if base else {}
            table.update({str(k): float(v) for k, v in spec.items()})
        out[name] = ModeSpeeds(
            name=name,
            speeds_kmh=MappingProxyType(table),
            fallback_kmh=_per_mode(
                default_speed_kmh, name, DEFAULT_FALLBACK_KMH.get(base or "")
            ),
            access_kmh=_per_mode(
                access_speed_kmh, name, DEFAULT_ACCESS_KMH.get(base or "", 5.0)
            )
            or 0.0,
            honour_oneway=base not in IGNORES_ONEWAY,
            use_maxspeed=use_maxspeed,
        )
    return out


def _per_mode(
    value: float | Mapping[str, float] | None, mode: str, default: float | None
) -> float | None:
    if value is None:
        return default
    if isinstance(value, Mapping):
        got = value.get(mode)
        return default if got is None else float(got)
    return float(value)


def _non_negative(value: object) -> bool:
    return isinstance(value, int | float) and math.isfinite(value) and value >= 0


def parse_oneway(value: object) -> tuple[bool, bool] | None:
    """Directions allowed by an OSM ``oneway`` value.

    Returns
    -------
    tuple[bool, bool] | None
        ``(forward, backward)`` along the line's digitised direction, or
        ``None`` when the value is not understood. ``yes/true/1`` -> forward
        only; ``-1/reverse`` -> backward only; ``no/false/0``, empty, and the
        time-dependent ``reversible/alternating`` -> both.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return True, True
    if isinstance(value, bool):
        return (True, not value)
    text = str(value).strip().lower()
    if text in _FORWARD:
        return True, False
    if text in _BACKWARD:
        return False, True
    if text in _BOTH or text in _TIME_DEPENDENT:
        return True, True
    return None


def parse_maxspeed(value: object) -> float | None:
    """Speed limit in km/h from an OSM ``maxspeed`` value, or ``None``.

    Numbers are km/h unless followed by ``mph``; several values
    (``"30;50"`` or a list, as osmnx writes merged edges) give the lowest.
    Symbolic values (``none``, ``walk``, ``ID:urban``) give ``None``.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) and value > 0 else None
    text = str(value).strip()
    parts = _list_value(text) if text.startswith("[") else text.split(";")
    speeds = []
    for part in parts:
        match = _NUMBER.match(str(part).lower())
        if match:
            speed = float(match.group(1)) * (_MPH if match.group(2) == "mph" else 1)
            if speed > 0:
                speeds.append(speed)
    return min(speeds) if speeds else None


def parse_highway(value: object) -> str:
    """The road class of an OSM ``highway`` value (first of a list), or ``""``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, list | tuple):
        return str(value[0]).strip() if value else ""
    text = str(value).strip()
    if text.startswith("["):
        items = _list_value(text)
        return str(items[0]).strip() if items else ""
    return text


def _list_value(text: str) -> list[object]:
    try:
        parsed = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return [text]
    return list(parsed) if isinstance(parsed, list | tuple) else [parsed]
