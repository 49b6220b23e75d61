"""Words of the briefing report in Indonesian (``id``) and English (``en``).

The report's own words are here; every other word comes from the planners'
table in :mod:`deploy_opt.export.labels`, shared with the XLSX workbook.
"""

from __future__ import annotations

from deploy_opt.export.labels import LABELS

#: key -> (Indonesian, English)
REPORT_LABELS: dict[str, tuple[str, str]] = {
    "title": ("Laporan Pengamanan TPS", "TPS Deployment Briefing"),
    "generated_by": ("Dibuat oleh deploy_opt", "Made by deploy_opt"),
    "contents": ("Isi", "Contents"),
    "status_section": ("Status dan keterbatasan", "Status and what is not proven"),
    "status_reasons": ("Belum terbukti", "Not proven"),
    "no_status_reasons": (
        "Semua tahap terbukti optimal.",
        "Every stage is proven optimal.",
    ),
    "stage": ("Tahap", "Stage"),
    "proven": ("Terbukti", "Proven"),
    "method": ("Metode", "Method"),
    "note": ("Catatan", "Note"),
    "yes_word": ("ya", "yes"),
    "no_word": ("tidak", "no"),
    "coverage_section": ("Cakupan", "Coverage"),
    "coverage_value": ("Cakupan berbobot risiko", "Risk-weighted coverage"),
    "coverage_gap": ("Selisih terhadap batas", "Gap to the bound"),
    "coverage_chart": (
        "Persentase TPS yang terpenuhi per kategori",
        "Share of TPS met per category",
    ),
    "personnel_section": ("Personel per instansi", "Personnel per agency"),
    "rules_section": ("Pola yang diterapkan", "Rules applied"),
    "rule": ("Pola", "Rule"),
    "ladder": ("Tangga pola", "Ladder"),
    "rule_reasons": ("Alasan pola per TPS", "Why each TPS got its rule"),
    "travel_section": ("Waktu tempuh", "Travel"),
    "travel_chart": (
        "Sebaran waktu tempuh personel ke kelompoknya (menit)",
        "Travel minutes of each person to their group",
    ),
    "persons_counted": ("Personel", "Persons"),
    "minutes": ("menit", "minutes"),
    "medical_section": ("Layanan kesehatan", "Medical cover"),
    "shortfalls_section": ("Kekurangan dan alasannya", "Shortfalls and their reasons"),
    "group_or_tps": ("Kelompok / TPS", "Group / TPS"),
    "short": ("Kurang", "Short"),
    "kecamatan_section": ("Per kecamatan", "Per kecamatan"),
    "polsek_section": ("Per Polsek / unit Polri", "Per Polsek / police unit"),
    "uncovered": ("Tidak terpenuhi", "Not met"),
    "police": ("Polri", "Police"),
    "tni": ("TNI", "TNI"),
    "linmas": ("Linmas", "Linmas"),
    "reserve_persons": ("Cadangan", "Reserve"),
    "median_travel": ("Median tempuh (menit)", "Median travel (min)"),
    "unit_pages": ("Lembar per Polsek", "One page per Polsek"),
    "unit_brief": (
        "Lembar pengarahan untuk Kapolsek: kelompok, TPS, personel dan kekurangan.",
        "Briefing sheet for the commander: groups, TPS, officers and shortfalls.",
    ),
    "officers": ("Personel Polri", "Police officers"),
    "tni_units": ("TNI (Koramil)", "TNI (Koramil)"),
    "medical_site": ("Faskes", "Facility"),
    "reserve_list": ("Personel cadangan", "Officers in reserve"),
    "unit_shortfalls": ("Kekurangan di wilayah ini", "Shortfalls in this area"),
    "none": ("tidak ada", "none"),
    "page_of": ("Halaman", "Page"),
    "from": ("dari", "of"),
    "run_facts": ("Data run", "Run facts"),
    "tps_short": ("TPS", "TPS"),
    "objective": ("Nilai objektif", "Objective"),
    "bound": ("Batas", "Bound"),
    "medical_km": ("Ke faskes", "To a facility"),
    "team_site": ("Tim medis", "Medical team"),
    "count": ("Jumlah", "Count"),
}


def text(key: str, lang: str) -> str:
    """The report's word for ``key`` in ``lang`` (its own table, then the shared one)."""
    pair = REPORT_LABELS.get(key) or LABELS[key]
    return pair[0] if lang == "id" else pair[1]
