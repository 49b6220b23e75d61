"""Benchmark road-network travel times on the two sample districts.

Prints one table: time and peak memory to build the network and to compute
the TPS x (bases + medical sites) matrix, with edges/s and pairs/s, plus how
well the points snapped to the road network.

Samples
-------
jakarta-barat
    7,169 TPS synthesised reproducibly (seed 20240214) as uniform random
    points inside the real Jakarta Barat kelurahan polygons, per-kelurahan
    counts from ``tps_2024_per_kelurahan.csv``; destinations are the real
    puskesmas, Peta Dasar hospitals and Polres points inside Jakarta Barat.
tangerang-kota
    TPS, bases and hospitals of ``scenarios/tangerang-kota``. The only road
    network available is Jakarta's (OSM 2012), which barely touches
    Tangerang: most points snap kilometres away and the table says so.

Run ``python benchmarks/travel.py`` from the repository (``PYTHONPATH=src``
if the package is not installed). Memory is the peak of Python/numpy
allocations traced by :mod:`tracemalloc` in a second, untimed pass (GEOS
memory is not traced), and the process's peak RSS.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import Transformer

from deploy_opt.travel.matrix import Points
from deploy_opt.travel.network import RoadNetworkModel

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"
ROADS = DATA / "tangerang" / "jakarta_roads_osm_2012.geojson"
SEED = 20240214
UTM = "EPSG:32748"


@dataclass
class Sample:
    name: str
    tps: Points
    destinations: Points
    note: str


def _points(ids: list[str], lon: np.ndarray, lat: np.ndarray) -> Points:
    x, y = Transformer.from_crs("EPSG:4326", UTM, always_xy=True).transform(lon, lat)
    return Points(
        tuple(ids),
        np.asarray(x, dtype=np.float64),
        np.asarray(y, dtype=np.float64),
        np.asarray(lon, dtype=np.float64),
        np.asarray(lat, dtype=np.float64),
    )


def _random_in(polygon: Any, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` uniform random points inside ``polygon`` (rejection sampling)."""
    west, south, east, north = polygon.bounds
    found: list[np.ndarray] = []
    total = 0
    while total < n:
        xy = rng.uniform((west, south), (east, north), size=(max(4 * n, 64), 2))
        inside = xy[shapely.contains_xy(polygon, xy[:, 0], xy[:, 1])]
        found.append(inside)
        total += len(inside)
    return np.concatenate(found)[:n]


def jakarta_barat() -> Sample:
    """Synthetic TPS in the real kelurahan polygons; real facilities."""
    jakarta = DATA / "jakarta"
    counts = pd.read_csv(jakarta / "tps_2024_per_kelurahan.csv", dtype=str)
    counts = counts[counts["kode_kabkota"] == "3173"].sort_values("kode_kemendagri")
    kelurahan = pyogrio.read_dataframe(jakarta / "jakarta_kelurahan.geojson")
    shapes = dict(zip(kelurahan["kode"], kelurahan.geometry, strict=True))
    rng = np.random.default_rng(SEED)
    ids, lonlat = [], []
    for kode, total in zip(counts["kode_kemendagri"], counts["tps_total"], strict=True):
        n = int(total)
        lonlat.append(_random_in(shapes[kode], n, rng))
        ids += [f"{kode}-{i + 1:03d}" for i in range(n)]
    xy = np.concatenate(lonlat)
    tps = _points(ids, xy[:, 0], xy[:, 1])

    dest_ids, dest_lon, dest_lat = [], [], []
    for name in (
        "puskesmas_jakarta.geojson",
        "hospitals_jakarta_petadasar.geojson",
        "police_jakarta.geojson",
    ):
        frame = pyogrio.read_dataframe(jakarta / name)
        frame = frame[frame["kode_kabkota"] == "31.73"]
        dest_ids += [f"{name.split('_')[0]}-{i}" for i in frame["source_id"]]
        dest_lon += list(frame.geometry.x)
        dest_lat += list(frame.geometry.y)
    destinations = _points(dest_ids, np.array(dest_lon), np.array(dest_lat))
    return Sample(
        "jakarta-barat",
        tps,
        destinations,
        "synthetic TPS in real kelurahan; real puskesmas/hospitals/Polres",
    )


def tangerang_kota() -> Sample:
    """The shipped Tangerang scenario's TPS, bases and hospitals."""
    folder = REPO / "scenarios" / "tangerang-kota" / "data"
    tps = pd.read_csv(folder / "tps.csv", dtype={"tps_id": str})
    bases = pd.read_csv(folder / "bases.csv", dtype={"base_id": str})
    hospitals = pyogrio.read_dataframe(folder / "hospitals.geojson")
    dest_ids = list(bases["base_id"]) + [f"H{i}" for i in range(len(hospitals))]
    dest_lon = np.r_[bases["lon"].to_numpy(float), hospitals.geometry.x.to_numpy()]
    dest_lat = np.r_[bases["lat"].to_numpy(float), hospitals.geometry.y.to_numpy()]
    return Sample(
        "tangerang-kota",
        _points(list(tps["tps_id"]), tps["lon"].to_numpy(), tps["lat"].to_numpy()),
        _points(dest_ids, dest_lon, dest_lat),
        "Jakarta roads only touch the edge of Tangerang",
    )


