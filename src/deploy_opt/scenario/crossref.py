"""Cross-references between the tables: kecamatan, kelurahan and jurisdictions.

Each broken reference silently costs coverage (Linmas of a post in a misspelt
kelurahan stand idle; a Polsek whose jurisdiction names no real kecamatan
serves nobody), so each is an error with a "did you mean" suggestion.

The kelurahan of each kecamatan come from the district boundary when the
scenario names its ``kecamatan_field`` and ``kelurahan_field``; otherwise from
the TPS table itself, where the same kelurahan name under two kecamatan is
legitimate (Tangerang has two kelurahan Gaga) unless one of them has only a
stray TPS or two: that is reported as a warning.
"""

from __future__ import annotations

import difflib
from collections import Counter, defaultdict
from pathlib import Path

import pandas as pd

from deploy_opt.scenario.problems import RowProblems


def name_key(text: str) -> str:
    """Key for comparing place names: case- and whitespace-insensitive."""
    return " ".join(str(text).split()).casefold()


class Places:
    """Kecamatan and their kelurahan, by :func:`name_key`, with display names."""

    def __init__(self, pairs: list[tuple[str, str]], source: str) -> None:
        self.source = source
        self.kecamatan: dict[str, str] = {}
        self.kelurahan: dict[str, dict[str, str]] = defaultdict(dict)
        for kecamatan, kelurahan in pairs:
            kec = name_key(kecamatan)
            if not kec:
                continue
            self.kecamatan.setdefault(kec, kecamatan)
            if name_key(kelurahan):
                self.kelurahan[kec].setdefault(name_key(kelurahan), kelurahan)

    def kecamatan_of(self, kelurahan: str) -> list[str]:
        """Display names of every kecamatan that has a kelurahan of this name."""
        key = name_key(kelurahan)
        return [self.kecamatan[k] for k, kels in self.kelurahan.items() if key in kels]


def did_you_mean(name: str, candidates: dict[str, str]) -> str:
    """``; did you mean 'X'?`` for the closest of ``candidates`` (key -> display)."""
    close = difflib.get_close_matches(name_key(name), list(candidates), n=1, cutoff=0.6)
    return f"; did you mean {candidates[close[0]]!r}?" if close else ""


def _listing(names: dict[str, str], limit: int = 8) -> str:
    shown = sorted(names.values())[:limit]
    more = f" and {len(names) - limit} more" if len(names) > limit else ""
    return ", ".join(repr(n) for n in shown) + more


def check_stations(
    stations: pd.DataFrame,
    file: str,
    district: Places | None,
    rows: RowProblems,
) -> None:
    """Each TPS's kelurahan must lie in its kecamatan."""
    if district is not None:
        for kec, kel, line in zip(
            stations["kecamatan"], stations["kelurahan"], stations["_line"], strict=True
        ):
            if not kec or not kel:
                continue
            _check_pair(kec, kel, district, file, int(line), rows, "")
        return
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for kec, kel in zip(stations["kecamatan"], stations["kelurahan"], strict=True):
        if kec and kel:
            counts[name_key(kel)][name_key(kec)] += 1
    names = Places(
        list(zip(stations["kecamatan"], stations["kelurahan"], strict=True)), file
    )
    for kec, kel, line in zip(
        stations["kecamatan"], stations["kelurahan"], stations["_line"], strict=True
    ):
        under = counts.get(name_key(kel))
        if not under or len(under) < 2:
            continue
        (main, most), mine = under.most_common(1)[0], under[name_key(kec)]
        if main != name_key(kec) and mine <= 2 and most >= 3 * mine:
            rows.add(
                file,
                "kecamatan",
                f"kelurahan {kel!r} has {most} TPS in kecamatan "
                f"{names.kecamatan[main]!r} but {mine} in {kec!r}: is this "
                "kecamatan a typo? (Linmas are pooled per kelurahan of a kecamatan)",
                int(line),
                "warning",
            )


def _check_pair(
    kec: str,
    kel: str,
    places: Places,
    file: str,
    line: int,
    rows: RowProblems,
    what: str,
) -> None:
    kec_key, kel_key = name_key(kec), name_key(kel)
    if kec_key not in places.kecamatan:
        homes = places.kecamatan_of(kel)
        hint = (
            f"; kelurahan {kel!r} is in {homes[0]!r}"
            if len(homes) == 1
            else did_you_mean(kec, places.kecamatan)
        )
        rows.add(
            file,
            "kecamatan",
            f"{what}kecamatan {kec!r} is not in {places.source}{hint}",
            line,
        )
        return
    if kel_key in places.kelurahan[kec_key]:
        return
    homes = places.kecamatan_of(kel)
    if homes:
        rows.add(
            file,
            "kelurahan",
            f"{what}kelurahan {kel!r} is in kecamatan "
            f"{' and '.join(repr(h) for h in homes)} per {places.source}, not in {kec!r}",
            line,
        )
    else:
        rows.add(
            file,
            "kelurahan",
            f"{what}kecamatan {kec!r} has no kelurahan {kel!r} in {places.source}"
            f"{did_you_mean(kel, places.kelurahan[kec_key])}",
            line,
        )


