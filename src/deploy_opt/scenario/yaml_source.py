"""Read YAML safely and remember the line of every key, for error messages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from deploy_opt.errors import Issue, ScenarioError

KeyPath = tuple[str | int, ...]


def format_key_path(path: KeyPath) -> str:
    """Render ``("categories", "rawan", "tps")`` as ``categories.rawan.tps``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or "(top level)"


def _index_lines(node: yaml.Node, path: KeyPath, lines: dict[KeyPath, int]) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = str(key_node.value)
            lines[(*path, key)] = key_node.start_mark.line + 1
            _index_lines(value_node, (*path, key), lines)
            lines[(*path, key)] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _index_lines(item, (*path, index), lines)


class YamlDocument:
    """A parsed YAML document plus the line of each key path."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ScenarioError(
                [Issue(str(path), "(file)", "file not found")]
            ) from None
        except UnicodeDecodeError as exc:
            raise ScenarioError(
                [Issue(str(path), "(file)", f"not UTF-8 text ({exc.reason})")]
            ) from None
        except OSError as exc:
            raise ScenarioError(
                [Issue(str(path), "(file)", f"cannot read: {exc.strerror}")]
            ) from None
        try:
            # SafeLoader only: no Python objects from scenario files.
            node = yaml.compose(text, Loader=yaml.SafeLoader)
            data = yaml.load(text, Loader=yaml.SafeLoader)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark
            line = mark.line + 1 if mark is not None else None
            problem = exc.problem or str(exc)
            raise ScenarioError(
                [Issue(str(path), "(syntax)", f"malformed YAML: {problem}", line)]
            ) from None
        except yaml.YAMLError as exc:
            raise ScenarioError(
                [Issue(str(path), "(syntax)", f"malformed YAML: {exc}")]
            ) from None
        if not isinstance(data, dict):
            raise ScenarioError(
                [
                    Issue(
                        str(path),
                        "(top level)",
                        "expected a mapping of keys (name, stations, categories, "
                        f"bases, travel), found {type(data).__name__}",
                        1,
                    )
                ]
            )
        self.data: dict[str, Any] = data
        self.lines: dict[KeyPath, int] = {}
        if node is not None:
            _index_lines(node, (), self.lines)

    def line_of(self, path: KeyPath) -> int | None:
        """Line of the deepest known prefix of ``path`` (1-based)."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(path[:end])
            if line is not None:
                return line
        return None

    def issue(self, path: KeyPath, message: str, severity: str = "error") -> Issue:
        """An :class:`Issue` located at ``path`` in this document."""
        return Issue(
            str(self.path),
            format_key_path(path),
            message,
            self.line_of(path),
            "warning" if severity == "warning" else "error",
        )
