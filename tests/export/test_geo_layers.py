"""GeoJSON and GeoPackage layers read back through geopandas, as QGIS would."""

from __future__ import annotations

import tempfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely
from map_plan import HOSTILE_NAME, solved_plan

from deploy_opt.export.cells import safe_text
from deploy_opt.export.geo_layers import LAYERS, geojson_files, gpkg_files


@pytest.fixture(scope="module")
def outcome(tmp_path_factory):
    return solved_plan(tmp_path_factory.mktemp("plan"))


def writer_args(outcome):
    o = outcome
    return (o.scenario, o.data, o.result, o.stations, o.roster, o.summary, "id")


def expected_rows(outcome) -> dict[str, int]:
    result = outcome.result
    teams = result.teams
    assert teams is not None
    arcs = sum(len(result.allocations[a].base) for a in ("polri", "tni"))
    return {
        "tps": outcome.data.n_stations,
        "groups": result.grouping.n_groups,
        "bases": outcome.data.n_bases,
        "medical_teams": teams.placed,
        "team_areas": teams.placed,
        "assignments": arcs + len(result.linmas.base),
    }


def read_geojson(outcome, tmp_path: Path) -> dict[str, gpd.GeoDataFrame]:
    files = geojson_files(*writer_args(outcome))
    assert sorted(files) == sorted(f"layers/{name}.geojson" for name in LAYERS)
    layers = {}
    for name in LAYERS:
        path = tmp_path / f"{name}.geojson"
        path.write_bytes(files[f"layers/{name}.geojson"])
        layers[name] = gpd.read_file(path)
    return layers


def test_geojson_layers_round_trip(outcome, tmp_path):
    layers = read_geojson(outcome, tmp_path)
    rows = expected_rows(outcome)
    assert rows["medical_teams"] > 0
    for name, frame in layers.items():
        assert frame.crs.to_epsg() == 4326, name
        assert len(frame) == rows[name], name
        assert set(frame.geom_type) == {LAYERS[name]}, name

    # every TPS where the scenario puts it, with its row of stations.csv
    tps = layers["tps"]
    where = outcome.scenario.stations.set_index("id").loc[
        list(outcome.data.station_ids)
    ]
    assert np.allclose(tps.geometry.x, where["lon"], atol=1e-7)
    assert np.allclose(tps.geometry.y, where["lat"], atol=1e-7)
    assert tps["covered"].tolist() == outcome.stations["covered"].astype(bool).tolist()
    assert tps["group_id"].tolist() == outcome.stations["group_id"].tolist()
    assert not tps["covered"].all()  # the tiny plan has a police shortfall
    assert (tps.loc[~tps["covered"], "shortfall_reason"] != "").all()


def test_group_areas_hold_their_tps_and_lines_start_at_bases(outcome, tmp_path):
    layers = read_geojson(outcome, tmp_path)
    tps = layers["tps"].set_index("station_id")
    for _, group in layers["groups"].iterrows():
        members = group["station_ids"].split(";")
        assert len(members) == group["tps"]
        points = tps.loc[[safe_text(m) for m in members]].geometry
        assert shapely.contains(group.geometry, points.to_numpy()).all()
    bases = layers["bases"].set_index("base_id")
    for _, line in layers["assignments"].iterrows():
        start = shapely.Point(line.geometry.coords[0])
        assert start.distance(bases.geometry[line["base_id"]]) < 1e-6


def test_base_counts_add_up(outcome, tmp_path):
    layers = read_geojson(outcome, tmp_path)
    bases = layers["bases"]
    for agency in ("polri", "tni", "linmas", "medis"):
        sent, spare = bases[f"{agency}_assigned"], bases[f"{agency}_reserve"]
        assert (sent + spare == bases[f"{agency}_headcount"]).all()
    assert bases["polri_assigned"].sum() == layers["groups"]["police"].sum()
    lines = layers["assignments"]
    for agency in ("polri", "linmas"):
        assert (
            lines.loc[lines["agency"] == agency, "persons"].sum()
            == bases[f"{agency}_assigned"].sum()
        )
    teams = layers["medical_teams"]
    assert (
        teams["tps_served"].sum() == (outcome.result.teams.station_team_no >= 0).sum()
    )
    assert bases["medis_assigned"].sum() == teams["team_size"].sum()


def test_input_text_is_neutralised(outcome, tmp_path):
    layers = read_geojson(outcome, tmp_path)
    names = layers["bases"].set_index("base_id")["name"]
    assert names["PS"] == "'" + HOSTILE_NAME
    assert layers["tps"]["station_id"].tolist()[1] == "B<i>"


def test_gpkg_holds_every_layer_and_leaves_nothing_behind(outcome, tmp_path):
    def leftovers() -> set[Path]:
        return set(Path(tempfile.gettempdir()).glob("deploy_opt-gpkg-*"))

    before = leftovers()
    files = gpkg_files(*writer_args(outcome))
    assert leftovers() == before
    assert list(files) == ["plan.gpkg"]
    assert files == gpkg_files(*writer_args(outcome))  # same plan, same bytes
    path = tmp_path / "plan.gpkg"
    path.write_bytes(files["plan.gpkg"])
    listed = {str(name): str(kind) for name, kind in pyogrio.list_layers(path)}
    assert listed == LAYERS
    rows = expected_rows(outcome)
    for name in LAYERS:
        frame = gpd.read_file(path, layer=name)
        assert frame.crs.to_epsg() == 4326, name
        assert len(frame) == rows[name], name
    bases = gpd.read_file(path, layer="bases").set_index("base_id")
    assert bases.loc["PS", "name"] == "'" + HOSTILE_NAME
