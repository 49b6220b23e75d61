"""Exception hierarchy of deploy_opt.

Every error raised on purpose derives from :class:`DeployOptError`. Errors about
the user's input carry a list of :class:`Issue` objects so that all problems can be
reported at once, each naming the file, the field and (where known) the line.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem found in the user's input.

    Attributes
    ----------
    file
        The file the problem is in (as the user wrote it, or the scenario file).
    field
        YAML key path (``categories.rawan.tps``) or ``column <name>`` for tables.
    message
        What is wrong and what was expected.
    line
        1-based line number in ``file``, when known.
    severity
        ``"error"`` stops the run; ``"warning"`` is reported only.
    """

    file: str
    field: str
    message: str
    line: int | None = None
    severity: Severity = "error"

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.field}: {self.message}"


class DeployOptError(Exception):
    """Root of all errors raised by deploy_opt on purpose."""


class ScenarioError(DeployOptError, ValueError):
    """The scenario or one of its files is invalid; ``issues`` lists every problem."""

    def __init__(self, issues: list[Issue]) -> None:
        self.issues = [i for i in issues if i.severity == "error"]
        self.warnings = [i for i in issues if i.severity == "warning"]
        lines = [f"{len(self.issues)} problem(s) in the scenario:"]
        lines += [f"  - {issue}" for issue in self.issues]
        super().__init__("\n".join(lines))


class OutputExistsError(DeployOptError, FileExistsError):
    """The output directory exists and overwriting was not allowed."""


class OutputPathError(DeployOptError, OSError):
    """The output directory cannot be created or written (found before solving)."""


class TravelTimeError(DeployOptError):
    """Travel times could not be computed from the given inputs."""


class SolverError(DeployOptError, RuntimeError):
    """A solver failed in a way that is not the user's fault."""


class CheckError(DeployOptError, AssertionError):
    """The independent checker found a plan that breaks a rule."""
