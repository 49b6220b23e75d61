"""Words of the planners' outputs in Indonesian (``id``) and English (``en``).

:func:`label` gives a header or caption; :func:`translate_reason` turns the
solver's English shortfall reasons into Indonesian where it knows the
sentence, and keeps any other reason in English (so nothing is lost).
"""

from __future__ import annotations

import re

#: key -> (Indonesian, English)
LABELS: dict[str, tuple[str, str]] = {
    # sheets
    "sheet_summary": ("Ringkasan", "Summary"),
    "sheet_linmas": ("Linmas", "Linmas"),
    # unit sheet columns
    "no": ("No", "No"),
    "linmas_post": ("Pos Linmas", "Linmas post"),
    "person": ("Personel", "Person"),
    "name": ("Nama", "Name"),
    "rank": ("Pangkat", "Rank"),
    "phone": ("No. HP", "Phone"),
    "agency": ("Instansi", "Agency"),
    "group": ("Kelompok", "Group"),
    "rule": ("Pola", "Rule"),
    "tps_number": ("No. TPS", "TPS no."),
    "tps_id": ("ID TPS", "TPS id"),
    "kelurahan": ("Kelurahan/Desa", "Kelurahan"),
    "kecamatan": ("Kecamatan", "Kecamatan"),
    "address": ("Alamat", "Address"),
    "lon": ("Bujur", "Longitude"),
    "lat": ("Lintang", "Latitude"),
    "partners": ("Rekan", "Partners"),
    "travel": ("Waktu tempuh (menit)", "Travel (min)"),
    # row values
    "reserve": ("Cadangan", "Reserve"),
    "referral": ("Faskes rujukan", "Referral facility"),
    # summary sheet
    "scenario": ("Skenario", "Scenario"),
    "status": ("Status", "Status"),
    "not_proven": ("Belum terbukti", "Not proven"),
    "coverage": ("Cakupan (berbobot risiko)", "Coverage (risk-weighted)"),
    "coverage_bound": (
        "Batas atas cakupan (semua pengelompokan)",
        "Upper bound of coverage (any grouping)",
    ),
    "gap": ("Gap", "Gap"),
    "stations": ("TPS", "TPS"),
    "groups": ("Kelompok", "Groups"),
    "groups_bound": ("Batas bawah kelompok", "Lower bound of groups"),
    "seed": ("Seed", "Seed"),
    "travel_model": ("Model waktu tempuh", "Travel model"),
    "input_hash": ("Hash masukan", "Input hash"),
    "checker": ("Pemeriksa independen", "Independent checker"),
    "passed": ("lulus", "passed"),
    "failed": ("GAGAL", "FAILED"),
    "version": ("Versi deploy_opt", "deploy_opt version"),
    "coverage_by_category": ("Cakupan per kategori", "Coverage per category"),
    "category": ("Kategori", "Category"),
    "rules_used": ("Pola yang dipakai", "Rules used"),
    "covered": ("Terpenuhi", "Covered"),
    "share": ("Persentase", "Share"),
    "police_met": ("Polri cukup", "Police met"),
    "tni_met": ("TNI cukup", "TNI met"),
    "linmas_met": ("Linmas cukup", "Linmas met"),
    "medical_within": ("Faskes dalam batas", "Medical within limit"),
    "personnel": ("Personel per instansi", "Personnel per agency"),
    "available": ("Tersedia", "Available"),
    "assigned": ("Ditugaskan", "Assigned"),
    "needed": ("Dibutuhkan pola", "Needed by the rules"),
    "published": ("Angka publikasi", "Published figure"),
    "medical": ("Layanan kesehatan", "Medical cover"),
    "medical_limit": ("Batas waktu ke faskes (menit)", "Limit to a facility (min)"),
    "medical_within_n": ("TPS dalam batas", "TPS within the limit"),
    "median_minutes": ("Median (menit)", "Median (min)"),
    "max_minutes": ("Maksimum (menit)", "Maximum (min)"),
    "teams": ("Tim medis keliling", "Mobile medical teams"),
    "shortfalls": ("Kekurangan", "Shortfalls"),
    "no_shortfalls": ("Tidak ada kekurangan", "No shortfalls"),
    "tps_count": ("Jumlah TPS", "Number of TPS"),
    "reason": ("Alasan", "Reason"),
    "units": ("Daftar unit", "Units"),
    "sheet": ("Lembar", "Sheet"),
    "unit": ("Unit", "Unit"),
    "kind": ("Jenis", "Kind"),
    "persons": ("Personel", "Persons"),
    "page": ("Halaman &P dari &N", "Page &P of &N"),
}

