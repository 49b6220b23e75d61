"""TPS kinds (prison, hospital, ...) turned into per-station rules.

The scenario's ``kinds`` maps a kind to a forced category, the police that may
serve its TPS and its medical link (see ``docs/scenario.md``). Here those rules
become arrays over stations and bases for the solvers and the checker; names
were checked on loading (:mod:`deploy_opt.scenario.kinds`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt

from deploy_opt.scenario.crossref import name_key
from deploy_opt.scenario.schema import KindSpec

IntArray = npt.NDArray[np.int64]

#: ``medical_site`` of a TPS linked to its nearest facility of any kind.
NEAREST = -1
#: ``medical_site`` of a TPS linked to its nearest base of kind hospital.
NEAREST_HOSPITAL = -2


def rule_of(kinds: Mapping[str, KindSpec], kind: str) -> tuple[str, KindSpec] | None:
    """The ``kinds`` entry (name, rule) for a TPS of ``kind``, or None."""
    key = name_key(kind)
    if not key:
        return None
    for name, rule in kinds.items():
        if name_key(name) == key:
            return name, rule
    return None


def forced_categories(
    kinds: Mapping[str, KindSpec], station_kind: Sequence[str], given: Sequence[str]
) -> list[str]:
    """Each TPS's category: its kind's ``category`` where set, else ``given``."""
    out = []
    for kind, category in zip(station_kind, given, strict=True):
        found = rule_of(kinds, kind)
        out.append(
            found[1].category
            if found is not None and found[1].category is not None
            else category
        )
    return out


def police_bases(
    kinds: Mapping[str, KindSpec],
    station_kind: Sequence[str],
    station_kecamatan: IntArray,
    base_ids: Sequence[str],
    base_kinds: Sequence[str],
    jurisdiction: npt.NDArray[np.bool_],
) -> dict[int, IntArray]:
    """The only bases whose police may serve each restricted TPS.

    ``own_polsek``: the bases of kind polsek whose jurisdiction holds the
    TPS's kecamatan (never a neighbour's, whatever ``solver.jurisdiction``);
    a base id: that base. TPS of other kinds are not in the result.
    """
    polsek = np.array([k == "polsek" for k in base_kinds], dtype=bool)
    index = {b: i for i, b in enumerate(base_ids)}
    out: dict[int, IntArray] = {}
    for i, kind in enumerate(station_kind):
        found = rule_of(kinds, kind)
        if found is None or found[1].police == "any":
            continue
        police = found[1].police
        if police == "own_polsek":
            allowed = np.flatnonzero(polsek & jurisdiction[:, station_kecamatan[i]])
        else:
            allowed = np.array([index[police]])
        out[i] = allowed.astype(np.int64)
    return out


def medical_sites(
    kinds: Mapping[str, KindSpec],
    station_kind: Sequence[str],
    station_host: Sequence[str],
    base_ids: Sequence[str],
) -> IntArray:
    """Per TPS: :data:`NEAREST`, :data:`NEAREST_HOSPITAL` or the base it is linked to.

    ``own_hospital`` takes the TPS's ``host`` when given, else the nearest
    hospital; a base id in ``medical`` takes that base.
    """
    index = {b: i for i, b in enumerate(base_ids)}
    out = np.full(len(station_kind), NEAREST, dtype=np.int64)
    for i, (kind, host) in enumerate(zip(station_kind, station_host, strict=True)):
        found = rule_of(kinds, kind)
        if found is None or found[1].medical == "nearest":
            continue
        medical = found[1].medical
        if medical == "own_hospital":
            out[i] = index[host] if host else NEAREST_HOSPITAL
        else:
            out[i] = index[medical]
    return out


def group_police_only(
    station_police_bases: Mapping[int, IntArray],
    station_group: IntArray,
    n_bases: int,
) -> dict[int, npt.NDArray[np.bool_]]:
    """Groups holding a police-restricted TPS -> mask of the bases allowed for all."""
    only: dict[int, npt.NDArray[np.bool_]] = {}
    for station, bases in station_police_bases.items():
        g = int(station_group[station])
        mask = np.zeros(n_bases, dtype=bool)
        mask[bases] = True
        only[g] = only[g] & mask if g in only else mask
    return only
