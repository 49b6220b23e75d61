"""Named personnel in the roster, and each slot's partners.

:func:`name_slots` puts the scenario's named persons (``Scenario.personnel``)
into the roster's slots: per unit and agency, the persons in table order fill
the slots in slot order. Slots are numbered group by group (a group's police
of one base are consecutive, deployed slots before reserve), so consecutive
persons of a table serve in the same group: list the two officers of a pair
one after the other. ``person_id`` becomes the person's id (NRP); the slot id
stays in ``slot_id``; ``name``, ``rank`` and ``phone`` are added (empty for a
slot without a named person, which keeps its number).

:func:`partner_column` lists, per slot, the other persons of its crew: the
police and TNI of the same group, the members of the same mobile medical
team, or the Linmas of the same TPS.
"""

from __future__ import annotations

import pandas as pd

from deploy_opt.export.cells import safe_text

__all__ = ["NAMED_COLUMNS", "PARTNER_SEPARATOR", "name_slots", "partner_column"]

#: Columns added to the roster when the scenario names its personnel.
NAMED_COLUMNS = ("slot_id", "name", "rank", "phone")
#: Between the person ids of ``partner`` (as ``station_ids`` separates TPS).
PARTNER_SEPARATOR = ";"


def name_slots(roster: pd.DataFrame, personnel: pd.DataFrame) -> pd.DataFrame:
    """``roster`` with named persons in their unit's slots (a new frame).

    Parameters
    ----------
    roster
        One row per slot, as :func:`~deploy_opt.export.tables.roster_table`
        builds it (slots of a unit and agency in slot order).
    personnel
        ``Scenario.personnel``: ``id, name, rank, unit, agency, phone`` in
        table order, checked on loading (ids unique, at most a unit's
        headcount per agency).

    Raises
    ------
    ValueError
        When a unit has more named persons of an agency than roster slots
        (the loader refuses this; a bug if it happens).
    """
    queues: dict[tuple[str, str], list[int]] = {}
    for p, (unit, agency) in enumerate(
        zip(personnel["unit"], personnel["agency"], strict=True)
    ):
        queues.setdefault((safe_text(str(unit)), str(agency)), []).append(p)
    person_ids = roster["person_id"].tolist()
    columns: dict[str, list[str]] = {c: [""] * len(roster) for c in NAMED_COLUMNS}
    columns["slot_id"] = list(person_ids)
    taken: dict[tuple[str, str], int] = {}
    for r, (unit, agency) in enumerate(
        zip(roster["unit_id"], roster["agency"], strict=True)
    ):
        key = (str(unit), str(agency))
        queue = queues.get(key, [])
        n = taken.get(key, 0)
        if n >= len(queue):
            continue
        taken[key] = n + 1
        p = queue[n]
        person_ids[r] = str(personnel["id"].iloc[p])
        for column in ("name", "rank", "phone"):
            columns[column][r] = str(personnel[column].iloc[p])
    left = {k: len(q) - taken.get(k, 0) for k, q in queues.items()}
    unplaced = {k: n for k, n in left.items() if n > 0}
    if unplaced:
        msg = f"more named persons than roster slots: {unplaced}"
        raise ValueError(msg)
    out = roster.copy()
    out["person_id"] = person_ids
    for column in NAMED_COLUMNS:
        out[column] = columns[column]
    return out


def partner_column(roster: pd.DataFrame) -> list[str]:
    """Per roster row, the ``person_id`` of the other persons of its crew.

    A crew is a group (its police and TNI), a mobile medical team, or the
    Linmas of one TPS; reserve slots have none. Ids in roster order,
    separated by :data:`PARTNER_SEPARATOR`.
    """
    from deploy_opt.export.tables import RESERVE_SHIFT  # (tables imports this module)

    crews: dict[tuple[str, str], list[int]] = {}
    for r, (agency, group_id, station_ids, shift) in enumerate(
        zip(
            roster["agency"],
            roster["group_id"],
            roster["station_ids"],
            roster["shift"],
            strict=True,
        )
    ):
        if shift == RESERVE_SHIFT:
            continue
        if agency == "linmas":
            crews.setdefault(("tps", str(station_ids)), []).append(r)
        elif group_id:
            kind = "team" if agency == "medis" else "group"
            crews.setdefault((kind, str(group_id)), []).append(r)
    ids = roster["person_id"].tolist()
    partners = [""] * len(roster)
    for rows in crews.values():
        for r in rows:
            partners[r] = PARTNER_SEPARATOR.join(ids[o] for o in rows if o != r)
    return partners
