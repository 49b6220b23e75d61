"""Read YAML safely and remember the line of every key, for error messages.

The scenario is parsed by :class:`ScenarioLoader`, a ``SafeLoader`` (no Python
objects) with limits against hostile or broken files: the file size, nesting
depth, number of aliases and the size of the document once aliases are
expanded ("billion laughs"). Duplicate keys, which plain YAML resolves by
letting the later one win, and control characters in strings are reported
as problems of the document (:attr:`YamlDocument.issues`).
"""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Any

import yaml

from deploy_opt.errors import Issue, ScenarioError
from deploy_opt.scenario.files import display_path, read_regular_file

KeyPath = tuple[str | int, ...]

#: A scenario YAML is a few kilobytes; tables live in their own files.
MAX_YAML_BYTES = 1 << 20
#: Deepest nesting of mappings and lists (a scenario needs about 5).
MAX_DEPTH = 40
#: Most aliases (``*name``) in one document.
MAX_ALIASES = 200
#: Most nodes in the document with every alias expanded.
MAX_EXPANDED_NODES = 200_000

_MERGE_TAG = "tag:yaml.org,2002:merge"
_STR_TAG = "tag:yaml.org,2002:str"
#: Unicode controls that change how text is shown (bidirectional overrides).
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def format_key_path(path: KeyPath) -> str:
    """Render ``("categories", "rawan", "tps")`` as ``categories.rawan.tps``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            name = display_path(part)
            text += f".{name}" if text else name
    return text or "(top level)"


def control_character(text: str, allowed: str = "") -> str | None:
    """Describe the first control character in ``text`` not in ``allowed``.

    Control characters are C0 (including tab and line breaks), DEL, C1, the
    Unicode line/paragraph separators and bidirectional overrides.
    """
    for char in text:
        if char in allowed:
            continue
        if (
            unicodedata.category(char) == "Cc"
            or char in _BIDI_CONTROLS
            or char in "\u2028\u2029"
        ):
            name = {
                "\x00": "NUL",
                "\t": "tab",
                "\n": "line break",
                "\r": "carriage return",
            }.get(char) or unicodedata.name(char, "control character")
            return f"U+{ord(char):04X} ({name})"
    return None


class YamlLimitError(yaml.MarkedYAMLError):
    """The document exceeds one of the loader's limits."""


