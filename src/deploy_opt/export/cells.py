"""Make text from inputs safe to open in a spreadsheet.

Every text cell of our CSV files goes through :func:`safe_text` (the table
writer applies it to all text columns, see ``tables.to_csv_bytes``):

- control characters are written as visible escapes: C0 and C1 controls and
  DEL (NUL becomes ``\\x00``, a tab ``\\x09``, a line break ``\\x0a``), the
  Unicode line and paragraph separators (``\\u2028``, ``\\u2029``) and the
  bidirectional embedding, override and isolate marks (``\\u202a``-``\\u202e``,
  ``\\u2066``-``\\u2069``), which can make a cell read differently from what
  it holds. Escapes keep distinct ids distinct, where deleting the characters
  could merge two of them;
- a cell that would start with ``= + - @`` gets a leading apostrophe (the
  OWASP CSV-injection advice), unless it is a plain number such as ``-3``.

The function is idempotent: neutralised text passes through unchanged.
"""

from __future__ import annotations

import math
import re

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape_controls(text: str) -> str:
    """``text`` with every control character written as a visible escape."""
    return _CONTROL.sub(_escape, text)


def safe_text(value: object) -> str:
    """Text that a spreadsheet shows as written and never runs as a formula.

    See the module docstring for the rules; ``None`` becomes an empty cell.
    """
    text = escape_controls("" if value is None else str(value))
    if text.startswith(_FORMULA_START) and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False
