"""Make text from inputs safe to open in a spreadsheet."""

from __future__ import annotations

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def safe_text(value: object) -> str:
    """Text that a spreadsheet will never run as a formula.

    Cells starting with ``= + - @`` or a control character get a leading
    apostrophe (the OWASP CSV-injection advice); plain numbers stay as they are.
    """
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_START):
        try:
            float(text)
        except ValueError:
            return "'" + text
    return text
