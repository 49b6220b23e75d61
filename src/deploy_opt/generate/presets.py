"""District lists of the presets: one :class:`DistrictSpec` per Polres.

``polda-metro-jaya``: the 11 Polres-level districts of Polda Metro Jaya with
65,495 TPS (domain.md 2.3). Published TPS counts: Jakarta Barat 7,169 and
Jakarta Utara 4,802 (domain.md 1.4), Metro Tangerang Kota 6,940 (5.4), DKI in
total 30,766 (5.1); the other districts share the rest by population
(ESTIMATE, census 2020 rounded, not in domain.md).

``nasional``: 820,161 TPS (domain.md 5.1) in 34 provinces (one Polda each) and
514 kabupaten/kota (one Polres each, domain.md 2.1). The five largest provinces
have their published TPS; the other 29 and all names below province level are
synthetic.

Both split the published category mix over the districts in proportion to
their size; ``scale`` shrinks every count (for tests and quick benchmarks).
"""

from __future__ import annotations

import math

import numpy as np

from deploy_opt.generate import rules
from deploy_opt.generate.apportion import largest_remainder, split_with_bounds
from deploy_opt.generate.district import DistrictSpec
from deploy_opt.generate.names import STEMS, slug

MIN_DISTRICT_TPS = 10
MAX_DISTRICT_TPS = 20_000

PMJ = "Polda Metro Jaya"
# (code, Polres, kabupaten/kota, province, lat, lon, urban, published TPS or
# None, population in millions for the ESTIMATE split of the rest)
_PMJ_DISTRICTS: tuple[
    tuple[str, str, str, str, float, float, float, int | None, float], ...
] = (
    ("3171", "Polres Metro Jakarta Pusat", "Kota Jakarta Pusat", "DKI Jakarta", -6.18, 106.83, 1.0, None, 1.06),
    ("3172", "Polres Metro Jakarta Utara", "Kota Jakarta Utara", "DKI Jakarta", -6.13, 106.88, 1.0, 4_802, 0.0),
    ("3173", "Polres Metro Jakarta Barat", "Kota Jakarta Barat", "DKI Jakarta", -6.17, 106.75, 1.0, 7_169, 0.0),
    ("3174", "Polres Metro Jakarta Selatan", "Kota Jakarta Selatan", "DKI Jakarta", -6.27, 106.81, 1.0, None, 2.23),
    ("3175", "Polres Metro Jakarta Timur", "Kota Jakarta Timur", "DKI Jakarta", -6.23, 106.90, 1.0, None, 3.04),
    ("3101", "Polres Kepulauan Seribu", "Kabupaten Kepulauan Seribu", "DKI Jakarta", -5.75, 106.55, 0.0, None, 0.028),
    ("3671", "Polres Metro Tangerang Kota", "Kota Tangerang and 5 kecamatan of Kab. Tangerang", "Banten", -6.17, 106.64, 0.85, 6_940, 0.0),
    ("3674", "Polres Tangerang Selatan", "Kota Tangerang Selatan and 5 kecamatan of Kab. Tangerang", "Banten", -6.29, 106.71, 0.85, None, 2.25),
    ("3276", "Polres Metro Depok", "Kota Depok", "Jawa Barat", -6.40, 106.82, 0.85, None, 2.06),
    ("3275", "Polres Metro Bekasi Kota", "Kota Bekasi", "Jawa Barat", -6.24, 106.99, 0.9, None, 2.54),
    ("3216", "Polres Metro Bekasi", "Kabupaten Bekasi", "Jawa Barat", -6.25, 107.15, 0.6, None, 3.11),
)  # fmt: skip
DKI_TPS = 30_766

