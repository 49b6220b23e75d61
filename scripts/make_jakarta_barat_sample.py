"""Build ``scenarios/jakarta-barat/data/`` from public data.

Polres Metro Jakarta Barat, Pemilu 14 Feb 2024: 8 kecamatan, 56 kelurahan,
7,169 TPS, all kurang rawan, pattern 2-16-32 (domain.md 1.4), about 900 police.

Real: kelurahan polygons, TPS per kelurahan (KPU via KawalPemilu), puskesmas and
hospital points (DKI base map 1:1000), the Polres HQ point, the 2012 OSM road
network (clipped to the area plus 3 km).
Synthetic (``coord_source`` column): TPS coordinates (random points inside the
real kelurahan polygon), Polsek locations (one per kecamatan, inside it), Linmas
posts, and the split of the 900 police over the Polsek and the HQ pool.

Usage::

    python scripts/make_jakarta_barat_sample.py [--shared ../shared/data]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from sample_tools import (
    METRIC_CRS,
    SYNTHETIC_BASE,
    interior_point,
    place_tps,
    write_bases,
    write_tps,
)

from deploy_opt.generate.apportion import largest_remainder

SEED = 20240214
KABKOTA = "31.73"
TOTAL_POLICE = 900
POLRES_POOL = 100  # "pasukan perintis" platoon and HQ reserve (assumption)
LINMAS_PER_TPS = 2
ROAD_BUFFER_M = 3000
SYNTHETIC_TPS = (
    f"synthetic: uniform random point in the real kelurahan polygon (seed {SEED})"
)


def _features(frame: gpd.GeoDataFrame, properties: list[str]) -> dict[str, object]:
    frame = frame.to_crs("EPSG:4326")
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {p: getattr(row, p) for p in properties},
                "geometry": {
                    "type": "Point",
                    "coordinates": [round(row.geometry.x, 6), round(row.geometry.y, 6)],
                },
            }
            for row in frame.itertuples()
        ],
    }


def _write_json(path: Path, data: object) -> None:
    path.write_text(
        json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )


def build(shared: Path, out: Path) -> None:
    rng = np.random.default_rng(SEED)
    jakarta = shared / "jakarta"
    counts = pd.read_csv(
        jakarta / "tps_2024_per_kelurahan.csv", dtype={"kode_desa": str}
    )
    kel = gpd.read_file(jakarta / "jakarta_kelurahan.geojson").to_crs(METRIC_CRS)
    kel = kel[kel["kode"].str.startswith(KABKOTA + ".")].sort_values("kode")
    kel = kel.merge(
        counts[
            [
                "kode_kemendagri",
                "kecamatan",
                "tps_regular",
                "tps_special_9xx",
                "tps_special_range",
            ]
        ],
        left_on="kode",
        right_on="kode_kemendagri",
        validate="one_to_one",
    ).reset_index(drop=True)
    kel["kecamatan"] = kel["kecamatan"].str.title()
    kec = gpd.read_file(jakarta / "jakarta_kecamatan.geojson").to_crs(METRIC_CRS)
    kec = (
        kec[kec["kode"].str.startswith(KABKOTA + ".")]
        .sort_values("kode")
        .reset_index(drop=True)
    )
    kec_name = (
        kel.drop_duplicates("kode_kecamatan")
        .set_index("kode_kecamatan")["kecamatan"]
        .to_dict()
    )

    # --- TPS ----------------------------------------------------------------------
    tps = place_tps(kel, "kecamatan", rng, "special")
    tps["kecamatan"] = tps["area"]
    tps["category"] = (
        "kurang_rawan"  # all 7,169 TPS were rated kurang rawan (domain.md 1.4)
    )
    write_tps(tps, out / "tps.csv", SYNTHETIC_TPS)

    # --- bases --------------------------------------------------------------------
    police = gpd.read_file(jakarta / "police_jakarta.geojson")
    hq = police[police["name"] == "Polres Jakarta Barat"].to_crs(METRIC_CRS).iloc[0]
    base_rows = [
        {
            "base_id": "POLRES-JAKBAR",
            "name": "Polres Metro Jakarta Barat (HQ pool)",
            "kind": "polres",
            "x": hq.geometry.x,
            "y": hq.geometry.y,
            "kecamatan": kec_name.get(hq.kode_kecamatan, ""),
            "kelurahan": "",
            "jurisdiction": "",
            "polri": POLRES_POOL,
            "linmas": 0,
            "coord_source": "real: police_jakarta.geojson (Polres HQ address point)",
        }
    ]
    per_kec = tps.groupby("kecamatan").size()
    shares = np.array([per_kec[kec_name[k]] for k in kec["kode"]], dtype=float)
    split = largest_remainder(TOTAL_POLICE - POLRES_POOL, shares)
    for k, heads in zip(kec.itertuples(), split, strict=True):
        x, y = interior_point(k.geometry, rng)
        name = kec_name[k.kode]
        base_rows.append(
            {
                "base_id": f"POLSEK-{k.kode.replace('.', '')}",
                "name": f"Polsek {name}",
                "kind": "polsek",
                "x": x,
                "y": y,
                "kecamatan": name,
                "kelurahan": "",
                "jurisdiction": name,
                "polri": int(heads),
                "linmas": 0,
                "coord_source": SYNTHETIC_BASE,
            }
        )
    per_kel = tps.groupby("kode").size()
    for k in kel.itertuples():
        x, y = k.geometry.representative_point().coords[0]
        base_rows.append(
            {
                "base_id": f"LINMAS-{k.kode.replace('.', '')}",
                "name": f"Linmas Kel. {k.nama}",
                "kind": "kelurahan",
                "x": x,
                "y": y,
                "kecamatan": k.kecamatan,
                "kelurahan": k.nama,
                "jurisdiction": "",
                "polri": 0,
                "linmas": LINMAS_PER_TPS * int(per_kel[k.kode]),
                "coord_source": SYNTHETIC_BASE,
            }
        )
    write_bases(base_rows, out / "bases.csv", ("polri", "linmas"))

    # --- medical facilities (real points) -----------------------------------------------
    area = shapely.union_all(kel.geometry.to_numpy())
    puskesmas = gpd.read_file(jakarta / "puskesmas_jakarta.geojson").to_crs(METRIC_CRS)
    puskesmas = puskesmas[puskesmas.within(area)].copy()
    puskesmas["site_id"] = ["PKM-" + s.split("=")[-1] for s in puskesmas["source_id"]]
    puskesmas = puskesmas.sort_values("site_id")
    _write_json(
        out / "puskesmas.geojson",
        _features(puskesmas, ["site_id", "name", "type", "nama_kelurahan"]),
    )
    hospitals = gpd.read_file(jakarta / "hospitals_jakarta_petadasar.geojson").to_crs(
        METRIC_CRS
    )
    hospitals = hospitals[hospitals.within(area)].copy()
    hospitals["site_id"] = ["RS-" + s.split("=")[-1] for s in hospitals["source_id"]]
    hospitals = hospitals.sort_values("site_id")
    _write_json(
        out / "hospitals.geojson",
        _features(hospitals, ["site_id", "name", "subtype", "nama_kelurahan"]),
    )

    # --- boundary and road network (real) -------------------------------------------------
    boundary = kel.to_crs("EPSG:4326")[
        ["kode", "nama", "kode_kecamatan", "kecamatan", "geometry"]
    ]
    (out / "kelurahan.geojson").unlink(missing_ok=True)
    boundary.to_file(
        out / "kelurahan.geojson", driver="GeoJSON", COORDINATE_PRECISION=6
    )
    roads = gpd.read_file(
        shared / "tangerang" / "jakarta_roads_osm_2012.geojson"
    ).to_crs(METRIC_CRS)
    roads = roads[roads.intersects(area.buffer(ROAD_BUFFER_M))].sort_values("seg_id")
    (out / "roads_osm_2012.geojson").unlink(missing_ok=True)
    roads.to_crs("EPSG:4326").to_file(
        out / "roads_osm_2012.geojson", driver="GeoJSON", COORDINATE_PRECISION=6
    )

    needed = sum(-(-n // 16) for n in per_kec.to_numpy()) * 2
    print(
        f"{len(tps)} TPS in {len(kec)} kecamatan, {len(base_rows)} bases, {len(puskesmas)} puskesmas, "
        f"{len(hospitals)} hospitals, {len(roads)} road segments; police {TOTAL_POLICE}, "
        f"at least {needed} needed by 2-16-32"
    )


def main() -> None:
    repo = Path(__file__).resolve().parents[1]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=repo.parent / "shared" / "data")
    parser.add_argument(
        "--out", type=Path, default=repo / "scenarios" / "jakarta-barat" / "data"
    )
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    build(args.shared, args.out)


if __name__ == "__main__":
    main()
