"""The briefing report's HTML template (Jinja2, autoescaped) and print CSS.

Printed on A4 landscape: the district's overview first, then one section per
police unit, each starting on a new page (``break-before: page``) so its
commander can hand it out. A section longer than a page continues with the
table header repeated.
"""

from __future__ import annotations

CSS = """
@page {
  size: A4 landscape;
  margin: 11mm 10mm 13mm 10mm;
  @bottom-left { content: string(scenario); font-size: 6.5pt; color: #555; }
}
html { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; font-size: 8pt; }
body { margin: 0; color: #111; }
h1 { font-size: 15pt; margin: 0 0 2pt 0; string-set: scenario content(); }
h2 { font-size: 11pt; margin: 8pt 0 3pt 0; border-bottom: 0.8pt solid #1f4e79; color: #1f4e79; }
h3 { font-size: 9pt; margin: 6pt 0 2pt 0; }
p { margin: 2pt 0; }
.muted { color: #555; }
.facts { columns: 3; column-gap: 12pt; margin: 2pt 0 4pt 0; }
.facts div { break-inside: avoid; }
table { border-collapse: collapse; width: 100%; margin: 2pt 0 4pt 0; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
th, td { border: 0.4pt solid #999; padding: 1pt 3pt; vertical-align: top; text-align: left; }
th { background: #e8eef5; font-weight: bold; }
td.num, th.num { text-align: right; white-space: nowrap; }
table.small td, table.small th { font-size: 6.8pt; }
table.unit-table { table-layout: fixed; }
table.unit-table td { font-size: 6.3pt; overflow-wrap: anywhere; }
.bad { color: #b00020; font-weight: bold; }
.ok { color: #2e7d32; }
img.chart { width: 100%; max-height: 80mm; object-fit: contain; }
.charts { display: flex; gap: 8pt; }
section.unit { break-before: page; page-break-before: always; }
section.unit h2.unit { font-size: 13pt; margin-top: 0; }
.slots { font-size: 6.5pt; }
"""