AGENCIES: dict[str, tuple[str, str]] = {
    "polri": ("Polri", "Police"),
    "tni": ("TNI", "TNI"),
    "linmas": ("Linmas", "Linmas"),
    "medis": ("Medis", "Medical"),
    "medis_team": ("Tim medis", "Medical team"),
}


def label(key: str, lang: str) -> str:
    """The word for ``key`` in ``lang`` (``"id"`` or ``"en"``)."""
    indonesian, english = LABELS[key]
    return indonesian if lang == "id" else english


def agency_name(agency: str, lang: str) -> str:
    """``polri`` -> ``Polri`` / ``Police``; an unknown agency as it is."""
    names = AGENCIES.get(agency)
    if names is None:
        return agency
    return names[0] if lang == "id" else names[1]


_ID_AGENCY = {"police": "Polri", "TNI": "TNI", "Linmas": "Linmas", "medical": "medis"}
_ID_WHY = {
    "higher-risk groups came first": "kelompok berisiko lebih tinggi didahulukan",
    "groups with more TPS came first": "kelompok dengan TPS lebih banyak didahulukan",
    "groups of equal risk and size nearer the bases came first": (
        "kelompok dengan risiko dan ukuran sama yang lebih dekat ke markas didahulukan"
    ),
}
_ID_WHAT = {
    "medical facility": "Faskes",
    "hospital": "Rumah sakit",
    "team": "Tim medis",
}
_REASONS: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(
            r"^(?P<names>.+?) (?:has|have) (?P<have>\d+) (?P<word>police|TNI|Linmas|medical) "
            r"for (?P<need>\d+) needed by the (?P<n>\d+) groups (?:it|they) can reach; "
            r"(?P<why>[^;]+?)(?P<rest>;.*)?$"
        ),
        "{names} memiliki {have} personel {word} untuk {need} yang dibutuhkan "
        "{n} kelompok dalam jangkauannya; {why}{rest}",
    ),
    (
        re.compile(r"^no Linmas post in Kelurahan (?P<kel>.+)$"),
        "tidak ada pos Linmas di Kelurahan {kel}",
    ),
    (
        re.compile(
            r"^Kelurahan (?P<kel>.+) has (?P<have>\d+) Linmas for (?P<need>\d+) needed$"
        ),
        "Kelurahan {kel} memiliki {have} Linmas untuk {need} yang dibutuhkan",
    ),
    (
        re.compile(
            r"^nearest (?P<what>medical facility|hospital|team) (?P<name>.+) is "
            r"(?P<min>[\d.]+) min away, limit (?P<limit>[\d.]+) min$"
        ),
        "{what} terdekat, {name}, berjarak {min} menit, batas {limit} menit",
    ),
    (
        re.compile(
            r"^no (?P<word>police|TNI|Linmas|medical) base within (?P<limit>[\d.]+) min of "
            r"every TPS in the group \(nearest: (?P<name>.+), (?P<min>[\d.]+) min\)$"
        ),
        "tidak ada markas {word} dalam {limit} menit dari semua TPS kelompok "
        "(terdekat: {name}, {min} menit)",
    ),
    (
        re.compile(
            r"^no base with (?P<word>police|TNI|Linmas|medical) serves (?P<place>.+)$"
        ),
        "tidak ada markas dengan personel {word} yang melayani {place}",
    ),
    (
        re.compile(
            r"^no candidate team site within (?P<limit>[\d.]+) min"
            r"(?:; nearest team at (?P<name>.+) is (?P<min>[\d.]+) min away)?$"
        ),
        "tidak ada lokasi tim medis dalam {limit} menit{nearest}",
    ),
    (
        re.compile(
            r"^teams too few: (?P<placed>\d+)(?: of (?P<asked>\d+) requested)? placed"
            r"(?:, the medis headcounts staff (?P<staffed>\d+))?, none within "
            r"(?P<limit>[\d.]+) min"
            r"(?:; nearest team at (?P<name>.+) is (?P<min>[\d.]+) min away)?$"
        ),
        "tim medis kurang: {placed} ditempatkan{asked}{staffed}, tidak ada dalam "
        "{limit} menit{nearest}",
    ),
    (
        re.compile(
            r"^the teams within (?P<limit>[\d.]+) min are full \(at most "
            r"(?P<cap>\d+) (?P<unit>\w+) per team\)"
            r"(?:; nearest team at (?P<name>.+) is (?P<min>[\d.]+) min away)?$"
        ),
        "tim medis dalam {limit} menit sudah penuh (paling banyak {cap} {unit} "
        "per tim){nearest}",
    ),
    (
        re.compile(
            r"^candidate sites within (?P<limit>[\d.]+) min \(nearest (?P<cand>.+), "
            r"(?P<have>\d+) medis\) have fewer than the (?P<size>\d+) medis persons a "
            r"team needs(?:; nearest team at (?P<name>.+) is (?P<min>[\d.]+) min away)?$"
        ),
        "lokasi calon dalam {limit} menit (terdekat {cand}, {have} tenaga medis) "
        "kurang dari {size} tenaga medis yang dibutuhkan satu tim{nearest}",
    ),
    (
        re.compile(
            r"^(?P<voters>\d+) voters exceed a team's capacity of (?P<cap>\d+) voters$"
        ),
        "{voters} pemilih melebihi kapasitas satu tim ({cap} pemilih)",
    ),
    (
        re.compile(r"^no police staffed, TNI do not replace police$"),
        "tidak ada Polri yang ditugaskan; TNI tidak menggantikan Polri",
    ),
]
_REST = re.compile(
    r"^; outside their jurisdiction, (?P<names>.+) reach(?:es)? them with "
    r"(?P<spare>\d+) spare \(solver\.jurisdiction: penalised would let them help\)$"
)