def check_bases(
    bases: pd.DataFrame,
    stations: pd.DataFrame,
    stations_file: str,
    district: Places | None,
    rows: RowProblems,
) -> None:
    """Linmas posts must stand in a kelurahan with TPS; jurisdictions must exist."""
    tps = Places(
        list(zip(stations["kecamatan"], stations["kelurahan"], strict=True)),
        Path(stations_file).name,
    )
    known_kecamatan = dict(tps.kecamatan)
    if district is not None:
        for key, name in district.kecamatan.items():
            known_kecamatan.setdefault(key, name)
    for base_id, kec, kel, linmas, places, file, line in zip(
        bases["id"],
        bases["kecamatan"],
        bases["kelurahan"],
        bases["linmas"],
        bases["jurisdiction"],
        bases["_file"],
        bases["_line"],
        strict=True,
    ):
        if int(linmas) > 0:
            _check_linmas_post(
                (str(base_id), kec, kel),
                int(linmas),
                tps,
                district,
                str(file),
                int(line),
                rows,
            )
        for place in places:
            if name_key(place) not in known_kecamatan:
                hint = did_you_mean(place, known_kecamatan) or (
                    "; known: " + _listing(known_kecamatan)
                )
                also = "" if district is None else f" and not in {district.source}"
                rows.add(
                    str(file),
                    "jurisdiction",
                    f"base {base_id!r}: kecamatan {place!r} does not exist (no TPS "
                    f"in it{also}){hint}",
                    int(line),
                )


def _check_linmas_post(
    base: tuple[str, str, str],
    linmas: int,
    tps: Places,
    district: Places | None,
    file: str,
    line: int,
    rows: RowProblems,
) -> None:
    base_id, kec, kel = base
    if not kel:
        rows.add(
            file,
            "kelurahan",
            f"base {base_id!r} has {linmas} Linmas but no kelurahan; Linmas serve "
            "only the TPS of their own kelurahan",
            line,
        )
        return
    if not kec:
        homes = tps.kecamatan_of(kel)
        where = (
            f"it is in kecamatan {homes[0]!r} by the TPS table"
            if len(homes) == 1
            else f"TPS have kelurahan {kel!r} in kecamatan {', '.join(map(repr, homes))}"
            if homes
            else f"no TPS is in a kelurahan {kel!r}{did_you_mean(kel, _all_kelurahan(tps))}"
        )
        rows.add(
            file,
            "kecamatan",
            f"base {base_id!r} has {linmas} Linmas in kelurahan {kel!r} but no "
            f"kecamatan; {where}",
            line,
        )
        return
    if name_key(kec) in tps.kecamatan and name_key(kel) in tps.kelurahan[name_key(kec)]:
        return
    what = f"base {base_id!r} ({linmas} Linmas): "
    if district is None:
        _check_pair(kec, kel, tps, file, line, rows, what)
        return
    before = rows.count()
    _check_pair(kec, kel, district, file, line, rows, what)
    if rows.count() == before:
        rows.add(
            file,
            "kelurahan",
            f"{what}no TPS in kelurahan {kel!r} of kecamatan {kec!r}, so these "
            "Linmas would stand idle",
            line,
        )


def _all_kelurahan(places: Places) -> dict[str, str]:
    out: dict[str, str] = {}
    for kels in places.kelurahan.values():
        out.update(kels)
    return out


def district_places(
    polygons: pd.DataFrame,
    kecamatan_field: str | None,
    kelurahan_field: str | None,
    source: str,
) -> tuple[Places | None, list[tuple[str, str]]]:
    """Kecamatan/kelurahan from the boundary's attributes, or the missing fields."""
    if kecamatan_field is None or kelurahan_field is None:
        return None, []
    missing = [
        (key, field)
        for key, field in (
            ("kecamatan_field", kecamatan_field),
            ("kelurahan_field", kelurahan_field),
        )
        if field not in polygons.columns
    ]
    if missing:
        return None, missing
    pairs = [
        (" ".join(str(c).split()), " ".join(str(k).split()))
        for c, k in zip(
            polygons[kecamatan_field], polygons[kelurahan_field], strict=True
        )
        if c is not None and k is not None
    ]
    return Places(pairs, source), []