# nasional: real codes and approximate centres of the five published provinces,
# with their number of kabupaten/kota (ESTIMATE: not in domain.md)
_PUBLISHED_PROVINCE_INFO: dict[str, tuple[str, float, float, int]] = {
    "Jawa Barat": ("32", -6.9, 107.6, 27),
    "Jawa Timur": ("35", -7.5, 112.5, 38),
    "Jawa Tengah": ("33", -7.2, 110.2, 35),
    "Banten": ("36", -6.4, 106.1, 8),
    "DKI Jakarta": ("31", -6.2, 106.85, 6),
}
_OTHER_PROVINCE_CODES = (
    "11", "12", "13", "14", "15", "16", "17", "18", "19", "21", "51", "52", "53", "61",
    "62", "63", "64", "65", "71", "72", "73", "74", "75", "76", "81", "82", "91", "92", "94",
)  # fmt: skip
KOTA_SHARE = 98 / 514  # ESTIMATE: kota among the kabupaten/kota


def district_seed(seed: int, index: int) -> int:
    """The seed of the ``index``-th district of a region generated with ``seed``."""
    state = np.random.SeedSequence([seed, index]).generate_state(1)[0]
    return int(state) & 0x7FFF_FFFF


def scaled_total(total: int, scale: float, districts: int) -> int:
    """``total`` x ``scale``, at least :data:`MIN_DISTRICT_TPS` per district."""
    return max(round(total * scale), MIN_DISTRICT_TPS * districts)


def _category_split(sizes: np.ndarray) -> list[dict[str, int]]:
    """Split the PMJ mix, scaled to ``sizes.sum()``, over districts by size."""
    names = list(rules.PMJ_MIX)
    shares = np.array([rules.PMJ_MIX[n] for n in names], dtype=float)
    totals = dict(zip(names, largest_remainder(int(sizes.sum()), shares), strict=True))
    per = {
        name: largest_remainder(int(totals[name]), sizes.astype(float))
        for name in names
        if name != "kurang_rawan"
    }
    out = []
    for d, size in enumerate(sizes):
        counts = {name: int(per[name][d]) for name in per}
        counts["kurang_rawan"] = int(size) - sum(counts.values())
        out.append({name: counts[name] for name in names})
    return out


def polda_metro_jaya(seed: int, scale: float = 1.0) -> list[DistrictSpec]:
    """The Polda Metro Jaya districts."""
    table = _PMJ_DISTRICTS
    sizes = np.zeros(len(table), dtype=float)
    in_dki = np.array([row[3] == "DKI Jakarta" for row in table])
    for group, group_total in ((in_dki, DKI_TPS), (~in_dki, rules.PMJ_TPS - DKI_TPS)):
        published = np.array([row[7] is not None for row in table]) & group
        sizes[published] = [table[i][7] for i in np.flatnonzero(published)]
        rest = group & ~published
        population = np.array([table[i][8] for i in np.flatnonzero(rest)])
        sizes[rest] = largest_remainder(
            group_total - int(sizes[published].sum()), population
        )
    total = scaled_total(rules.PMJ_TPS, scale, len(table))
    sizes = split_with_bounds(total, sizes, low=MIN_DISTRICT_TPS)
    mixes = _category_split(sizes)
    return [
        DistrictSpec(
            name=name,
            code=code,
            folder=f"{code}-{slug(name)}",
            area=area,
            province=province,
            polda=PMJ,
            lat=lat,
            lon=lon,
            urban=urban,
            categories=mixes[i],
            seed=district_seed(seed, i),
            notes=(
                ()
                if published is None
                else (
                    f"Published TPS count of this Polres: {published:,} (domain.md).",
                )
            ),
        )
        for i, (code, name, area, province, lat, lon, urban, published, _) in enumerate(
            table
        )
    ]


