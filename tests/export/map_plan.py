"""A tiny solved plan for the map outputs: two categories, a police shortfall,
two medical teams, and input text that must not reach a page or a sheet as code.
"""

from __future__ import annotations

from pathlib import Path

from deploy_opt.pipeline import RunOutcome, run
from scenario_builder import write_scenario

#: A base name that is a spreadsheet formula and breaks out of a <script>.
HOSTILE_NAME = '=HYPERLINK("x")</script><script>alert(1)</script>'

STATIONS = [
    {"id": "A", "x": 0, "y": 0, "category": "rawan"},
    {"id": "B<i>", "x": 300, "y": 0},
    {"id": "C", "x": 500, "y": 200},
    {"id": "D", "x": 6000, "y": 0},
    {"id": "E", "x": 6200, "y": 100},
]
BASES = [
    # 4 police for 3 groups of 2: one group goes short (bases stand apart
    # from the TPS so that the screenshot shows every TPS)
    {"id": "PS", "name": HOSTILE_NAME, "kind": "polsek", "x": 0, "y": 500, "polri": 4},
    {
        "id": "KEL",
        "kind": "kelurahan",
        "x": 300,
        "y": -500,
        "kecamatan": "Kec A",
        "kelurahan": "Kel A",
        "linmas": 10,
    },
    {"id": "PKM1", "kind": "puskesmas", "x": 200, "y": 400, "medis": 6},
    {"id": "PKM2", "kind": "puskesmas", "x": 6100, "y": 500, "medis": 3},
]
TEAMS = {"teams": 2, "threshold_minutes": 5, "team_size": 3}


def solved_plan(folder: Path) -> RunOutcome:
    """Write the tiny scenario into ``folder`` and solve it (no output folder)."""
    path = write_scenario(folder, STATIONS, BASES, extra={"medical_teams": TEAMS})
    return run(path, reproducible=True)
