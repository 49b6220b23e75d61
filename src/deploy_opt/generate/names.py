"""Synthetic, well-formed Indonesian place names (none is meant to be real).

Names are built from common toponym parts (``Suka`` + ``jaya`` = ``Sukajaya``,
``Tanjung`` + ``Sari`` = ``Tanjung Sari``) plus an optional direction
(``Sukajaya Utara``). :func:`unique_names` hands out names that differ within
each group (e.g. the kelurahan of one kecamatan), vectorised.
"""

from __future__ import annotations

import re

import numpy as np

# (prefix, joined to the root without a space)
_PREFIXES: tuple[tuple[str, bool], ...] = (
    ("Suka", True),
    ("Karang", True),
    ("Ci", True),
    ("Sido", True),
    ("Wono", True),
    ("Sumber", True),
    ("Mekar", True),
    ("Tegal", True),
    ("Banjar", True),
    ("Kali", True),
    ("Pondok", False),
    ("Tanjung", False),
    ("Pasir", False),
    ("Muara", False),
    ("Bojong", False),
    ("Rawa", False),
    ("Kebon", False),
    ("Batu", False),
    ("Lubuk", False),
    ("Padang", False),
    ("Sungai", False),
    ("Bukit", False),
    ("Pulau", False),
    ("Sri", False),
)
_ROOTS: tuple[str, ...] = (
    "jaya",
    "sari",
    "mulya",
    "makmur",
    "rejo",
    "asih",
    "baru",
    "indah",
    "harjo",
    "mukti",
    "agung",
    "raya",
    "wangi",
    "permai",
    "manis",
    "luhur",
    "kencana",
    "asri",
    "rahayu",
    "mas",
    "gede",
    "anom",
    "emas",
    "damai",
    "sentosa",
    "lestari",
    "bakti",
    "tani",
    "laut",
    "kembang",
)
_DIRECTIONS: tuple[str, ...] = (
    "",
    " Utara",
    " Selatan",
    " Timur",
    " Barat",
    " Tengah",
    " Hilir",
    " Hulu",
    " Lama",
)
# Steps coprime with the pool size, so that k consecutive steps give k names.
_STEPS = np.array([7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47], dtype=np.int64)


def _stems() -> np.ndarray:
    return np.array(
        [
            prefix + root if joined else f"{prefix} {root.capitalize()}"
            for prefix, joined in _PREFIXES
            for root in _ROOTS
        ],
        dtype=object,
    )


STEMS: np.ndarray = _stems()
"""Place names without direction (720)."""
POOL: np.ndarray = np.array(
    [stem + direction for stem in STEMS for direction in _DIRECTIONS], dtype=object
)
"""Place names with an optional direction (6,480), unique."""


def unique_names(
    group_sizes: np.ndarray, rng: np.random.Generator, pool: np.ndarray = POOL
) -> np.ndarray:
    """One name per item, distinct within each group of consecutive items.

    ``group_sizes[g]`` items belong to group ``g``. A group larger than the
    pool gets numbered names (``Sukajaya 2``) after the pool is used up.
    """
    group_sizes = np.asarray(group_sizes, dtype=np.int64)
    n_groups = len(group_sizes)
    start = rng.integers(0, len(pool), size=n_groups)
    step = _STEPS[rng.integers(0, len(_STEPS), size=n_groups)]
    rank = np.arange(group_sizes.sum()) - np.repeat(
        np.cumsum(group_sizes) - group_sizes, group_sizes
    )
    index = (np.repeat(start, group_sizes) + rank * np.repeat(step, group_sizes)) % len(
        pool
    )
    names = pool[index]
    lap = rank // len(pool)
    if lap.any():
        names = np.where(
            lap > 0,
            np.char.add(names.astype(str), np.char.add(" ", (lap + 1).astype(str))),
            names,
        ).astype(object)
    return names


def slug(text: str) -> str:
    """Lower-case ASCII folder name: ``Polres Metro Jakarta Barat`` -> ``polres-metro-jakarta-barat``."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