TEMPLATE = """<!DOCTYPE html>
<html lang="{{ lang }}">
<head>
<meta charset="utf-8">
<meta name="generator" content="deploy_opt {{ r.version }}">
<title>{{ t.title }} - {{ r.scenario }}</title>
<style>
@page { @bottom-right { content: "{{ t.page_of }} " counter(page) " {{ t.from }} " counter(pages); font-size: 6.5pt; color: #555; } }
{{ css|safe }}
</style>
</head>
<body>
<header>
<h1>{{ r.scenario }}</h1>
<p class="muted">{{ t.title }} &middot; {{ t.generated_by }} {{ r.version }}</p>
</header>

<h2>{{ t.run_facts }}</h2>
<div class="facts">
{% for name, value in r.facts %}<div><b>{{ name }}:</b> {{ value }}</div>
{% endfor %}
</div>

<h2>{{ t.status_section }}</h2>
<p><b>{{ t.status }}:</b> {{ r.status }}{% if r.gap_text %} &middot; {{ t.gap }} {{ r.gap_text }}{% endif %}</p>
{% if r.status_reasons %}
<p><b>{{ t.status_reasons }}:</b></p>
<ul>{% for reason in r.status_reasons %}<li>{{ reason }}</li>{% endfor %}</ul>
{% else %}<p class="ok">{{ t.no_status_reasons }}</p>{% endif %}
{% if r.stages %}
<table class="small">
<thead><tr><th>{{ t.stage }}</th><th>{{ t.status }}</th><th>{{ t.proven }}</th><th class="num">{{ t.gap }}</th><th>{{ t.method }}</th><th>{{ t.note }}</th></tr></thead>
<tbody>{% for s in r.stages %}<tr><td>{{ s.stage }}</td><td>{{ s.status }}</td><td>{{ s.proven }}</td><td class="num">{{ s.gap }}</td><td>{{ s.method }}</td><td>{{ s.note }}</td></tr>
{% endfor %}</tbody></table>
{% endif %}

<h2>{{ t.coverage_section }}</h2>
{% if r.coverage_line %}<p>{{ r.coverage_line }}</p>{% endif %}
<table>
<thead><tr><th>{{ t.category }}</th><th>{{ t.rule }}</th><th>{{ t.ladder }}</th><th>{{ t.rules_used }}</th><th class="num">{{ t.stations }}</th><th class="num">{{ t.covered }}</th><th class="num">{{ t.share }}</th><th class="num">{{ t.police_met }}</th><th class="num">{{ t.tni_met }}</th><th class="num">{{ t.linmas_met }}</th><th class="num">{{ t.medical_within }}</th></tr></thead>
<tbody>{% for c in r.categories %}<tr><td>{{ c.category }}</td><td>{{ c.rule }}</td><td>{{ c.ladder }}</td><td>{{ c.rules_used }}</td><td class="num">{{ c.stations }}</td><td class="num">{{ c.covered }}</td><td class="num{% if c.short %} bad{% endif %}">{{ c.share }}</td><td class="num">{{ c.police_met }}</td><td class="num">{{ c.tni_met }}</td><td class="num">{{ c.linmas_met }}</td><td class="num">{{ c.medical }}</td></tr>
{% endfor %}</tbody></table>
<img class="chart" alt="{{ t.coverage_chart }}" src="{{ r.coverage_chart }}">

<h2>{{ t.personnel_section }}</h2>
<table>
<thead><tr><th>{{ t.agency }}</th><th class="num">{{ t.available }}</th><th class="num">{{ t.assigned }}</th><th class="num">{{ t.reserve_persons }}</th><th class="num">{{ t.needed }}</th><th class="num">{{ t.published }}</th></tr></thead>
<tbody>{% for p in r.personnel %}<tr><td>{{ p.agency }}</td><td class="num">{{ p.available }}</td><td class="num">{{ p.assigned }}</td><td class="num">{{ p.reserve }}</td><td class="num{% if p.short %} bad{% endif %}">{{ p.needed }}</td><td class="num">{{ p.published }}</td></tr>
{% endfor %}</tbody></table>

<h2>{{ t.rules_section }}</h2>
<table class="small">
<thead><tr><th>{{ t.category }}</th><th>{{ t.rule_reasons }}</th><th class="num">{{ t.tps_count }}</th></tr></thead>
<tbody>{% for row in r.rule_reasons %}<tr><td>{{ row.category }}</td><td>{{ row.reason }}</td><td class="num">{{ row.count }}</td></tr>
{% endfor %}</tbody></table>

<h2>{{ t.travel_section }}</h2>
<table>
<thead><tr><th>{{ t.agency }}</th><th class="num">{{ t.persons_counted }}</th><th class="num">{{ t.median_minutes }}</th><th class="num">{{ t.max_minutes }}</th></tr></thead>
<tbody>{% for row in r.travel %}<tr><td>{{ row.agency }}</td><td class="num">{{ row.n }}</td><td class="num">{{ row.median }}</td><td class="num">{{ row.max }}</td></tr>
{% endfor %}</tbody></table>
<img class="chart" alt="{{ t.travel_chart }}" src="{{ r.travel_chart }}">

<h2>{{ t.medical_section }}</h2>
{% for line in r.medical %}<p>{{ line }}</p>{% endfor %}

<h2>{{ t.shortfalls_section }}</h2>
{% if r.shortfalls %}
<table class="small">
<thead><tr><th>{{ t.agency }}</th><th>{{ t.category }}</th><th>{{ t.group_or_tps }}</th><th class="num">{{ t.tps_count }}</th><th class="num">{{ t.needed }}</th><th class="num">{{ t.assigned }}</th><th>{{ t.reason }}</th></tr></thead>
<tbody>{% for s in r.shortfalls %}<tr><td>{{ s.agency }}</td><td>{{ s.category }}</td><td>{{ s.where }}</td><td class="num">{{ s.tps }}</td><td class="num">{{ s.needed }}</td><td class="num">{{ s.assigned }}</td><td>{{ s.reason }}</td></tr>
{% endfor %}</tbody></table>
{% else %}<p class="ok">{{ t.no_shortfalls }}</p>{% endif %}

<h2>{{ t.kecamatan_section }}</h2>
<table class="small">
<thead><tr><th>{{ t.kecamatan }}</th><th class="num">{{ t.stations }}</th><th class="num">{{ t.groups }}</th><th class="num">{{ t.covered }}</th><th class="num">{{ t.uncovered }}</th><th class="num">{{ t.police }}</th><th class="num">{{ t.tni }}</th><th class="num">{{ t.linmas }}</th><th class="num">{{ t.medical_within }}</th></tr></thead>
<tbody>{% for k in r.kecamatan %}<tr><td>{{ k.name }}</td><td class="num">{{ k.stations }}</td><td class="num">{{ k.groups }}</td><td class="num">{{ k.covered }}</td><td class="num{% if k.uncovered %} bad{% endif %}">{{ k.uncovered }}</td><td class="num">{{ k.police }}</td><td class="num">{{ k.tni }}</td><td class="num">{{ k.linmas }}</td><td class="num">{{ k.medical }}</td></tr>
{% endfor %}</tbody></table>

<h2>{{ t.polsek_section }}</h2>
<table class="small">
<thead><tr><th>{{ t.unit }}</th><th>{{ t.kecamatan }}</th><th class="num">{{ t.groups }}</th><th class="num">{{ t.stations }}</th><th class="num">{{ t.assigned }}</th><th class="num">{{ t.reserve_persons }}</th><th class="num">{{ t.median_travel }}</th><th class="num">{{ t.shortfalls }}</th></tr></thead>
<tbody>{% for u in r.units %}<tr><td>{{ u.name }}</td><td>{{ u.kecamatan }}</td><td class="num">{{ u.groups|length }}</td><td class="num">{{ u.stations }}</td><td class="num">{{ u.assigned }}</td><td class="num">{{ u.reserve|length }}</td><td class="num">{{ u.median_travel }}</td><td class="num{% if u.shortfalls %} bad{% endif %}">{{ u.shortfalls|length }}</td></tr>
{% endfor %}</tbody></table>

{% for u in r.units %}
<section class="unit">
<h2 class="unit">{{ u.name }}</h2>
<p class="muted">{{ r.scenario }} &middot; {{ t.unit_brief }}</p>
<p><b>{{ t.kecamatan }}:</b> {{ u.kecamatan or "-" }} &middot; <b>{{ t.groups }}:</b> {{ u.groups|length }} &middot; <b>{{ t.stations }}:</b> {{ u.stations }} &middot; <b>{{ t.officers }}:</b> {{ u.assigned }} &middot; <b>{{ t.reserve_persons }}:</b> {{ u.reserve|length }} &middot; <b>{{ t.median_travel }}:</b> {{ u.median_travel }}</p>
<table class="small unit-table">
<colgroup><col style="width:2.5%"><col style="width:11%"><col style="width:5%"><col style="width:35%"><col style="width:9%"><col style="width:13%"><col style="width:4%"><col style="width:16%"><col style="width:4.5%"></colgroup>
<thead><tr><th class="num">{{ t.no }}</th><th>{{ t.group }}</th><th>{{ t.rule }}</th><th>{{ t.stations }}</th><th>{{ t.officers }}</th><th>{{ t.tni_units }}</th><th class="num">{{ t.linmas }}</th><th>{{ t.medical_site }}</th><th class="num">{{ t.covered }}</th></tr></thead>
<tbody>{% for g in u.groups %}<tr><td class="num">{{ loop.index }}</td><td>{{ g.group_id }}</td><td>{{ g.rule }}</td><td class="slots">{{ g.tps }}</td><td class="slots">{{ g.officers }}</td><td class="slots">{{ g.tni }}</td><td class="num">{{ g.linmas }}</td><td class="slots">{{ g.medical }}</td><td class="num{% if g.short %} bad{% endif %}">{{ g.covered }}</td></tr>
{% endfor %}</tbody></table>
<p class="slots"><b>{{ t.reserve_list }} ({{ u.reserve|length }}):</b> {{ u.reserve|join(", ") if u.reserve else t.none }}</p>
<h3>{{ t.unit_shortfalls }}</h3>
{% if u.shortfalls %}
<table class="small">
<thead><tr><th>{{ t.agency }}</th><th>{{ t.group_or_tps }}</th><th class="num">{{ t.tps_count }}</th><th class="num">{{ t.short }}</th><th>{{ t.reason }}</th></tr></thead>
<tbody>{% for s in u.shortfalls %}<tr><td>{{ s.agency }}</td><td>{{ s.where }}</td><td class="num">{{ s.tps }}</td><td class="num">{{ s.short }}</td><td>{{ s.reason }}</td></tr>
{% endfor %}</tbody></table>
{% else %}<p class="ok">{{ t.none }}</p>{% endif %}
</section>
{% endfor %}
</body>
</html>
"""
