"""The briefing report's charts (matplotlib), as self-contained SVG data URIs.

matplotlib is imported inside the functions, with the Agg backend, so the
command line does not load it. The SVG carries no date and a fixed id salt,
so the same run gives the same bytes; its text stays text (drawn in the
report's font by the browser or WeasyPrint).
"""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping, Sequence
from typing import Any

#: matplotlib settings of every chart: small, plain, deterministic.
_RC: Any = {
    "svg.hashsalt": "deploy_opt",
    "svg.fonttype": "none",  # text as text: small, and drawn in the report's font
    "font.size": 8,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
_COLOURS = ("#1f4e79", "#2e7d32", "#6a1b9a", "#ef6c00", "#c62828")


def coverage_chart(
    categories: Sequence[str], series: Mapping[str, Sequence[float]], title: str
) -> str:
    """Grouped bars: per category, the percent of TPS each measure met.

    ``series`` maps a measure's label (e.g. "Covered") to one percentage per
    category. Returns an SVG data URI.
    """
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    with matplotlib.rc_context(_RC):
        figure = Figure(figsize=(10.0, 2.6))
        axes = figure.add_subplot()
        bar = 0.8 / max(1, len(series))
        for index, (name, values) in enumerate(series.items()):
            positions = [i + index * bar for i in range(len(categories))]
            bars = axes.bar(
                positions,
                values,
                width=bar,
                label=name,
                color=_COLOURS[index % len(_COLOURS)],
            )
            axes.bar_label(bars, fmt="%.1f", padding=1, fontsize=5.5)
        axes.set_xticks(
            [i + bar * (len(series) - 1) / 2 for i in range(len(categories))],
            list(categories),
        )
        axes.set_ylim(0, 115)
        axes.set_ylabel("%")
        axes.set_title(title, fontsize=9)
        axes.legend(
            fontsize=6.5, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False
        )
        figure.tight_layout()
        return _svg_uri(figure)


def travel_histograms(minutes: Mapping[str, Sequence[float]], title: str) -> str:
    """One histogram of travel minutes per agency, side by side (SVG data URI)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    shown = {name: list(values) for name, values in minutes.items() if len(values)}
    with matplotlib.rc_context(_RC):
        figure = Figure(figsize=(10.0, 2.4))
        if not shown:
            figure.text(0.5, 0.5, "-", ha="center")
            return _svg_uri(figure)
        axes_list: Any = figure.subplots(1, len(shown), squeeze=False)[0]
        for index, (axes, (name, values)) in enumerate(
            zip(axes_list, shown.items(), strict=True)
        ):
            axes.hist(values, bins=20, color=_COLOURS[index % len(_COLOURS)])
            axes.set_title(f"{name} (n={len(values):,})", fontsize=8)
            axes.set_xlabel("min")
        figure.suptitle(title, fontsize=9)
        figure.tight_layout()
        return _svg_uri(figure)


def _svg_uri(figure: Any) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    encoded = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f"data:image/svg+xml;base64,{encoded}"
