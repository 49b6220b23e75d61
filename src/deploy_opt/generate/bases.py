"""Bases of one district and their headcounts in the published ratios.

One Polres HQ pool, one Polsek (jurisdiction: its kecamatan) and one Koramil
per kecamatan, one Linmas post per kelurahan (2 Linmas per TPS of the
kelurahan), puskesmas (at least one per kecamatan) and hospitals at populous
kelurahan. Ratios: :mod:`deploy_opt.generate.rules`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from deploy_opt.generate import rules
from deploy_opt.generate.apportion import largest_remainder, weighted_pick
from deploy_opt.generate.settlements import Layout

BASE_COLUMNS: tuple[str, ...] = (
    "base_id",
    "name",
    "kind",
    "lon",
    "lat",
    "kecamatan",
    "kelurahan",
    "jurisdiction",
    "polri",
    "tni",
    "linmas",
    "medis",
)


def headcounts(stations: int) -> dict[str, int]:
    """District totals per agency for ``stations`` TPS."""
    return {
        "polri": round(stations * rules.POLRI_PER_TPS),
        "tni": round(stations * rules.TNI_PER_TPS),
        "linmas": rules.LINMAS_PER_TPS * stations,
        "medis": round(stations * rules.MEDIS_PER_TPS),
    }


# Built in metres (x, y); :mod:`deploy_opt.generate.district` adds lon/lat.
_BUILT = tuple({"lon": "x", "lat": "y"}.get(c, c) for c in BASE_COLUMNS)


def _frame(n: int, **columns: object) -> pd.DataFrame:
    data = {name: columns.get(name, 0) for name in _BUILT}
    for name in ("kecamatan", "kelurahan", "jurisdiction"):
        if name not in columns:
            data[name] = ""
    return pd.DataFrame(data, index=pd.RangeIndex(n))


def _ranked_within(groups: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Rank (0 = highest key) of each item inside its group."""
    order = np.lexsort((-keys, groups))
    sizes = np.bincount(groups)
    starts = np.cumsum(sizes) - sizes
    rank = np.empty(len(groups), dtype=np.int64)
    rank[order] = np.arange(len(groups)) - starts[groups[order]]
    return rank


