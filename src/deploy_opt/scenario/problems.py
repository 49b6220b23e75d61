"""Collect per-row problems of the tables, capped per kind, as issues."""

from __future__ import annotations

from collections import defaultdict

from deploy_opt.errors import Issue, Severity

#: Listing every bad row of a 7,000-row file helps nobody; show this many per kind.
MAX_ROWS_PER_PROBLEM = 10


class RowProblems:
    """Per-row problems of CSV and GIS tables.

    Rows are numbered by the physical line where a CSV record starts, or by
    feature number (1-based) in a GIS file; files registered with
    :meth:`register_features` are reported as ``feature N (id ...)`` in the
    message instead of a line.
    """

    def __init__(self) -> None:
        self._rows: dict[tuple[str, str, str], list[int]] = defaultdict(list)
        self._severity: dict[tuple[str, str, str], Severity] = {}
        self._features: dict[str, dict[int, str]] = {}
        self._columns: dict[str, dict[str, str]] = {}

    def register_columns(self, file: str, columns: dict[str, str]) -> None:
        """Name fields of ``file`` by the file's own columns (``id`` -> ``tps_id``)."""
        self._columns[file] = columns

    def register_features(self, file: str, ids: dict[int, str]) -> None:
        """Mark ``file`` as a GIS file whose rows are features with these ids."""
        self._features[file] = ids

    def add(
        self, file: str, column: str, message: str, line: int, severity: str = "error"
    ) -> None:
        """Record ``message`` about ``column`` of the row at ``line`` of ``file``.

        ``column`` is a column name, or a text in parentheses (``(row)``) for a
        problem of the whole row.
        """
        key = (file, column, message)
        self._rows[key].append(int(line))
        self._severity[key] = "warning" if severity == "warning" else "error"

    def count(self) -> int:
        """How many row problems were recorded so far."""
        return sum(len(lines) for lines in self._rows.values())

    def has_errors_in(self, file: str, columns: set[str]) -> bool:
        """True when an error was recorded for one of ``columns`` of ``file``."""
        return any(
            sev == "error" and key[0] == file and key[1] in columns
            for key, sev in self._severity.items()
        )

    def has_errors(self) -> bool:
        """True when any collected problem is an error."""
        return any(sev == "error" for sev in self._severity.values())

    def issues(self) -> list[Issue]:
        """Every collected problem as an :class:`Issue` (at most 10 rows per kind)."""
        out: list[Issue] = []
        for (file, column, message), lines in self._rows.items():
            severity = self._severity[(file, column, message)]
            named = self._columns.get(file, {}).get(column, column)
            field = column if column.startswith("(") else f"column {named}"
            features = self._features.get(file)
            for line in lines[:MAX_ROWS_PER_PROBLEM]:
                if features is None:
                    out.append(Issue(file, field, message, line, severity))
                else:
                    feature_id = features.get(line, "")
                    label = f" (id {feature_id!r})" if feature_id else ""
                    out.append(
                        Issue(
                            file,
                            field,
                            f"feature {line}{label}: {message}",
                            None,
                            severity,
                        )
                    )
            if len(lines) > MAX_ROWS_PER_PROBLEM:
                more = len(lines) - MAX_ROWS_PER_PROBLEM
                out.append(
                    Issue(
                        file,
                        field,
                        f"{message} (and {more} more {'features' if features is not None else 'rows'})",
                        None,
                        severity,
                    )
                )
        return out