def nasional(seed: int, scale: float = 1.0) -> list[DistrictSpec]:
    """One district per kabupaten/kota of a synthetic Indonesia."""
    rng = np.random.default_rng([seed, 0x6E6173])  # structure, apart from districts
    n_other = rules.PROVINCES - len(rules.PUBLISHED_PROVINCES)
    published_tps = sum(t for _, t in rules.PUBLISHED_PROVINCES)
    smallest = min(t for _, t in rules.PUBLISHED_PROVINCES)
    other_tps = split_with_bounds(
        rules.NATIONAL_TPS - published_tps,
        rng.lognormal(0, 0.7, n_other),
        low=2_000,
        high=smallest - 1,
    )
    other_names = STEMS[np.sort(rng.choice(len(STEMS), n_other, replace=False))]
    provinces: list[tuple[str, str, float, float, int, int]] = []
    for name, tps in rules.PUBLISHED_PROVINCES:
        code, lat, lon, kabkota = _PUBLISHED_PROVINCE_INFO[name]
        provinces.append((name, code, lat, lon, tps, kabkota))
    other_kabkota = split_with_bounds(
        rules.KABKOTA - sum(p[5] for p in provinces), other_tps.astype(float), low=3
    )
    for i in range(n_other):
        # a 6 x 5 grid over the archipelago (lon 96-139, lat -9..4), jittered
        lon = 96.0 + 7.2 * (i % 6) + rng.uniform(0, 3)
        lat = -9.0 + 2.8 * (i // 6) + rng.uniform(0, 1.5)
        provinces.append(
            (
                str(other_names[i]),
                _OTHER_PROVINCE_CODES[i],
                lat,
                lon,
                int(other_tps[i]),
                int(other_kabkota[i]),
            )
        )

    kab_names = STEMS[rng.permutation(len(STEMS))[: rules.KABKOTA]]
    rows = []  # (province, code, name, area, lat, lon, urban, size)
    used = 0
    for province, code, lat0, lon0, tps, kabkota in provinces:
        sizes = split_with_bounds(
            tps, rng.lognormal(0, 0.5, kabkota), low=100, high=MAX_DISTRICT_TPS
        )
        is_kota = (
            np.ones(kabkota, dtype=bool)
            if province == "DKI Jakarta"
            else rng.random(kabkota) < KOTA_SHARE
        )
        urban = np.where(
            is_kota, rng.uniform(0.75, 1.0, kabkota), rng.uniform(0.0, 0.55, kabkota)
        )
        area_km2 = sum(
            s / rules.between(rules.TPS_PER_KM2, u)
            for s, u in zip(sizes, urban, strict=True)
        )
        radius_deg = math.sqrt(area_km2) / 2 / 111.32
        n_kab = n_kota = 0
        for k in range(kabkota):
            r = radius_deg * math.sqrt(rng.random())
            angle = rng.uniform(0, 2 * math.pi)
            stem = str(kab_names[used])
            used += 1
            if is_kota[k]:
                n_kota += 1
                number, area, polres = 70 + n_kota, f"Kota {stem}", f"Polresta {stem}"
            else:
                n_kab += 1
                number, area, polres = n_kab, f"Kabupaten {stem}", f"Polres {stem}"
            rows.append(
                (
                    province,
                    f"{code}{number:02d}",
                    polres,
                    area,
                    lat0 + r * math.sin(angle),
                    lon0 + r * math.cos(angle),
                    float(urban[k]),
                    int(sizes[k]),
                )
            )

    sizes = np.array([row[7] for row in rows], dtype=float)
    total = scaled_total(rules.NATIONAL_TPS, scale, len(rows))
    sizes = split_with_bounds(total, sizes, low=MIN_DISTRICT_TPS)
    mixes = _category_split(sizes)
    return [
        DistrictSpec(
            name=polres,
            code=code,
            folder=f"{code}-{slug(polres)}",
            area=area,
            province=province,
            polda=f"Polda {province}" if province != "DKI Jakarta" else PMJ,
            lat=round(lat, 4),
            lon=round(lon, 4),
            urban=round(urban, 3),
            categories=mixes[i],
            seed=district_seed(seed, i),
        )
        for i, (province, code, polres, area, lat, lon, urban, _) in enumerate(rows)
    ]


PRESETS = {"polda-metro-jaya": polda_metro_jaya, "nasional": nasional}
"""Preset name -> function(seed, scale) returning the district list."""