def build_bases(
    layout: Layout,
    polres_name: str,
    code: str,
    urban: float,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """All bases of the district, in metres, ordered by kind as written.

    ``urban`` in [0, 1] sets the facility ratios between the rural and urban
    published values.
    """
    kec_tps = np.bincount(layout.kel_kec[layout.tps_kel], minlength=len(layout.kec_x))
    kel_tps = np.bincount(layout.tps_kel, minlength=len(layout.kel_x))
    n_tps = len(layout.tps_kel)
    totals = headcounts(n_tps)
    kec_names = layout.kec_names
    kec_codes = np.char.add(
        code, np.char.zfill(np.arange(1, len(kec_tps) + 1).astype(str), 3)
    )
    n_kec = len(kec_tps)
    frames = []

    pool = round(totals["polri"] * rules.POLRES_POOL_SHARE)
    hq = int(np.argmax(kec_tps))
    frames.append(
        _frame(
            1,
            base_id=f"POLRES-{code}",
            name=f"{polres_name} (HQ pool)",
            kind="polres",
            x=layout.kec_x[hq] + rng.normal(0, 300),
            y=layout.kec_y[hq] + rng.normal(0, 300),
            kecamatan=kec_names[hq],
            polri=pool,
        )
    )
    police = largest_remainder(totals["polri"] - pool, kec_tps.astype(float))
    tni = largest_remainder(totals["tni"], kec_tps.astype(float))
    for prefix, kind, agency, heads in (
        ("POLSEK", "polsek", "polri", police),
        ("KORAMIL", "koramil", "tni", tni),
    ):
        offset = rng.normal(0, 400, (n_kec, 2))
        frames.append(
            _frame(
                n_kec,
                base_id=np.char.add(f"{prefix}-", kec_codes),
                name=np.char.add(f"{kind.capitalize()} ", kec_names.astype(str)),
                kind=kind,
                x=layout.kec_x + offset[:, 0],
                y=layout.kec_y + offset[:, 1],
                kecamatan=kec_names,
                jurisdiction=kec_names if kind == "polsek" else "",
                **{agency: heads},
            )
        )

    # Linmas posts at the kelurahan offices
    kel_codes = np.char.add(
        kec_codes[layout.kel_kec], _kelurahan_numbers(layout.kel_kec).astype(str)
    )
    frames.append(
        _frame(
            len(kel_tps),
            base_id=np.char.add("LINMAS-", kel_codes),
            name=np.char.add("Linmas Kel. ", layout.kel_names.astype(str)),
            kind="kelurahan",
            x=layout.kel_x,
            y=layout.kel_y,
            kecamatan=kec_names[layout.kel_kec],
            kelurahan=layout.kel_names,
            linmas=rules.LINMAS_PER_TPS * kel_tps,
        )
    )

    # puskesmas: per kecamatan, at its most populous kelurahan (random order by size)
    wanted = np.maximum(
        1, np.rint(kec_tps / rules.between(rules.TPS_PER_PUSKESMAS, urban))
    ).astype(np.int64)
    keys = np.log(kel_tps) + rng.gumbel(size=len(kel_tps))
    chosen = np.flatnonzero(
        _ranked_within(layout.kel_kec, keys) < wanted[layout.kel_kec]
    )
    n_hospital = max(1, round(n_tps / rules.between(rules.TPS_PER_HOSPITAL, urban)))
    hospital = weighted_pick(
        kel_tps.astype(float) ** 2, min(n_hospital, len(kel_tps)), rng
    )
    medis = _in_teams(totals["medis"], len(chosen) + len(hospital))
    for prefix, kind, label, kels, heads in (
        ("PKM", "puskesmas", "Puskesmas", chosen, medis[: len(chosen)]),
        ("RS", "hospital", "RSUD", hospital, medis[len(chosen) :]),
    ):
        offset = rng.normal(0, 250, (len(kels), 2))
        frames.append(
            _frame(
                len(kels),
                base_id=np.char.add(f"{prefix}-", kel_codes[kels]),
                name=np.char.add(f"{label} ", layout.kel_names[kels].astype(str)),
                kind=kind,
                x=layout.kel_x[kels] + offset[:, 0],
                y=layout.kel_y[kels] + offset[:, 1],
                kecamatan=kec_names[layout.kel_kec[kels]],
                kelurahan=layout.kel_names[kels],
                medis=heads,
            )
        )
    return pd.concat(frames, ignore_index=True)


def _in_teams(total: int, sites: int) -> np.ndarray:
    """Split ``total`` medical staff over ``sites`` in whole teams, the rest to the first."""
    size = rules.MEDICAL_TEAM_SIZE
    heads = size * largest_remainder(total // size, np.ones(sites))
    heads[0] += total % size
    return heads


def _kelurahan_numbers(kel_kec: np.ndarray) -> np.ndarray:
    """Kelurahan code inside its kecamatan: 1001, 1002, ..."""
    sizes = np.bincount(kel_kec)
    return 1001 + np.arange(len(kel_kec)) - np.repeat(np.cumsum(sizes) - sizes, sizes)


def station_ids(layout: Layout, code: str) -> np.ndarray:
    """TPS ids like ``31730011004-007``: district, kecamatan, kelurahan, number."""
    kec = layout.kel_kec[layout.tps_kel] + 1
    kel = _kelurahan_numbers(layout.kel_kec)[layout.tps_kel]
    return np.array(
        [
            f"{code}{k:03d}{v:04d}-{n:03d}"
            for k, v, n in zip(
                kec.tolist(), kel.tolist(), layout.tps_number.tolist(), strict=True
            )
        ],
        dtype=object,
    )
