"""Group ids stay unique and readable whatever script the kecamatan names use."""

from __future__ import annotations

import re

import pytest

from deploy_opt import build_problem, build_travel_model, load_scenario
from deploy_opt.solvers.grouping import form_groups
from deploy_opt.solvers.plan import group_labels

#: Two kecamatan in Javanese script (Ciledug, Tangerang): no ASCII at all.
JAVANESE = ("ꦕꦶꦭꦺꦝꦸꦒ꧀", "ꦠꦁꦒꦼꦫꦁ")


def labels_for(make_scenario, kecamatan: tuple[str, ...]) -> tuple[dict, tuple]:
    """Two TPS 7 km (700 s) apart per kecamatan: two groups each; their labels."""
    stations = [
        {"id": f"T{k}{i}", "x": 20_000 * k + 7000 * i, "y": 0, "kecamatan": name}
        for k, name in enumerate(kecamatan)
        for i in range(2)
    ]
    bases = [{"id": "PS", "kind": "polsek", "x": 0, "y": 1000, "polri": 40}]
    bases += [
        {
            "id": f"KEL{k}",
            "kind": "kelurahan",
            "x": 20_000 * k,
            "y": 0,
            "kecamatan": name,
            "kelurahan": "Kel A",
            "linmas": 4,
        }
        for k, name in enumerate(kecamatan)
    ]
    scenario = load_scenario(make_scenario(stations, bases))
    data = build_problem(scenario, build_travel_model(scenario.spec.travel))
    grouping = form_groups(data)
    labels = group_labels(data, grouping)
    place = {
        data.kecamatan_names[k]: label.split("-")[1]
        for k, label in zip(grouping.group_kecamatan, labels, strict=True)
    }
    return place, labels


def test_javanese_names_get_distinct_places(make_scenario):
    place, labels = labels_for(make_scenario, JAVANESE)
    assert len(set(labels)) == len(labels) == 4
    assert {label.rsplit("-", 1)[1] for label in labels} == {"001", "002"}
    assert place[JAVANESE[0]] != place[JAVANESE[1]]
    assert all(p.startswith("kec") and p.isascii() for p in place.values())


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (("Cilédug", "Ciledug Baru"), [r"CILEDUG", r"CILEDUG_BARU"]),  # accents dropped
        (("Kec A", "Kec-A", "KEC_A!"), [r"KEC_A_kec\d"] * 3),  # shared ASCII form
        (("Tangerang", JAVANESE[0]), [r"TANGERANG", r"kec\d"]),
    ],
)
def test_ascii_form_readable_and_unique(make_scenario, names, expected):
    place, labels = labels_for(make_scenario, names)
    assert len(set(labels)) == len(labels) == 2 * len(names)
    assert len(set(place.values())) == len(names)
    for name, pattern in zip(names, expected, strict=True):
        assert re.fullmatch(pattern, place[name]), (name, place[name])
