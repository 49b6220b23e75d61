"""Risk categories of a district's TPS, in the published mix.

TPS khusus are the TPS at lokasi khusus sites. Sangat rawan and rawan TPS are
drawn among the others, remote TPS four times as likely: Ponorogo and Pagar
Alam rated remote TPS rawan or sangat rawan (``../shared/domain.md`` 2.3).
"""

from __future__ import annotations

import numpy as np

from deploy_opt.generate import rules
from deploy_opt.generate.apportion import largest_remainder, weighted_pick

REMOTE_WEIGHT = 4.0


def mix_for(stations: int, *, every_category_from: int = 50) -> dict[str, int]:
    """Category counts for ``stations`` TPS in the Polda Metro Jaya proportions.

    From ``every_category_from`` TPS on, each category gets at least one TPS
    (taken from kurang rawan) so that small districts exercise every rule.
    """
    names = list(rules.PMJ_MIX)
    counts = dict(
        zip(
            names,
            (
                int(c)
                for c in largest_remainder(
                    stations, np.array([rules.PMJ_MIX[n] for n in names], dtype=float)
                )
            ),
            strict=True,
        )
    )
    if stations >= every_category_from:
        for name in names:
            if name != "kurang_rawan" and counts[name] == 0:
                counts[name] = 1
                counts["kurang_rawan"] -= 1
    return counts


def assign_categories(
    kind: np.ndarray,
    remote: np.ndarray,
    counts: dict[str, int],
    rng: np.random.Generator,
) -> np.ndarray:
    """One category per TPS: ``khusus`` where ``kind`` is set, the rest drawn."""
    category = np.full(len(kind), "kurang_rawan", dtype=object)
    special = kind != ""
    if int(special.sum()) != counts.get("khusus", 0):
        msg = f"{int(special.sum())} TPS at lokasi khusus, expected {counts.get('khusus', 0)}"
        raise ValueError(msg)
    category[special] = "khusus"
    regular = np.flatnonzero(~special)
    weights = np.where(remote[regular], REMOTE_WEIGHT, 1.0)
    risky = counts.get("sangat_rawan", 0) + counts.get("rawan", 0)
    chosen = regular[weighted_pick(weights, risky, rng)]
    chosen = rng.permutation(chosen)
    category[chosen[: counts.get("sangat_rawan", 0)]] = "sangat_rawan"
    category[chosen[counts.get("sangat_rawan", 0) :]] = "rawan"
    return category
