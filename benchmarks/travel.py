"""Benchmark road-network travel times on the two sample districts.

Prints one table: time and peak memory to build the network and to compute
the TPS x (bases + medical sites) matrix, with edges/s and pairs/s, plus how
well the points snapped to the road network.

Samples
-------
jakarta-barat
    TPS and all bases (Polres, Polsek, Linmas posts, puskesmas, hospitals) of
    ``scenarios/jakarta-barat``.
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
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from pyproj import Transformer

from deploy_opt.scenario import load_scenario
from deploy_opt.travel.matrix import Points
from deploy_opt.travel.network import RoadNetworkModel
from deploy_opt.travel.straight_line import StraightLineModel

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"
ROADS = DATA / "tangerang" / "jakarta_roads_osm_2012.geojson"
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


def _scenario_sample(name: str, note: str) -> Sample:
    """TPS and every base (police, Linmas posts, medical sites) of a shipped sample."""
    scenario = load_scenario(REPO / "scenarios" / name / "scenario.yaml")
    stations, bases = scenario.stations, scenario.bases
    return Sample(
        name,
        _points(
            list(stations["id"]),
            stations["lon"].to_numpy(float),
            stations["lat"].to_numpy(float),
        ),
        _points(
            list(bases["id"]),
            bases["lon"].to_numpy(float),
            bases["lat"].to_numpy(float),
        ),
        note,
    )


def jakarta_barat() -> Sample:
    """The shipped Jakarta Barat scenario: synthetic TPS in real kelurahan, real facilities."""
    return _scenario_sample(
        "jakarta-barat", "shipped scenario: 7,169 TPS x all bases and medical sites"
    )


def tangerang_kota() -> Sample:
    """The shipped Tangerang scenario's TPS, bases and hospitals."""
    return _scenario_sample(
        "tangerang-kota", "Jakarta roads only touch the edge of Tangerang"
    )


def _median_timed(step: Callable[[], Any], runs: int) -> tuple[Any, float]:
    """Result of the last run and the median wall time of ``runs`` runs."""
    times = []
    for _ in range(max(1, runs)):
        result, seconds = _timed(step)
        times.append(seconds)
    return result, float(statistics.median(times))


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
    samples: list[Sample], modes: list[str], cutoff_s: int, memory: bool, runs: int = 3
) -> list[dict[str, str]]:
    """Time every step of every sample; returns the table rows."""
    rows = []

    def build() -> RoadNetworkModel:
        return RoadNetworkModel.from_file(ROADS, use_cache=False)

    model, t_build = _median_timed(build, runs)
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

                result, seconds = _median_timed(matrix, runs)
                mem = _traced_peak_mb(matrix) if memory else float("nan")
                straight = StraightLineModel({mode: 20.0}, detour_factor=1.4)
                _, baseline = _median_timed(
                    lambda s=sample, m=mode, b=straight: b.matrix(
                        s.tps, s.destinations, m, cutoff_s
                    ),
                    runs,
                )
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
                        "x straight line": f"{seconds / baseline:,.1f}",
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
    columns = [
        "sample",
        "step",
        "mode",
        "size",
        "time_s",
        "x straight line",
        "peak_MB",
        "rate",
        "snap",
    ]
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
    parser.add_argument(
        "--runs", type=int, default=3, help="timed runs per step (median)"
    )
    args = parser.parse_args(argv)
    if not ROADS.is_file():
        print(f"road network not found: {ROADS}", file=sys.stderr)
        return 2
    makers = {"jakarta-barat": jakarta_barat, "tangerang-kota": tangerang_kota}
    samples = [makers[name]() for name in args.samples.split(",")]
    cutoff_s = round(args.cutoff_min * 60)
    rows = run(samples, args.modes.split(","), cutoff_s, not args.no_memory, args.runs)
    print(f"road network: {ROADS.relative_to(REPO.parent)}; cutoff {cutoff_s} s")
    for sample in samples:
        print(f"{sample.name}: {sample.note}")
    print_table(rows)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process peak RSS: {rss:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