class ScenarioLoader(yaml.SafeLoader):
    """``SafeLoader`` with limits on nesting depth and aliases."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._aliases = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        """Compose one node, refusing deep nesting and too many aliases."""
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise YamlLimitError(
                    problem=f"more than {MAX_ALIASES} aliases (*name); a scenario "
                    "needs few, so this looks like an alias bomb",
                    problem_mark=self.peek_event().start_mark,
                )
            return super().compose_node(parent, index)
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise YamlLimitError(
                    problem=f"nested more than {MAX_DEPTH} levels deep; a scenario "
                    "needs about 5",
                    problem_mark=self.peek_event().start_mark,
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _check_expansion(root: yaml.Node) -> None:
    """Refuse recursive aliases and documents that explode when expanded."""
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()

    def size(node: yaml.Node, depth: int) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in open_nodes:
            raise YamlLimitError(
                problem="an alias refers to a node that contains it (a recursive "
                "structure)",
                problem_mark=node.start_mark,
            )
        if depth > MAX_DEPTH:
            raise YamlLimitError(
                problem=f"nested more than {MAX_DEPTH} levels deep once aliases "
                "are expanded",
                problem_mark=node.start_mark,
            )
        open_nodes.add(key)
        total = 1
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                total += size(key_node, depth + 1) + size(value_node, depth + 1)
        elif isinstance(node, yaml.SequenceNode):
            for item in node.value:
                total += size(item, depth + 1)
        open_nodes.discard(key)
        if total > MAX_EXPANDED_NODES:
            raise YamlLimitError(
                problem=f"expands to more than {MAX_EXPANDED_NODES:,} values once "
                "aliases are resolved (an alias bomb?)",
                problem_mark=node.start_mark,
            )
        sizes[key] = total
        return total

    size(root, 0)


def _line(text: str, position: int) -> int:
    return text.count("\n", 0, max(position, 0)) + 1


class YamlDocument:
    """A parsed YAML document plus the line of each key path.

    Attributes
    ----------
    data
        The document as plain Python data (later duplicate keys win).
    issues
        Problems that do not stop the check: duplicate keys, control
        characters in strings.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.issues: list[Issue] = []
        self.lines: dict[KeyPath, int] = {}
        text = self._read(path)
        loader: ScenarioLoader | None = None
        try:
            loader = ScenarioLoader(text)
            node = loader.get_single_node()
            if node is not None:
                _check_expansion(node)
                # before construction, which flattens merge keys (<<) in place
                self._index(node, (), loader)
            data = loader.construct_document(node) if node is not None else None
        except YamlLimitError as exc:
            self._fail("(structure)", f"refused: {exc.problem}", exc.problem_mark)
        except yaml.MarkedYAMLError as exc:
            problem = exc.problem or str(exc)
            self._fail("(syntax)", f"malformed YAML: {problem}", exc.problem_mark)
        except yaml.reader.ReaderError as exc:
            line = _line(text, exc.position)
            raise ScenarioError(
                [
                    Issue(
                        self.name,
                        "(syntax)",
                        f"malformed YAML: character U+{exc.character:04X} is not "
                        "allowed in YAML text"
                        if isinstance(exc.character, int)
                        else f"malformed YAML: {exc}",
                        line,
                    )
                ]
            ) from None
        except yaml.YAMLError as exc:
            raise ScenarioError(
                [Issue(self.name, "(syntax)", f"malformed YAML: {exc}")]
            ) from None
        finally:
            if loader is not None:
                loader.dispose()
        if not isinstance(data, dict):
            raise ScenarioError(
                [
                    Issue(
                        self.name,
                        "(top level)",
                        "expected a mapping of keys (name, stations, categories, "
                        f"bases, travel), found {type(data).__name__}",
                        1,
                    )
                ]
            )
        self.data: dict[str, Any] = data
        self.issues.sort(key=lambda issue: issue.line or 0)

    @property
    def name(self) -> str:
        """The file name as shown in messages."""
        return display_path(self.path)

    def _read(self, path: Path) -> str:
        try:
            raw = read_regular_file(path, MAX_YAML_BYTES)
        except OSError as exc:
            raise ScenarioError(
                [Issue(self.name, "(file)", exc.strerror or str(exc))]
            ) from None
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = raw.count(b"\n", 0, exc.start) + 1
            raise ScenarioError(
                [Issue(self.name, "(file)", f"not UTF-8 text ({exc.reason})", line)]
            ) from None

    def _fail(self, field: str, message: str, mark: yaml.Mark | None) -> None:
        line = mark.line + 1 if mark is not None else None
        raise ScenarioError([Issue(self.name, field, message, line)]) from None

    def _index(self, root: yaml.Node, path: KeyPath, loader: ScenarioLoader) -> None:
        """Record key lines; report duplicate keys and control characters."""
        checked: set[int] = set()
        stack: list[tuple[yaml.Node, KeyPath, bool]] = [(root, path, False)]
        while stack:
            node, where, merged_in = stack.pop()
            self.lines.setdefault(where, node.start_mark.line + 1)
            first_visit = id(node) not in checked
            checked.add(id(node))
            if isinstance(node, yaml.ScalarNode):
                if first_visit and node.tag == _STR_TAG:
                    self._check_text(node, where, allowed="\t\n\r")
            elif isinstance(node, yaml.MappingNode):
                seen: dict[object, int] = {}
                for key_node, value_node in node.value:
                    if key_node.tag == _MERGE_TAG:
                        merged = (
                            value_node.value
                            if isinstance(value_node, yaml.SequenceNode)
                            else [value_node]
                        )
                        stack += [(item, where, True) for item in merged]
                        continue
                    key = self._key(key_node, loader)
                    child = (*where, str(key))
                    line = key_node.start_mark.line + 1
                    if merged_in:  # keys of the mapping itself win over merged ones
                        self.lines.setdefault(child, line)
                    else:  # the later of duplicate keys wins, as in the data
                        self.lines[child] = line
                    if first_visit and isinstance(key_node, yaml.ScalarNode):
                        if key_node.tag == _STR_TAG:
                            self._check_text(key_node, child)
                        hashable = key if _hashable(key) else None
                        if hashable is not None and hashable in seen:
                            self.issues.append(
                                Issue(
                                    self.name,
                                    format_key_path(child),
                                    f"duplicate key {key!r} (also on line "
                                    f"{seen[hashable]}); YAML would silently keep "
                                    "only the later one: keep one of them",
                                    line,
                                )
                            )
                        elif hashable is not None:
                            seen[hashable] = line
                    stack.append((value_node, child, False))
            elif isinstance(node, yaml.SequenceNode):
                for index, item in enumerate(node.value):
                    stack.append((item, (*where, index), False))

    @staticmethod
    def _key(node: yaml.Node, loader: ScenarioLoader) -> object:
        if isinstance(node, yaml.ScalarNode):
            try:
                return loader.construct_object(node, deep=True)
            except yaml.YAMLError:
                return node.value
        return f"<{type(node).__name__}>"

    def _check_text(
        self, node: yaml.ScalarNode, where: KeyPath, allowed: str = ""
    ) -> None:
        found = control_character(str(node.value), allowed)
        if found is not None:
            self.issues.append(
                Issue(
                    self.name,
                    format_key_path(where),
                    f"control character {found} in the text; remove it (it would be "
                    "copied into the outputs)",
                    node.start_mark.line + 1,
                )
            )

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
            self.name,
            format_key_path(path),
            message,
            self.line_of(path),
            "warning" if severity == "warning" else "error",
        )


def _hashable(value: object) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True