def _timed(step: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    out = step()
    return out, time.perf_counter() - start


def _traced_peak_mb(step: Callable[[], Any]) -> float:
    tracemalloc.start()
    tracemalloc.reset_peak()
    step()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def _mb(value: float) -> str:
    return "-" if np.isnan(value) else f"{value:.0f}"


def run(
    samples: list[Sample], modes: list[str], cutoff_s: int, memory: bool
) -> list[dict[str, str]]:
    """Time every step of every sample; returns the table rows."""
    rows = []

    def build() -> RoadNetworkModel:
        return RoadNetworkModel.from_file(ROADS, use_cache=False)

    model, t_build = _timed(build)
    mem = _traced_peak_mb(build) if memory else float("nan")
    edges = model.graph.n_edges
    rows.append(
        {
            "sample": "both",
            "step": "read + split network",
            "mode": "-",
            "size": f"{model.graph.n_nodes:,} nodes / {edges:,} edges",
            "time_s": f"{t_build:.2f}",
            "peak_MB": _mb(mem),
            "rate": f"{edges / t_build:,.0f} edges/s",
        }
    )
    for mode in modes:
        model.mode_graph(mode)  # per-mode times and components, built once

    with tempfile.TemporaryDirectory() as cache_dir:
        for sample in samples:
            for mode in modes:
                n_o, n_d = len(sample.tps), len(sample.destinations)

                def matrix(sample: Sample = sample, mode: str = mode) -> Any:
                    return model.matrix(sample.tps, sample.destinations, mode, cutoff_s)

                result, seconds = _timed(matrix)
                mem = _traced_peak_mb(matrix) if memory else float("nan")
                report = model.snap_report(sample.tps, mode)
                dest_report = model.snap_report(sample.destinations, mode)
                rows.append(
                    {
                        "sample": sample.name,
                        "step": "snap + TPS x dest matrix",
                        "mode": mode,
                        "size": f"{n_o:,} x {n_d:,} -> {result.seconds.nnz:,} kept",
                        "time_s": f"{seconds:.2f}",
                        "peak_MB": _mb(mem),
                        "rate": f"{n_o * n_d / seconds:,.0f} pairs/s",
                        "snap": (
                            f"TPS far {len(report.far):,} island "
                            f"{len(report.island):,} (max "
                            f"{report.max_distance_m / 1000:.1f} km); dest far "
                            f"{len(dest_report.far):,} island "
                            f"{len(dest_report.island):,}"
                        ),
                    }
                )
            cached = RoadNetworkModel(model.graph, cache_dir=cache_dir)
            mode = modes[0]
            cached.matrix(sample.tps, sample.destinations, mode, cutoff_s)
            _, seconds = _timed(
                lambda s=sample, c=cached, m=mode: c.matrix(
                    s.tps, s.destinations, m, cutoff_s
                )
            )
            rows.append(
                {
                    "sample": sample.name,
                    "step": "same matrix, disk cache hit",
                    "mode": mode,
                    "size": "",
                    "time_s": f"{seconds:.2f}",
                    "peak_MB": "",
                    "rate": "",
                }
            )
    return rows


def print_table(rows: list[dict[str, str]]) -> None:
    """Markdown table to stdout."""
    columns = ["sample", "step", "mode", "size", "time_s", "peak_MB", "rate", "snap"]
    widths = {c: max(len(c), *(len(r.get(c, "")) for r in rows)) for c in columns}
    print("| " + " | ".join(c.ljust(widths[c]) for c in columns) + " |")
    print("|" + "|".join("-" * (widths[c] + 2) for c in columns) + "|")
    for row in rows:
        cells = (row.get(c, "").ljust(widths[c]) for c in columns)
        print("| " + " | ".join(cells) + " |")


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modes", default="motorbike,ambulance")
    parser.add_argument("--cutoff-min", type=float, default=30.0)
    parser.add_argument(
        "--samples", default="jakarta-barat,tangerang-kota", help="comma-separated"
    )
    parser.add_argument("--no-memory", action="store_true", help="skip tracemalloc")
    args = parser.parse_args(argv)
    if not ROADS.is_file():
        print(f"road network not found: {ROADS}", file=sys.stderr)
        return 2
    makers = {"jakarta-barat": jakarta_barat, "tangerang-kota": tangerang_kota}
    samples = [makers[name]() for name in args.samples.split(",")]
    cutoff_s = round(args.cutoff_min * 60)
    rows = run(samples, args.modes.split(","), cutoff_s, not args.no_memory)
    print(f"road network: {ROADS.relative_to(REPO.parent)}; cutoff {cutoff_s} s")
    for sample in samples:
        print(f"{sample.name}: {sample.note}")
    print_table(rows)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process peak RSS: {rss:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