def translate_reason(reason: str, lang: str) -> str:
    """``reason`` in ``lang``: English as it is; Indonesian where the sentence is known."""
    if lang != "id":
        return reason
    for pattern, template in _REASONS:
        match = pattern.match(reason)
        if match is None:
            continue
        parts = {k: v or "" for k, v in match.groupdict().items()}
        if "word" in parts:
            parts["word"] = _ID_AGENCY.get(parts["word"], parts["word"])
        if "why" in parts:
            parts["why"] = _ID_WHY.get(parts["why"], parts["why"])
        if parts.get("rest"):
            rest = _REST.match(parts["rest"])
            if rest is not None:
                parts["rest"] = (
                    f"; di luar wilayah hukumnya, {rest['names']} menjangkau mereka "
                    f"dengan {rest['spare']} personel lebih (solver.jurisdiction: "
                    "penalised mengizinkan bantuan itu)"
                )
        if "what" in parts:
            parts["what"] = _ID_WHAT.get(parts["what"], parts["what"])
        if "min" in parts:  # the nearest team, where the reason names it
            parts["nearest"] = (
                f"; tim terdekat di {parts['name']} berjarak {parts['min']} menit"
                if parts["min"]
                else ""
            )
        if parts.get("asked"):
            parts["asked"] = f" dari {parts['asked']} yang diminta"
        if parts.get("staffed"):
            parts["staffed"] = f", tenaga medis cukup untuk {parts['staffed']}"
        if parts.get("unit"):
            parts["unit"] = {"TPS": "TPS", "voters": "pemilih"}.get(
                parts["unit"], parts["unit"]
            )
        return template.format(**parts)
    return reason
