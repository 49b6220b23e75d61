"""The on-disk matrix cache: hits, misses, corruption, atomic files."""

from __future__ import annotations

import numpy as np
import pytest

from deploy_opt.travel import network as network_module
from deploy_opt.travel.network import RoadNetworkModel
from deploy_opt.travel.network_cache import (
    CACHE_ENV,
    MatrixCache,
    cache_key,
    default_cache_dir,
)

ROADS = [
    {"coords": [(0, 0), (1000, 0)], "oneway": "yes"},
    {"coords": [(1000, 0), (1000, 1000)]},
    {"coords": [(1000, 1000), (0, 1000)]},
    {"coords": [(0, 1000), (0, 0)]},
]


def _entries(folder):
    return sorted((folder / "travel").glob("*.npz"))


def _fail(*args, **kwargs):
    raise AssertionError("computed although cached")


def test_second_model_reads_the_cache(roads_file, points, tmp_path, monkeypatch):
    path = roads_file(ROADS)
    pts = points([(0, 0), (1000, 0), (500, 500)])
    first = RoadNetworkModel.from_file(path, cache_dir=tmp_path / "c")
    fresh = first.matrix(pts, pts, "car", cutoff_s=600)
    assert len(_entries(tmp_path / "c")) == 1
    assert not list((tmp_path / "c" / "travel").glob("*.tmp"))
    monkeypatch.setattr(network_module, "travel_seconds", _fail)
    second = RoadNetworkModel.from_file(path, cache_dir=tmp_path / "c")
    cached = second.matrix(pts, pts, "car", cutoff_s=600)
    assert (cached.seconds != fresh.seconds).nnz == 0
    np.testing.assert_array_equal(cached.dense(), fresh.dense())
    assert cached.cutoff_s == 600 and cached.model == "road_network"


@pytest.mark.parametrize(
    "change",
    ["cutoff", "mode", "speeds", "points", "file"],
)
def test_any_input_change_misses(roads_file, points, tmp_path, change):
    path = roads_file(ROADS)
    pts = points([(0, 0), (1000, 0)])
    RoadNetworkModel.from_file(path, cache_dir=tmp_path / "c").matrix(
        pts, pts, "car", cutoff_s=600
    )
    speeds = {"car": {"residential": 20}} if change == "speeds" else None
    if change == "file":
        path = roads_file([*ROADS, {"coords": [(0, 0), (1000, 1000)]}], "b.geojson")
    model = RoadNetworkModel.from_file(path, speeds, cache_dir=tmp_path / "c")
    model.matrix(
        points([(0, 0), (1000, 1)]) if change == "points" else pts,
        pts,
        "walk" if change == "mode" else "car",
        cutoff_s=601 if change == "cutoff" else 600,
    )
    assert len(_entries(tmp_path / "c")) == 2


def test_corrupt_entry_is_recomputed(roads_file, points, tmp_path):
    path = roads_file(ROADS)
    pts = points([(0, 0), (1000, 0)])
    model = RoadNetworkModel.from_file(path, cache_dir=tmp_path / "c")
    fresh = model.matrix(pts, pts, "car").dense()
    (entry,) = _entries(tmp_path / "c")
    entry.write_bytes(b"not a zip file")
    again = RoadNetworkModel.from_file(path, cache_dir=tmp_path / "c")
    np.testing.assert_array_equal(again.matrix(pts, pts, "car").dense(), fresh)


def test_cache_can_be_disabled(roads_file, points, tmp_path):
    path = roads_file(ROADS)
    pts = points([(0, 0)])
    model = RoadNetworkModel.from_file(path, cache_dir=tmp_path / "c", use_cache=False)
    model.matrix(pts, pts, "car")
    assert not (tmp_path / "c").exists()


def test_wrong_shape_entry_is_ignored(tmp_path):
    import scipy.sparse as sp

    cache = MatrixCache(tmp_path)
    cache.store("k", sp.csr_array(np.array([[1, 2]], dtype=np.int64)))
    assert cache.load("k", (1, 2)) is not None
    assert cache.load("k", (2, 1)) is None
    assert cache.load("missing", (1, 2)) is None


def test_key_depends_on_part_boundaries():
    assert cache_key("ab", "c") != cache_key("a", "bc")


def test_default_cache_dir_honours_environment(monkeypatch, tmp_path):
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "x"))
    assert default_cache_dir() == tmp_path / "x"
    monkeypatch.delenv(CACHE_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "deploy_opt"
