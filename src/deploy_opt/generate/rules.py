"""Published figures the generator scales by (sources in ``../shared/domain.md``).

Every constant names its section of the domain brief; values marked ESTIMATE
are assumptions of this generator, not published figures.
"""

from __future__ import annotations

import math
from typing import Any

# --- category mix: Polda Metro Jaya, 30 Jan 2024 (domain.md 2.3) ---------------
# 65,495 TPS: 63,854 kurang rawan, 1,548 rawan, 53 sangat rawan; the 40 TPS
# missing from that sum are taken as TPS khusus, as domain.md 2.3 suggests.
PMJ_TPS = 65_495
PMJ_MIX: dict[str, int] = {
    "kurang_rawan": 63_854,
    "rawan": 1_548,
    "sangat_rawan": 53,
    "khusus": 40,
}
CATEGORY_ORDER: tuple[str, ...] = ("khusus", "sangat_rawan", "rawan", "kurang_rawan")
"""Categories from the most to the least demanding (the order of the YAML)."""

# --- national scale (domain.md 5.1) ----------------------------------------------
NATIONAL_TPS = 820_161
# Largest provinces by TPS, Pemilu 2024 (bisnis.com, domain.md 5.1).
PUBLISHED_PROVINCES: tuple[tuple[str, int], ...] = (
    ("Jawa Barat", 140_457),
    ("Jawa Timur", 120_666),
    ("Jawa Tengah", 117_299),
    ("Banten", 33_324),
    ("DKI Jakarta", 30_766),
)
# IKP 2024 covers 34 provinces and 514 kabupaten/kota (domain.md 2.1).
PROVINCES = 34
KABKOTA = 514

# --- voters per TPS (domain.md 5.1) ----------------------------------------------
# DPT 204.81 million over 820,161 TPS: about 250 voters per TPS; cap 300 (KPU).
VOTERS_MEAN = 204_810_000 / NATIONAL_TPS
VOTERS_CAP = 300

# --- personnel per TPS -------------------------------------------------------------
# Polri: 195,819 at 820,161 TPS on voting day 2024 (domain.md 4.4 / 5.1).
POLRI_PER_TPS = 195_819 / NATIONAL_TPS
# Share kept at Polres HQ as a pool: ESTIMATE, as the Tangerang sample (120 of 1,212).
POLRES_POOL_SHARE = 0.1
# TNI: Polres Metro Tangerang Kota, Pemilu 2024, 978 TNI for 6,940 TPS (domain.md 5.4).
TNI_PER_TPS = 978 / 6_940
# Linmas: 2 per TPS (KPU norm, domain.md 5.2), drawn from the TPS's kelurahan.
LINMAS_PER_TPS = 2
# Medical staff: Kab. Tangerang, 292 health staff for 9,016 TPS (domain.md 3.2 / 5.4).
MEDIS_PER_TPS = 292 / 9_016
# Mobile medical teams: Kota Tangerang's 22 ambulances for 5,175 TPS (domain.md 5.4),
# each a doctor, a nurse and a driver (Kab. Tangerang: 90 + 110 + 92, domain.md 3.2);
# medical staff are posted in whole teams.
TPS_PER_MEDICAL_TEAM = 5_175 / 22
MEDICAL_TEAM_SIZE = 3

# --- facilities ---------------------------------------------------------------------
# (rural, urban): Kabupaten Tangerang 44 puskesmas and 2 RSUD for 9,016 TPS,
# Kota Tangerang 39 puskesmas and 27 hospitals for 5,175 TPS (domain.md 5.4);
# at least one puskesmas per kecamatan and one hospital per district.
TPS_PER_PUSKESMAS = (9_016 / 44, 5_175 / 39)
TPS_PER_HOSPITAL = (9_016 / 2, 5_175 / 27)

# --- settlement structure (ESTIMATE unless noted) ------------------------------------
# Urban: Polres Metro Tangerang Kota, 6,940 TPS in 18 kecamatan and 157
# kelurahan/desa (domain.md 5.4, scripts/make_tangerang_sample.py): ~386 TPS per
# kecamatan, ~44 per kelurahan. Rural: ESTIMATE ~110 per kecamatan, ~10 per desa
# (national averages over roughly 7,300 kecamatan and 84,000 desa, not in domain.md).
TPS_PER_KECAMATAN = (110.0, 386.0)  # (rural, urban)
TPS_PER_KELURAHAN = (10.0, 44.0)
# TPS per km2: rural 1.0 (ESTIMATE: sparse kabupaten off Java; the national
# average is lower still), urban Kota Tangerang 5,175 / 164.55 km2 (domain.md
# 5.4). Kab. Tangerang, 9,016 / 1,034.54 km2 = 8.7, sits at urban ~0.63.
TPS_PER_KM2 = (1.0, 5_175 / 164.55)
# TPS khusus share one site (a prison, hospital or boarding school): up to 7
# per site, as Rutan + Lapas Salemba (domain.md 3.3).
KHUSUS_PER_SITE = 7
KHUSUS_KINDS: tuple[str, ...] = ("prison", "hospital", "boarding_school")


def between(pair: tuple[float, float], urban: float) -> float:
    """Geometric interpolation from the rural (``urban=0``) to the urban value."""
    low, high = pair
    return math.exp(math.log(low) + urban * (math.log(high) - math.log(low)))


def categories_yaml() -> dict[str, Any]:
    """The staffing rules of every generated district (domain.md 1.4).

    Kurang rawan 2-12-24 (Polres Ponorogo 2024), rawan 2-2-4 and sangat rawan
    2-1-2 (Polda Lampung 2024), khusus 2 police per TPS (Polda Lampung);
    TNI as in the Tangerang sample.
    """
    return {
        "khusus": {
            "description": "TPS lokasi khusus (prison, hospital, boarding school); 2 police each (Polda Lampung 2024)",
            "weight": 1000,
            "police": 2,
            "tps": 1,
            "linmas": 2,
            "tni": 2,
        },
        "sangat_rawan": {
            "description": "very risky TPS, pattern 2-1-2 (Polda Lampung 2024)",
            "weight": 300,
            "pattern": "2-1-2",
            "pattern_order": "P-T-L",
            "tni": 2,
        },
        "rawan": {
            "description": "risky TPS, pattern 2-2-4 (Polda Lampung 2024)",
            "weight": 100,
            "pattern": "2-2-4",
            "pattern_order": "P-T-L",
            "tni": 2,
            "max_group_minutes": 10,
        },
        "kurang_rawan": {
            "description": "ordinary TPS, pattern 2-12-24 (Polres Ponorogo 2024)",
            "weight": 1,
            "pattern": "2-12-24",
            "pattern_order": "P-T-L",
            "tni": 1,
            "max_group_minutes": 15,
        },
    }
