"""Medical teams through the whole plan: checker, roster rows and summary.json."""

from __future__ import annotations

import json

from deploy_opt import (
    SolveParams,
    build_problem,
    build_travel_model,
    check_plan,
    load_scenario,
    solve_plan,
)
from deploy_opt.export.summary import build_summary, to_json_bytes
from deploy_opt.export.tables import roster_table

STATIONS = [
    {"id": "A", "x": 0, "y": 0},
    {"id": "B", "x": 200, "y": 0},
    {"id": "C", "x": 9000, "y": 0},
]
BASES = [
    {"id": "PS", "kind": "polsek", "x": 100, "y": 0, "polri": 10},
    {
        "id": "KEL",
        "kind": "kelurahan",
        "x": 0,
        "y": 0,
        "kecamatan": "Kec A",
        "kelurahan": "Kel A",
        "linmas": 10,
    },
    {"id": "PKM1", "kind": "puskesmas", "x": 100, "y": 100, "medis": 7},
    {"id": "PKM2", "kind": "puskesmas", "x": 9000, "y": 100, "medis": 2},
]


def plan(make_scenario, teams, **params):
    extra = {"medical_teams": teams}
    scenario = load_scenario(make_scenario(STATIONS, BASES, extra=extra))
    data = build_problem(scenario, build_travel_model(scenario.spec.travel))
    result = solve_plan(data, SolveParams(**params))
    report = check_plan(data, result)
    assert report.passed, report.violations
    return data, result, report


def test_teams_are_staffed_from_medis_and_on_the_roster(make_scenario):
    data, result, report = plan(
        make_scenario, {"teams": 3, "threshold_minutes": 2, "team_size": 3}
    )
    # PKM1 (7 medis) fields 2 teams of 3; PKM2 (2 medis) none
    assert [data.base_ids[b] for b in result.teams.sites] == ["PKM1", "PKM1"]
    roster = roster_table(data, result)
    medis = roster[roster["agency"] == "medis"]
    team_rows = medis[medis["group_id"] != ""]
    assert len(team_rows) == 6 and set(team_rows["unit_id"]) == {"PKM1"}
    assert set(team_rows["group_id"]) == {"PKM1/TEAM-01", "PKM1/TEAM-02"}
    served = {s for cell in team_rows["station_ids"] for s in cell.split(";") if s}
    assert served == {"A", "B"}
    # every medis person appears once: 7 at PKM1 (one in reserve), 2 at PKM2
    assert medis.groupby("unit_id").size().to_dict() == {"PKM1": 7, "PKM2": 2}
    assert (medis["person_id"].duplicated() == False).all()  # noqa: E712
    summary = build_summary(data, result, report, scenario_name="tiny")
    teams = json.loads(to_json_bytes(summary))["medical_teams"]
    assert teams["requested"] == 3 and teams["placed"] == 2
    assert teams["staffed_persons"] == 6 and teams["staffing"] == "headcount"
    assert "2 of 3 teams placed" in teams["reason"]
    assert teams["cut_short"] is False and teams["status"] == "optimal"
    (short,) = [s for s in result.shortfalls if s.agency == "medis_team"]
    assert short.station_ids == ("C",) and "fewer than the 3 medis" in short.reason


def test_reproducible_plan_with_a_tiny_limit_places_the_teams(make_scenario):
    spec = {"teams": 1, "threshold_minutes": 2, "model": "p_median"}
    _, quick, _ = plan(make_scenario, spec, time_limit_s=0.01, reproducible=True)
    _, slow, _ = plan(make_scenario, spec, time_limit_s=30, reproducible=True)
    assert quick.teams.sites.tolist() == slow.teams.sites.tolist()
    assert quick.teams.placed == 1 and quick.teams.status == slow.teams.status
