"""Fuzzing the loaders: whatever the input, only our own errors escape."""

from __future__ import annotations

import shutil
from pathlib import Path
from tempfile import TemporaryDirectory

import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from deploy_opt import ScenarioError, load_scenario

INVALID = Path(__file__).resolve().parents[1] / "data" / "invalid"
BASE = yaml.safe_load((INVALID / "_valid.yaml").read_text())

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
)
values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)
# key paths into the valid scenario that a mutation may replace
PATHS = [
    ("name",),
    ("district",),
    ("district", "boundary"),
    ("district", "tolerance_m"),
    ("travel", "agencies", "polri", "max_minutes"),
    ("categories", "rawan", "weight"),
    ("stations",),
    ("stations", "file"),
    ("stations", "columns"),
    ("stations", "columns", "id"),
    ("categories",),
    ("categories", "rawan"),
    ("categories", "rawan", "pattern"),
    ("categories", "kurang_rawan", "tps"),
    ("categories", "kurang_rawan", "max_group_minutes"),
    ("bases",),
    ("bases", 0),
    ("bases", 0, "defaults"),
    ("travel",),
    ("travel", "agencies", "polri"),
    ("travel", "agencies", "polri", "speed_kmh"),
    ("travel", "detour_factor"),
    ("solver",),
    ("published",),
]


def mutate(document: dict, path: tuple, value: object) -> dict:
    copy = yaml.safe_load(yaml.safe_dump(document))
    node = copy
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return copy


def load_in_copy(yaml_text: str, files: dict[str, str] | None = None) -> None:
    with TemporaryDirectory() as folder:
        root = Path(folder)
        shutil.copytree(INVALID / "common", root / "common")
        for name, text in (files or {}).items():
            (root / "common" / name).write_text(text, encoding="utf-8")
        (root / "scenario.yaml").write_text(yaml_text, encoding="utf-8")
        try:
            load_scenario(root / "scenario.yaml")
        except ScenarioError as exc:
            assert exc.issues  # an error always says what is wrong
            for issue in exc.issues:
                assert issue.file and issue.field and issue.message


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(PATHS), values)
def test_yaml_mutations_raise_only_scenario_errors(path, value):
    load_in_copy(yaml.safe_dump(mutate(BASE, path, value)))


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300))
def test_arbitrary_yaml_text(text):
    load_in_copy(text)


cells = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    max_size=10,
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(cells, min_size=0, max_size=9), max_size=6), st.booleans())
def test_station_and_base_tables_raise_only_scenario_errors(rows, as_bases):
    header_tps = "tps_id,lon,lat,kelurahan,kecamatan,category,kind"
    header_bases = (
        "base_id,name,kind,lon,lat,kecamatan,kelurahan,jurisdiction,polri,tni,linmas"
    )
    lines = [header_bases if as_bases else header_tps]
    lines += [
        ",".join(
            c.replace(",", ";").replace("\n", " ").replace("\r", " ").replace('"', "")
            for c in row
        )
        for row in rows
    ]
    name = "bases.csv" if as_bases else "tps.csv"
    load_in_copy((INVALID / "_valid.yaml").read_text(), {name: "\n".join(lines) + "\n"})


json_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.text(max_size=8),
    st.floats(-1e6, 1e6),
)
geometries = st.one_of(
    st.none(),
    st.builds(
        lambda x, y: {"type": "Point", "coordinates": [x, y]},
        st.floats(-200, 200),
        st.floats(-100, 100),
    ),
    st.just({"type": "LineString", "coordinates": [[106.63, -6.18], [106.64, -6.17]]}),
    st.just({"type": "Point", "coordinates": []}),
)
features = st.builds(
    lambda geometry, props: {
        "type": "Feature",
        "geometry": geometry,
        "properties": props,
    },
    geometries,
    st.fixed_dictionaries(
        {},
        optional={
            "tps_id": json_values,
            "kelurahan": json_values,
            "kecamatan": json_values,
            "category": st.one_of(
                json_values, st.sampled_from(["rawan", "kurang_rawan", "khusus"])
            ),
        },
    ),
)


# A station far outside the district's UTM zone once projected the district
# boundary to infinity (RuntimeWarning in make_valid): pinned here.
FAR_AWAY_STATION = [
    {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [-157.0, 0.0]},
        "properties": {
            "tps_id": None,
            "category": None,
            "kecamatan": None,
            "kelurahan": None,
        },
    }
]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(features, max_size=5), st.booleans())
@example(feature_list=FAR_AWAY_STATION, broken_json=False)
def test_geojson_station_layers_raise_only_scenario_errors(feature_list, broken_json):
    import json

    text = json.dumps({"type": "FeatureCollection", "features": feature_list})
    if broken_json:
        text = text[: len(text) // 2]
    yaml_text = (
        (INVALID / "_valid.yaml")
        .read_text()
        .replace("file: common/tps.csv", "file: common/tps.geojson")
    )
    load_in_copy(yaml_text, {"tps.geojson": text})


def test_station_far_outside_the_utm_zone_is_a_clear_error(tmp_path):
    import json

    shutil.copytree(INVALID / "common", tmp_path / "common")
    (tmp_path / "common" / "tps.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": FAR_AWAY_STATION})
    )
    (tmp_path / "scenario.yaml").write_text(
        (INVALID / "_valid.yaml")
        .read_text()
        .replace("file: common/tps.csv", "file: common/tps.geojson")
    )
    try:
        load_scenario(tmp_path / "scenario.yaml")
    except ScenarioError as exc:
        messages = [i.message for i in exc.issues if i.field == "column lon/lat"]
    else:
        raise AssertionError("a station at lon -157 was accepted")
    assert messages == [
        "feature 1: point is far outside the area of EPSG:32748 (lon 102..108, "
        "lat -80..0): a stray coordinate? (or set `projected_crs` for this area)"
    ]
