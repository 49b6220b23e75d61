"""Speed tables, mode resolution and OSM tag parsing."""

from __future__ import annotations

import math

import pytest

from deploy_opt.errors import TravelTimeError
from deploy_opt.travel.road_speeds import (
    DEFAULT_ACCESS_KMH,
    DEFAULT_FALLBACK_KMH,
    DEFAULT_SPEEDS_KMH,
    ModeSpeeds,
    parse_highway,
    parse_maxspeed,
    parse_oneway,
    resolve_modes,
)


def test_default_tables_cover_the_same_classes_for_every_mode():
    classes = {frozenset(table) for table in DEFAULT_SPEEDS_KMH.values()}
    assert len(classes) == 1
    assert set(DEFAULT_SPEEDS_KMH) == {"walk", "motorbike", "car", "ambulance"}
    assert set(DEFAULT_FALLBACK_KMH) == set(DEFAULT_SPEEDS_KMH)
    assert set(DEFAULT_ACCESS_KMH) == set(DEFAULT_SPEEDS_KMH)


def test_defaults_encode_indonesian_rules():
    # motorcycles may not use toll roads; pedestrians may not use motorways
    assert DEFAULT_SPEEDS_KMH["motorbike"]["motorway"] == 0
    assert DEFAULT_SPEEDS_KMH["walk"]["motorway"] == 0
    assert DEFAULT_SPEEDS_KMH["car"]["footway"] == 0
    ambulance, car = DEFAULT_SPEEDS_KMH["ambulance"], DEFAULT_SPEEDS_KMH["car"]
    assert all(ambulance[c] >= car[c] for c in car)


def test_resolve_defaults_give_four_modes_and_walk_ignores_oneway():
    modes = resolve_modes()
    assert set(modes) == {"walk", "motorbike", "car", "ambulance"}
    assert not modes["walk"].honour_oneway
    assert modes["car"].honour_oneway
    assert modes["car"].speed_for("residential") == 15
    assert modes["car"].speed_for("no_such_class") == DEFAULT_FALLBACK_KMH["car"]


def test_resolve_aliases_and_merges():
    modes = resolve_modes(
        {"polri": "motorbike", "car": {"primary": 12}, "boat": {"river": 8}},
        access_speed_kmh={"polri": 7},
    )
    assert modes["polri"].speeds_kmh == DEFAULT_SPEEDS_KMH["motorbike"]
    assert modes["polri"].access_kmh == 7
    assert modes["car"].speed_for("primary") == 12
    assert modes["car"].speed_for("residential") == 15  # merged over built-in
    assert modes["boat"].speed_for("residential") is None  # no fallback
    assert modes["boat"].access_kmh == 5


def test_resolve_global_default_speed():
    modes = resolve_modes({"boat": {"river": 8}}, default_speed_kmh=3)
    assert modes["boat"].speed_for("residential") == 3


def test_resolve_rejects_unknown_builtin_and_negative_speeds():
    with pytest.raises(TravelTimeError, match="unknown built-in mode `bus`"):
        resolve_modes({"x": "bus"})
    with pytest.raises(TravelTimeError, match="finite and >= 0"):
        resolve_modes({"car": {"primary": -1}})
    with pytest.raises(TravelTimeError, match="access speed"):
        ModeSpeeds("x", {}, access_kmh=0)


def test_fingerprint_changes_with_any_speed():
    a = resolve_modes({"car": {"primary": 30}})["car"].fingerprint()
    b = resolve_modes({"car": {"primary": 31}})["car"].fingerprint()
    assert a != b


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("yes", (True, False)),
        ("1", (True, False)),
        ("True", (True, False)),
        (True, (True, False)),
        ("-1", (False, True)),
        ("reverse", (False, True)),
        ("no", (True, True)),
        (None, (True, True)),
        (math.nan, (True, True)),
        ("", (True, True)),
        ("False", (True, True)),
        ("reversible", (True, True)),
        ("sometimes", None),
    ],
)
def test_parse_oneway(value, expected):
    assert parse_oneway(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("50", 50.0),
        (40, 40.0),
        ("30 mph", 30 * 1.609344),
        ("30;50", 30.0),
        ("['60', '40']", 40.0),
        ("none", None),
        ("ID:urban", None),
        (None, None),
        (0, None),
    ],
)
def test_parse_maxspeed(value, expected):
    got = parse_maxspeed(value)
    assert got == pytest.approx(expected) if expected is not None else got is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("primary", "primary"),
        ("['tertiary', 'residential']", "tertiary"),
        (["service"], "service"),
        (None, ""),
        (math.nan, ""),
    ],
)
def test_parse_highway(value, expected):
    assert parse_highway(value) == expected
