"""Settlement-clustered TPS of one district, in metres around its centre.

The district is a square of ``stations / density`` km2 holding kecamatan on a
jittered grid. Each kecamatan has one to four settlement centres; its
kelurahan sit around them (normal spread) and their TPS around the kelurahan
centre (normal spread), except a rural share scattered at exponential
distances from the kecamatan centre (``remote``). TPS khusus share one site
(up to :data:`~deploy_opt.generate.rules.KHUSUS_PER_SITE` TPS, numbered 901 and
up) near a kelurahan centre. Everything is vectorised over the district.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from deploy_opt.generate import rules
from deploy_opt.generate.apportion import split_with_bounds, weighted_pick
from deploy_opt.generate.names import unique_names

MAX_REGULAR_PER_KELURAHAN = 900  # TPS 901+ are the lokasi khusus


@dataclass(frozen=True)
class Layout:
    """Kecamatan, kelurahan and TPS of one district (metres from its centre).

    Kecamatan arrays are indexed by kecamatan, kelurahan arrays by kelurahan
    (``kel_kec`` is its kecamatan), TPS arrays by TPS, ordered by kelurahan and
    number, i.e. by their id.
    """

    kec_names: np.ndarray
    kec_x: np.ndarray
    kec_y: np.ndarray
    kel_kec: np.ndarray
    kel_names: np.ndarray
    kel_x: np.ndarray
    kel_y: np.ndarray
    tps_kel: np.ndarray
    tps_number: np.ndarray
    tps_x: np.ndarray
    tps_y: np.ndarray
    tps_remote: np.ndarray
    tps_kind: np.ndarray
    tps_voters: np.ndarray


def _segment_ids(sizes: np.ndarray) -> np.ndarray:
    return np.repeat(np.arange(len(sizes)), sizes)


def place_stations(
    n_regular: int, n_khusus: int, urban: float, rng: np.random.Generator
) -> Layout:
    """Lay out ``n_regular`` ordinary TPS and ``n_khusus`` TPS khusus.

    ``urban`` in [0, 1] moves density and TPS per kecamatan/kelurahan from the
    rural to the urban values of :mod:`deploy_opt.generate.rules`.
    """
    n_total = n_regular + n_khusus
    density = rules.between(rules.TPS_PER_KM2, urban)  # TPS per km2
    side = math.sqrt(n_total / density) * 1000.0  # metres
    per_kec = rules.between(rules.TPS_PER_KECAMATAN, urban)
    per_kel = rules.between(rules.TPS_PER_KELURAHAN, urban)
    n_kec = max(1, round(n_regular / per_kec), math.ceil(math.sqrt(n_regular) / 6))
    n_kec = min(n_kec, n_regular)

    # kecamatan: TPS counts, and centres on a jittered grid over the square
    kec_tps = split_with_bounds(n_regular, rng.lognormal(0, 0.35, n_kec), low=1)
    grid = math.ceil(math.sqrt(n_kec))
    cell = side / grid
    cells = rng.permutation(grid * grid)[:n_kec]
    kec_x = ((cells % grid) + 0.5 + rng.uniform(-0.3, 0.3, n_kec)) * cell - side / 2
    kec_y = ((cells // grid) + 0.5 + rng.uniform(-0.3, 0.3, n_kec)) * cell - side / 2
    kec_radius = cell / math.sqrt(math.pi)

    # settlements: 1-4 per kecamatan, the first at the kecamatan centre
    n_set = rng.integers(1, 5, n_kec)
    set_kec = _segment_ids(n_set)
    first = np.cumsum(n_set) - n_set
    spread = rng.normal(0, 0.45 * kec_radius, (len(set_kec), 2))
    spread[first] = 0.0
    set_x, set_y = kec_x[set_kec] + spread[:, 0], kec_y[set_kec] + spread[:, 1]

    # kelurahan: counts per kecamatan, TPS per kelurahan, centres near a settlement
    n_kel = np.maximum(1, np.rint(kec_tps / per_kel).astype(np.int64))
    n_kel = np.maximum(
        np.minimum(n_kel, kec_tps), -(-kec_tps // MAX_REGULAR_PER_KELURAHAN)
    )
    kel_kec = _segment_ids(n_kel)
    kel_tps = np.concatenate(
        [
            split_with_bounds(int(t), w, low=1, high=MAX_REGULAR_PER_KELURAHAN)
            for t, w in zip(
                kec_tps,
                np.split(
                    rng.lognormal(0, 0.4, int(n_kel.sum())), np.cumsum(n_kel)[:-1]
                ),
                strict=True,
            )
        ]
    )
    # each kelurahan joins one settlement of its kecamatan (main one twice as likely)
    pick = rng.random(len(kel_kec)) * (n_set[kel_kec] + 1)
    kel_set = first[kel_kec] + np.maximum(0, np.floor(pick).astype(np.int64) - 1)
    kel_radius = np.sqrt(cell * cell / n_kel[kel_kec] / math.pi)
    sigma = (0.55 - 0.25 * urban) * kec_radius
    kel_x = set_x[kel_set] + rng.normal(0, sigma, len(kel_kec))
    kel_y = set_y[kel_set] + rng.normal(0, sigma, len(kel_kec))

    # regular TPS: around their kelurahan centre, a rural share scattered
    tps_kel = _segment_ids(kel_tps)
    tps_number = np.arange(n_regular) - np.repeat(np.cumsum(kel_tps) - kel_tps, kel_tps)
    tps_number += 1
    remote = rng.random(n_regular) < 0.05 + 0.3 * (1 - urban)
    near = rng.normal(0, 0.5, (n_regular, 2)) * kel_radius[tps_kel, None]
    distance = rng.exponential(0.6 * kec_radius, n_regular)
    angle = rng.uniform(0, 2 * math.pi, n_regular)
    tps_kec = kel_kec[tps_kel]
    far_x = kec_x[tps_kec] + distance * np.cos(angle)
    far_y = kec_y[tps_kec] + distance * np.sin(angle)
    tps_x = np.where(remote, far_x, kel_x[tps_kel] + near[:, 0])
    tps_y = np.where(remote, far_y, kel_y[tps_kel] + near[:, 1])
    voters = np.where(
        remote, rng.normal(200, 50, n_regular), rng.normal(258, 30, n_regular)
    )
    kind = np.full(n_regular, "", dtype=object)

    # TPS khusus: sites of up to 7 TPS near the centre of a populous kelurahan
    if n_khusus:
        n_sites = min(-(-n_khusus // rules.KHUSUS_PER_SITE), len(kel_kec))
        site_tps = split_with_bounds(n_khusus, np.ones(n_sites), low=1)
        site_kel = rng.permutation(weighted_pick(kel_tps, n_sites, rng))
        site_x = kel_x[site_kel] + rng.normal(0, 300, n_sites)
        site_y = kel_y[site_kel] + rng.normal(0, 300, n_sites)
        site_kind = np.array(rules.KHUSUS_KINDS, dtype=object)[
            rng.integers(0, len(rules.KHUSUS_KINDS), n_sites)
        ]
        k_site = _segment_ids(site_tps)
        k_kel = site_kel[k_site]
        # number 901, 902, ... within each kelurahan (a kelurahan holds one site)
        k_number = (
            901
            + np.arange(n_khusus)
            - np.repeat(np.cumsum(site_tps) - site_tps, site_tps)
        )
        tps_kel = np.concatenate([tps_kel, k_kel])
        tps_number = np.concatenate([tps_number, k_number])
        tps_x = np.concatenate([tps_x, site_x[k_site]])
        tps_y = np.concatenate([tps_y, site_y[k_site]])
        remote = np.concatenate([remote, np.zeros(n_khusus, dtype=bool)])
        voters = np.concatenate([voters, rng.normal(250, 40, n_khusus)])
        kind = np.concatenate([kind, site_kind[k_site]])

    order = np.lexsort((tps_number, tps_kel))
    kec_names = unique_names(np.array([n_kec]), rng)
    kel_names = unique_names(np.array([len(kel_kec)]), rng)  # unique in the district
    return Layout(
        kec_names=kec_names,
        kec_x=kec_x,
        kec_y=kec_y,
        kel_kec=kel_kec,
        kel_names=kel_names,
        kel_x=kel_x,
        kel_y=kel_y,
        tps_kel=tps_kel[order],
        tps_number=tps_number[order],
        tps_x=tps_x[order],
        tps_y=tps_y[order],
        tps_remote=remote[order],
        tps_kind=kind[order],
        tps_voters=np.clip(np.rint(voters[order]), 50, rules.VOTERS_CAP).astype(
            np.int64
        ),
    )
