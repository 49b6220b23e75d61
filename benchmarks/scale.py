"""Scale benchmark: the Tangerang sample tiled to N TPS, solved end to end.

For each N the sample (TPS, bases, hospitals, kelurahan polygons) is copied
``ceil(N / 6,940)`` times side by side, each copy shifted east by the
sample's width plus a gap and its kecamatan, kelurahan and ids suffixed, so
every copy is its own set of cells and posts; the last copy keeps only the
TPS needed to reach N. Each N is solved by ``deploy-opt solve --reproducible``
in its own subprocess under ``/usr/bin/time -v``.

Prints one markdown row per N: TPS, wall seconds, peak RSS, risk-weighted
coverage, plan status and the grouping stage's note, plus the load average.

    python benchmarks/scale.py                       # 6,940 and 27,760 TPS
    python benchmarks/scale.py --sizes 6940 27760 65495 --time-limit 30
    python benchmarks/scale.py --python /other/venv/bin/python   # another build
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyogrio
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parent))
from plan import SAMPLES, TIME  # benchmarks/plan.py: the samples

DEFAULT_SIZES = (6_940, 27_760)
GAP_DEG = 0.05


def _suffix(name: str, tile: int) -> str:
    return name if tile == 0 or not name else f"{name} T{tile}"


def _prefix(ident: str, tile: int) -> str:
    return ident if tile == 0 else f"T{tile}-{ident}"


def tiled_district(n_tps: int, folder: Path) -> Path:
    """The Tangerang sample tiled to ``n_tps`` TPS in ``folder`` (see module docstring)."""
    source = SAMPLES["tangerang-kota"].parent
    shutil.copytree(source, folder)
    data = source / "data"
    tps = pd.read_csv(data / "tps.csv", dtype=str, keep_default_na=False)
    bases = pd.read_csv(data / "bases.csv", dtype=str, keep_default_na=False)
    hospitals = pyogrio.read_dataframe(data / "hospitals.geojson")
    polygons = pyogrio.read_dataframe(data / "kelurahan.geojson")
    west, _, east, _ = polygons.total_bounds
    width = east - west + GAP_DEG
    tiles = math.ceil(n_tps / len(tps))
    out_tps, out_bases, out_hosp, out_poly = [], [], [], []
    for t in range(tiles):
        shift = t * width
        part = tps.copy()
        part["tps_id"] = [_prefix(i, t) for i in part["tps_id"]]
        part["lon"] = (part["lon"].astype(float) + shift).round(6).astype(str)
        for col in ("kelurahan", "kecamatan"):
            part[col] = [_suffix(v, t) for v in part[col]]
        out_tps.append(part)
        part = bases.copy()
        part["base_id"] = [_prefix(i, t) for i in part["base_id"]]
        part["lon"] = (part["lon"].astype(float) + shift).round(6).astype(str)
        for col in ("kelurahan", "kecamatan", "jurisdiction"):
            part[col] = [
                ";".join(_suffix(v.strip(), t) for v in value.split(";"))
                if value
                else value
                for value in part[col]
            ]
        out_bases.append(part)
        part = hospitals.copy()
        part["poi_id"] = [_prefix(i, t) for i in part["poi_id"]]
        part["kecamatan"] = [_suffix(v, t) for v in part["kecamatan"]]
        part.geometry = shapely.transform(
            part.geometry, lambda xy, s=shift: xy + np.array([s, 0.0])
        )
        out_hosp.append(part)
        part = polygons.copy()
        part["kecamatan"] = [_suffix(v, t) for v in part["kecamatan"]]
        part["nama"] = [_suffix(v, t) for v in part["nama"]]
        part.geometry = shapely.transform(
            part.geometry, lambda xy, s=shift: xy + np.array([s, 0.0])
        )
        out_poly.append(part)
    pd.concat(out_tps).iloc[:n_tps].to_csv(folder / "data" / "tps.csv", index=False)
    pd.concat(out_bases).to_csv(folder / "data" / "bases.csv", index=False)
    for name, parts in (("hospitals", out_hosp), ("kelurahan", out_poly)):
        frame = pd.concat(parts, ignore_index=True)
        pyogrio.write_dataframe(
            frame, folder / "data" / f"{name}.geojson", driver="GeoJSON"
        )
    return folder / "scenario.yaml"


def run_one(scenario: Path, python: str, time_limit: float | None) -> dict[str, object]:
    """Solve ``scenario`` in a subprocess under ``/usr/bin/time -v``."""
    out = scenario.parent / "out"
    cmd = [python, "-m", "deploy_opt.cli", "solve", str(scenario), "--out", str(out)]
    cmd += ["--overwrite", "--reproducible"]
    if time_limit is not None:
        cmd += ["--time-limit", str(time_limit)]
    if TIME.exists():
        cmd = [str(TIME), "-v", *cmd]
    started = time.monotonic()
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    wall = time.monotonic() - started
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    row: dict[str, object] = {
        "wall_s": wall,
        "rss_gb": int(rss.group(1)) / 1024**2 if rss else float("nan"),
        "exit": done.returncode,
    }
    summary = out / "summary.json"
    if done.returncode == 0 and summary.exists():
        s = json.loads(summary.read_text())
        row["status"] = s.get("status", "?")
        row["coverage"] = s.get("coverage", "?")
        stages = {st["stage"]: st for st in s.get("stages", [])}
        row["grouping"] = stages.get("grouping", {}).get("note", "")[:90]
        row["teams"] = stages.get("medical_teams", {}).get("note", "")[:60]
    else:
        row["status"] = f"failed: {done.stderr.strip().splitlines()[-1:]}"
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES))
    parser.add_argument("--python", default=sys.executable, help="interpreter to run")
    parser.add_argument("--time-limit", type=float, default=None)
    parser.add_argument("--keep", type=Path, default=None, help="keep scenarios here")
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="deploy-opt-scale-"))
    print(
        f"load average before: {os.getloadavg()[0]:.2f} (1 min), {os.cpu_count()} cores"
    )
    print(
        "| TPS | wall s | peak RSS GB | coverage | status | grouping note | teams note |"
    )
    print("|---:|---:|---:|---:|---|---|---|")
    for n in args.sizes:
        folder = root / f"tiled-{n}"
        if folder.exists():
            shutil.rmtree(folder)
        row = run_one(tiled_district(n, folder), args.python, args.time_limit)
        print(
            f"| {n:,} | {row['wall_s']:.1f} | {row['rss_gb']:.2f} | {row.get('coverage', '')} "
            f"| {row['status']} | {row.get('grouping', '')} | {row.get('teams', '')} |",
            flush=True,
        )
    print(f"load average after: {os.getloadavg()[0]:.2f} (1 min)")
    if args.keep is None:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
