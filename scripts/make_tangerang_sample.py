"""Build the shipped sample ``scenarios/tangerang-kota/data/`` from public data.

Polres Metro Tangerang Kota, Pemilu 14 Feb 2024: the 13 kecamatan of Kota Tangerang
plus Teluknaga, Kosambi, Pakuhaji, Sepatan and Sepatan Timur of Kabupaten Tangerang.

Real: kelurahan/kecamatan polygons, the number of TPS per kelurahan (KPU list via
KawalPemilu), hospital points (OSM), the published totals (1,212 police, 978 TNI,
2 Linmas per TPS, 22 rawan, 15 khusus).
Synthetic (marked in every file's ``coord_source`` column): TPS coordinates (random
points inside their real kelurahan polygon), which 22 TPS are rawan, Polsek/Koramil/
puskesmas/Linmas-post locations and the split of headcounts across bases.

Deterministic: the same inputs and ``SEED`` give byte-identical files.

Usage::

    python scripts/make_tangerang_sample.py [--shared ../shared/data/tangerang]
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
KECAMATAN = {
    # Kota Tangerang (36.71): all 13
    **{f"36.71.{i:02d}": "kota" for i in range(1, 14)},
    # Kabupaten Tangerang (36.03) under Polres Metro Tangerang Kota
    "36.03.13": "kab",  # Teluknaga
    "36.03.14": "kab",  # Kosambi
    "36.03.15": "kab",  # Pakuhaji
    "36.03.16": "kab",  # Sepatan
    "36.03.30": "kab",  # Sepatan Timur
}
TOTAL_POLICE = 1212
# Officers kept at Mapolres (Polres HQ) as a BKO pool for any kecamatan in reach;
# the rest are split over the Polsek by TPS count. The split is an assumption.
POLRES_POOL = 120
TOTAL_TNI = 978
LINMAS_PER_TPS = 2
N_RAWAN = 22
# Puskesmas with 24-h emergency units in Kota Tangerang (Dinkes list, see
# SOURCES.md) placed in the kelurahan they are named after, plus one main
# puskesmas per kecamatan that has none in that list.
PUSKESMAS = [
    ("Cipondoh", "36.71.05.1001"),
    ("Petir", "36.71.05.1006"),
    ("Panunggangan", "36.71.11.1009"),
    ("Kunciran", "36.71.11.1004"),
    ("Karawaci Baru", "36.71.07.1003"),
    ("Cibodasari", "36.71.09.1002"),
    ("Jatiuwung", "36.71.09.1006"),
    ("Manis Jaya", "36.71.02.1005"),
    ("Kedaung Wetan", "36.71.10.1004"),
    ("Periuk Jaya", "36.71.08.1005"),
    ("Tanah Tinggi", "36.71.01.1003"),
    ("Cikokol", "36.71.01.1005"),
    ("Sukasari", "36.71.01.1007"),
    ("Batuceper", "36.71.03.1001"),
    ("Poris Gaga Lama", "36.71.03.1003"),
    ("Ciledug", "36.71.06.1002"),
    ("Paninggilan", "36.71.06.1001"),
    ("Larangan Utara", "36.71.13.1001"),
    ("Pondok Bahar", "36.71.12.1003"),
    ("Benda", "36.71.04.1003"),
    ("Teluknaga", "36.03.13.2001"),
    ("Kosambi", "36.03.14.1001"),
    ("Pakuhaji", "36.03.15.1001"),
    ("Sepatan", "36.03.16.1001"),
    ("Sepatan Timur", "36.03.30.2001"),
]
SYNTHETIC_TPS = (
    f"synthetic: uniform random point in the real kelurahan polygon (seed {SEED})"
)


def build(shared: Path, out: Path) -> None:
    rng = np.random.default_rng(SEED)
    counts = pd.read_csv(shared / "tps_2024_per_desa.csv", dtype={"kode_desa": str})
    desa = gpd.read_file(shared / "tangerang_kelurahan_desa.geojson").to_crs(METRIC_CRS)
    kec = gpd.read_file(shared / "tangerang_kecamatan.geojson").to_crs(METRIC_CRS)
    kec = kec[kec["kode"].isin(KECAMATAN)].sort_values("kode").reset_index(drop=True)
    desa = desa[desa["kode_kecamatan"].isin(KECAMATAN)].sort_values("kode")
    desa = desa.merge(
        counts[
            ["kode_kemendagri", "tps_regular", "tps_special_9xx", "tps_special_range"]
        ],
        left_on="kode",
        right_on="kode_kemendagri",
        validate="one_to_one",
    ).reset_index(drop=True)
    kec_name = dict(zip(kec["kode"], kec["nama"], strict=True))

    # --- polling stations ---------------------------------------------------
    # TPS 901+ sit together inside one institution (the prison).
    tps = place_tps(desa, "kode_kecamatan", rng, "prison")
    tps["kode_kec"] = tps["area"]
    tps["kecamatan"] = tps["kode_kec"].map(kec_name)
    tps["category"] = np.where(tps["kind"] == "prison", "khusus", "kurang_rawan")
    regular_index = np.flatnonzero(tps["kind"].to_numpy() == "")
    rawan = rng.choice(regular_index, size=N_RAWAN, replace=False)
    tps.loc[rawan, "category"] = "rawan"
    write_tps(tps, out / "tps.csv", SYNTHETIC_TPS)

    # --- police and military bases (one Polsek and one Koramil per kecamatan) --
    tps_per_kec = tps.groupby("kode_kec").size().reindex(kec["kode"]).to_numpy()
    police = largest_remainder(TOTAL_POLICE - POLRES_POOL, tps_per_kec.astype(float))
    tni = largest_remainder(TOTAL_TNI, tps_per_kec.astype(float))
    base_rows = []
    hq_kec = kec[kec["nama"] == "Tangerang"].iloc[0]
    x, y = interior_point(hq_kec.geometry, rng)
    base_rows.append(
        {
            "base_id": "POLRES-MTK",
            "name": "Polres Metro Tangerang Kota (HQ pool)",
            "kind": "polres",
            "x": x,
            "y": y,
            "kecamatan": hq_kec.nama,
            "kelurahan": "",
            "jurisdiction": "",
            "polri": POLRES_POOL,
            "tni": 0,
            "linmas": 0,
            "coord_source": SYNTHETIC_BASE,
        }
    )
    for i, k in enumerate(kec.itertuples()):
        for kind, prefix, agency, heads in (
            ("polsek", "POLSEK", "polri", police[i]),
            ("koramil", "KORAMIL", "tni", tni[i]),
        ):
            x, y = interior_point(k.geometry, rng)
            base_rows.append(
                {
                    "base_id": f"{prefix}-{k.kode.replace('.', '')}",
                    "name": f"{kind.capitalize()} {k.nama}",
                    "kind": kind,
                    "x": x,
                    "y": y,
                    "kecamatan": k.nama,
                    "kelurahan": "",
                    "jurisdiction": k.nama if kind == "polsek" else "",
                    "polri": heads if agency == "polri" else 0,
                    "tni": heads if agency == "tni" else 0,
                    "linmas": 0,
                    "coord_source": SYNTHETIC_BASE,
                }
            )
    # --- Linmas posts: one per kelurahan, 2 per TPS of that kelurahan -----------
    tps_per_desa = tps.groupby("kode").size()
    for d in desa.itertuples():
        x, y = d.geometry.representative_point().coords[0]
        base_rows.append(
            {
                "base_id": f"LINMAS-{d.kode.replace('.', '')}",
                "name": f"Linmas Kel. {d.nama}",
                "kind": "kelurahan",
                "x": x,
                "y": y,
                "kecamatan": kec_name[d.kode_kecamatan],
                "kelurahan": d.nama,
                "jurisdiction": "",
                "polri": 0,
                "tni": 0,
                "linmas": LINMAS_PER_TPS * int(tps_per_desa[d.kode]),
                "coord_source": SYNTHETIC_BASE,
            }
        )
    # --- puskesmas -----------------------------------------------------------------
    by_code = desa.set_index("kode")
    for name, code in PUSKESMAS:
        row = by_code.loc[code]
        x, y = interior_point(row.geometry, rng)
        base_rows.append(
            {
                "base_id": f"PKM-{code.replace('.', '')}",
                "name": f"Puskesmas {name}",
                "kind": "puskesmas",
                "x": x,
                "y": y,
                "kecamatan": kec_name[row.kode_kecamatan],
                "kelurahan": row.nama,
                "jurisdiction": "",
                "polri": 0,
                "tni": 0,
                "linmas": 0,
                "coord_source": SYNTHETIC_BASE,
            }
        )
    write_bases(base_rows, out / "bases.csv", ("polri", "tni", "linmas"))

    # --- hospitals: real OSM points inside the 18 kecamatan ---------------------------
    hospitals = gpd.read_file(shared / "hospitals_osm_tangerang.geojson").to_crs(
        METRIC_CRS
    )
    area = shapely.union_all(desa.geometry.to_numpy())
    hospitals = hospitals[hospitals.within(area)].copy()
    # A point on a shared border belongs to the first kecamatan by code.
    hospitals["kecamatan"] = [
        next(
            kec_name[d.kode_kecamatan]
            for d in desa.itertuples()
            if d.geometry.covers(point)
        )
        for point in hospitals.geometry
    ]
    hospitals = hospitals.to_crs("EPSG:4326").sort_values("poi_id")
    features = [
        {
            "type": "Feature",
            "properties": {
                "poi_id": r.poi_id,
                "name": r.name,
                "osm_id": str(r.osm_id),
                "kecamatan": r.kecamatan,
                "needs_manual_verify": bool(r.needs_manual_verify),
            },
            "geometry": {
                "type": "Point",
                "coordinates": [round(r.geometry.x, 6), round(r.geometry.y, 6)],
            },
        }
        for r in hospitals.itertuples()
    ]
    (out / "hospitals.geojson").write_text(
        json.dumps(
            {"type": "FeatureCollection", "features": features},
            indent=1,
            ensure_ascii=False,
        )
        + "\n",
        encoding="utf-8",
    )

    # --- district boundary: the 157 kelurahan/desa polygons (real) ---------------------
    desa_out = desa.to_crs("EPSG:4326")[
        ["kode", "nama", "kode_kecamatan", "geometry"]
    ].copy()
    desa_out["kecamatan"] = desa_out["kode_kecamatan"].map(kec_name)
    (out / "kelurahan.geojson").unlink(missing_ok=True)
    desa_out.to_file(
        out / "kelurahan.geojson", driver="GeoJSON", COORDINATE_PRECISION=6
    )

    print(
        f"{len(tps)} TPS ({(tps.category == 'rawan').sum()} rawan, {(tps.category == 'khusus').sum()} khusus), "
        f"{len(base_rows)} bases, {len(features)} hospitals; police {police.sum() + POLRES_POOL}, TNI {tni.sum()}, "
        f"Linmas {sum(int(r['linmas']) for r in base_rows)}"
    )


def main() -> None:
    repo = Path(__file__).resolve().parents[1]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--shared", type=Path, default=repo.parent / "shared" / "data" / "tangerang"
    )
    parser.add_argument(
        "--out", type=Path, default=repo / "scenarios" / "tangerang-kota" / "data"
    )
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    build(args.shared, args.out)


if __name__ == "__main__":
    main()
