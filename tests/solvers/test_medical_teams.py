"""Mobile medical teams: staffing, every team placed, set cover, capacities,
honest status and reproducible runs (tiny instances on a line, real solves)."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest

from deploy_opt.problem import CategoryRule, ProblemData
from deploy_opt.scenario.schema import MedicalTeamsSpec
from deploy_opt.solvers import medical_teams as mt
from deploy_opt.solvers.shortfalls import team_shortfalls
from deploy_opt.solvers.team_check import check_teams
from deploy_opt.travel.matrix import TravelMatrix

AGENCIES = ("polri", "tni", "linmas", "medis")


def line_data(
    tps_x: list[float],
    bases: list[tuple[float, str, int]],
    voters: list[int] | None = None,
    risky: list[int] | None = None,
    **spec: Any,
) -> ProblemData:
    """TPS and bases on a line; travel seconds = distance; bases are (x, kind, medis)."""
    n, m = len(tps_x), len(bases)
    seconds = np.rint(
        np.abs(np.array([b[0] for b in bases])[:, None] - np.array(tps_x)[None, :])
    ).astype(np.int64)
    travel = TravelMatrix.from_dense(seconds, None, "line")
    zeros = np.zeros(m, dtype=np.int64)
    return ProblemData(
        station_ids=tuple(f"T{i:02d}" for i in range(n)),
        station_category=np.asarray(risky or [0] * n, dtype=np.int64),
        station_kecamatan=np.zeros(n, dtype=np.int64),
        station_kelurahan=np.zeros(n, dtype=np.int64),
        station_kind=("",) * n,
        station_voters=np.asarray(voters or [0] * n, dtype=np.int64),
        kecamatan_names=("Kec",),
        kelurahan_names=("Kel",),
        kelurahan_kecamatan=np.zeros(1, dtype=np.int64),
        categories=(
            CategoryRule("biasa", 1, 2, 1, 0, 0, None),
            CategoryRule("rawan", 10, 2, 1, 0, 0, None),
        ),
        base_ids=tuple(f"B{j}" for j in range(m)),
        base_names=tuple(f"Puskesmas {j}" for j in range(m)),
        base_kinds=tuple(b[1] for b in bases),
        base_kelurahan=np.zeros(m, dtype=np.int64),
        headcount={
            **dict.fromkeys(AGENCIES[:3], zeros),
            "medis": np.array([b[2] for b in bases], dtype=np.int64),
        },
        jurisdiction=np.ones((m, 1), dtype=bool),
        travel=dict.fromkeys(AGENCIES, travel),
        travel_limit_s=dict.fromkeys(AGENCIES),
        station_pairs=TravelMatrix.from_dense(
            np.zeros((n, n), dtype=np.int64), None, "line"
        ),
        travel_model="line",
        input_hash="test",
        medical_teams=MedicalTeamsSpec(**spec),
    )


def site(data: ProblemData, **kwargs: Any) -> mt.TeamSiting:
    assert data.medical_teams is not None
    teams = mt.site_teams(data, data.medical_teams, seed=0, **kwargs)
    problems, ok = check_teams(data, teams)
    assert problems == []
    assert np.array_equal(ok, teams.within)
    return teams


def covered(data: ProblemData, sites: tuple[int, ...], radius: int) -> np.ndarray:
    seconds = data.travel["medis"].dense()
    if not sites:
        return np.zeros(data.n_stations, dtype=bool)
    return (seconds[list(sites)] <= radius).any(axis=0)


def random_line(rng: np.random.Generator, n: int, m: int, **spec: Any) -> ProblemData:
    tps = rng.uniform(0, 6000, n).round().tolist()
    medis = rng.integers(0, 7, m).tolist()
    bases = [
        (float(x), "puskesmas", int(h))
        for x, h in zip(rng.uniform(0, 6000, m).round(), medis, strict=True)
    ]
    return line_data(tps, bases, risky=rng.integers(0, 2, n).tolist(), **spec)


# greedy + swaps stop at 5 TPS with two teams; B3 + B4 reach 6 (radius 6 s)
TRAP_TPS = [11.0, 20.0, 25.0, 26.0, 15.0, 48.0, 14.0, 41.0]
TRAP_BASES = [(x, "puskesmas", 3) for x in (7.0, 18.0, 19.0, 26.0, 17.0)]


def test_greedy_alone_places_every_requested_team():
    # no time at all for the exact model: the greedy answer stands
    data = random_line(np.random.default_rng(1), 60, 15, teams=5, threshold_minutes=5)
    teams = site(data, time_limit_s=1e-6)
    assert teams.placed == teams.requested == 5
    assert teams.status in ("optimal", "feasible")
    if teams.status == "feasible":
        assert teams.cut_short and "greedy placement used" in teams.reason
    # every team stands at a base whose headcount staffs it
    per_base = np.bincount(teams.sites, minlength=data.n_bases)
    assert (per_base * 3 <= data.headcount["medis"]).all()


def test_exact_model_cut_short_keeps_every_team_and_says_feasible():
    data = line_data(TRAP_TPS, TRAP_BASES, teams=2, threshold_minutes=0.1)
    short = site(data, time_limit_s=1e-6)
    assert short.placed == 2
    assert short.status == "feasible" and short.cut_short
    assert "exact MCLP" in short.reason and "greedy placement used" in short.reason
    assert short.objective == 5.0
    assert short.bound is not None and short.bound >= 6.0 and short.gap > 0
    full = site(data, time_limit_s=30)
    assert full.status == "optimal" and not full.cut_short
    assert full.objective == 6.0 and full.gap == 0.0
    assert full.sites.tolist() == [3, 4]


@pytest.mark.parametrize("seed", [2, 3])
def test_mclp_optimum_matches_brute_force(seed):
    data = random_line(
        np.random.default_rng(seed),
        25,
        8,
        teams=3,
        threshold_minutes=6,
        staffing="unchecked",
    )
    teams = site(data, time_limit_s=30)
    w = np.array([1.0, 10.0])[data.station_category]
    best = max(
        w[covered(data, combo, 360)].sum()
        for combo in itertools.combinations(range(8), 3)
    )
    assert teams.status == "optimal"
    assert teams.objective == pytest.approx(best)
    assert w[teams.within].sum() == pytest.approx(best)


def test_headcount_caps_teams_and_unstaffed_candidates_host_none():
    bases = [(0.0, "puskesmas", 7), (1000.0, "puskesmas", 2), (2000.0, "hospital", 3)]
    tps = [10.0, 20.0, 990.0, 1010.0, 2005.0, 1990.0]
    data = line_data(tps, bases, teams=5, threshold_minutes=1)
    teams = site(data, time_limit_s=10)
    # 7 // 3 = 2 teams at B0, none at B1 (2 medis), 1 at B2: 3 of 5
    assert teams.sites.tolist() == [0, 0, 2]
    assert teams.placed == 3 and teams.staffable == 3 and teams.staffed_persons == 9
    assert "3 of 5 teams placed" in teams.reason and "staff only 3" in teams.reason
    # TPS near the unstaffed puskesmas: the reason names the staffing
    reasons = {s.station_ids[0]: s.reason for s in team_shortfalls(data, teams)}
    assert set(reasons) == {"T02", "T03"}
    assert "fewer than the 3 medis persons" in reasons["T02"]
    assert teams.cause[2] == mt.NO_STAFF
    # the two teams at B0 split its TPS
    assert sorted(teams.station_team_no[:2].tolist()) == [0, 1]


def test_no_staffed_candidate_places_nothing_and_says_why():
    data = line_data([0.0, 5.0], [(0.0, "puskesmas", 2)], teams=1, staffing="headcount")
    teams = site(data)
    assert teams.placed == 0 and teams.status == "infeasible"
    assert "medis persons a team needs" in teams.reason


@pytest.mark.parametrize("seed", [4, 5, 6])
def test_set_cover_gives_the_proven_minimum(seed):
    data = random_line(
        np.random.default_rng(seed), 18, 9, model="set_cover", threshold_minutes=8
    )
    teams = site(data, time_limit_s=30)
    staffed = [j for j in range(9) if data.headcount["medis"][j] >= 3]
    target = covered(data, tuple(staffed), 480)
    least = next(
        k
        for k in range(len(staffed) + 1)
        if any(
            (covered(data, combo, 480) >= target).all()
            for combo in itertools.combinations(staffed, k)
        )
    )
    assert teams.status == "optimal"
    assert teams.placed == least
    assert np.array_equal(teams.within, target)


def test_set_cover_with_too_few_teams_falls_back_to_mclp():
    cover = line_data(TRAP_TPS, TRAP_BASES, model="set_cover", threshold_minutes=0.1)
    assert site(cover, time_limit_s=30).sites.tolist() == [3, 4]
    data = line_data(
        TRAP_TPS, TRAP_BASES, model="set_cover", teams=1, threshold_minutes=0.1
    )
    teams = site(data, time_limit_s=30)
    assert teams.placed == 1 and teams.sites.tolist() == [4]  # reaches 4 TPS
    assert "set cover needs 2 teams, at most 1 allowed" in teams.reason
    reasons = {s.station_ids[0]: s.reason for s in team_shortfalls(data, teams)}
    # T02, T03 need the second team; T05, T07 are beyond every candidate
    assert sorted(reasons) == ["T02", "T03", "T05", "T07"]
    assert "teams too few: 1 of 1 requested placed" in reasons["T02"]
    assert reasons["T05"].startswith("no candidate team site within")


def test_team_capacity_in_tps_is_respected():
    # one base, two teams of at most 3 TPS; 7 TPS in reach: one is left, "full"
    tps = [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    data = line_data(tps, [(0.0, "puskesmas", 6)], teams=2, max_tps_per_team=3)
    teams = site(data, time_limit_s=10)
    assert teams.placed == 2 and int(teams.within.sum()) == 6
    loads = np.bincount(teams.station_team_no[teams.within], minlength=2)
    assert loads.tolist() == [3, 3]
    (short,) = team_shortfalls(data, teams)
    assert "full (at most 3 TPS per team)" in short.reason


def test_team_capacity_in_voters_is_respected():
    tps = [0.0, 10.0, 20.0, 30.0]
    voters = [200, 250, 300, 700]
    data = line_data(
        tps, [(0.0, "puskesmas", 3)], voters=voters, teams=1, max_voters_per_team=600
    )
    teams = site(data, time_limit_s=10)
    served = [voters[i] for i in np.flatnonzero(teams.within)]
    assert sum(served) <= 600 and sorted(served) == [250, 300]  # the most voters
    reasons = {s.station_ids[0]: s.reason for s in team_shortfalls(data, teams)}
    assert "700 voters exceed a team's capacity of 600" in reasons["T03"]
    assert teams.cause[3] == mt.TOO_LARGE


def test_capacitated_set_cover_counts_teams_for_the_load():
    tps = [float(x) for x in range(10)]
    data = line_data(
        tps, [(0.0, "puskesmas", 12)], model="set_cover", max_tps_per_team=3
    )
    teams = site(data, time_limit_s=10)
    assert teams.placed == 4 and teams.status == "optimal"
    assert bool(teams.within.all())


@pytest.mark.parametrize("model", ["p_median", "p_center"])
def test_median_and_center_place_every_team(model):
    data = random_line(np.random.default_rng(7), 30, 10, teams=4, model=model)
    teams = site(data, time_limit_s=1e-6)
    assert teams.placed == 4 and teams.status == "feasible" and teams.cut_short
    solved = site(data, time_limit_s=30)
    assert solved.status == "optimal" and solved.objective <= teams.objective


def test_reproducible_run_ignores_the_clock():
    data = random_line(np.random.default_rng(8), 40, 12, teams=3, threshold_minutes=5)
    quick = site(data, time_limit_s=1e-6, deterministic=True)
    slow = site(data, time_limit_s=60, deterministic=True)
    assert quick.sites.tolist() == slow.sites.tolist()
    assert (quick.status, quick.objective) == (slow.status, slow.objective)
    assert quick.status == "optimal"  # small enough to run to its end


def test_reproducible_run_too_large_for_the_exact_model_uses_the_greedy():
    rng = np.random.default_rng(9)
    data = random_line(
        rng, 700, 200, teams=6, threshold_minutes=3, staffing="unchecked"
    )
    first = site(data, time_limit_s=1e-6, deterministic=True)
    again = site(data, time_limit_s=60, deterministic=True)
    assert first.sites.tolist() == again.sites.tolist()
    assert first.placed == 6
    if first.status != "optimal":
        assert "reproducible run" in first.reason and first.cut_short
