"""Read and check ``region.yaml``: a list of district scenarios solved one by one.

The file is validated like a scenario: every problem at once, each naming
file, field (YAML key path) and line; unknown keys are refused; a district
folder that does not exist or holds no ``scenario.yaml`` is an error naming
it. The format is in ``docs/region.md``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from deploy_opt.errors import Issue, ScenarioError
from deploy_opt.scenario.files import display_path, file_problem
from deploy_opt.scenario.yaml_source import YamlDocument, format_key_path

#: The region format this version reads.
REGION_VERSION = 1
#: A district's scenario file inside its folder.
SCENARIO_FILE = "scenario.yaml"
#: A district folder is one plain name next to region.yaml; it also names the
#: district's output folder and prefixes its ids in the merged tables.
FOLDER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")

_Count = Annotated[int, Field(ge=0, le=10**9)]
_Seed = Annotated[int, Field(ge=0, le=2**31 - 1)]
_Text = Annotated[str, Field(min_length=1, max_length=500)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=False)


class DistrictEntry(_Strict):
    """One district of the region: its scenario folder and descriptive fields."""

    name: _Text
    folder: str
    polda: _Text | None = None
    province: _Text | None = None
    area: _Text | None = None
    stations: _Count | None = None
    categories: dict[str, _Count] | None = None
    seed: _Seed | None = None

    @field_validator("folder")
    @classmethod
    def _plain_folder(cls, value: str) -> str:
        if not FOLDER_NAME.fullmatch(value):
            msg = (
                f"expected the name of a folder next to region.yaml (letters, digits, "
                f"'.', '_', '-'; starting with a letter or digit; at most 100 "
                f"characters), found {value!r}"
            )
            raise ValueError(msg)
        return value


class RegionSpec(_Strict):
    """The contents of ``region.yaml``."""

    region_version: Literal[1]
    name: _Text
    description: str | None = None
    preset: str | None = None
    seed: _Seed | None = None
    scale: float | None = None
    stations: _Count | None = None
    categories: dict[str, _Count] | None = None
    districts: Annotated[list[DistrictEntry], Field(min_length=1)]


@dataclass(frozen=True)
class District:
    """A district ready to solve: its entry and the path of its scenario."""

    index: int
    name: str
    folder: str
    scenario_path: Path
    stations_hint: int


@dataclass(frozen=True)
class Region:
    """A checked region file and its districts, in the file's order."""

    path: Path
    spec: RegionSpec
    districts: tuple[District, ...]


def is_region_file(path: str | Path) -> bool:
    """Whether ``path`` is a region (a YAML mapping with ``region_version`` or
    ``districts``) rather than a scenario. Unreadable files count as scenarios,
    whose loader then reports the problem."""
    try:
        doc = YamlDocument(Path(path))
    except ScenarioError:
        return False
    return "region_version" in doc.data or "districts" in doc.data


def load_region(path: str | Path, *, allow_outside_files: bool = False) -> Region:
    """Read and check ``region.yaml`` and that every district folder has a scenario.

    The district scenarios themselves are not read here (see
    :func:`deploy_opt.region.validate_region`).

    Raises
    ------
    ScenarioError
        With every problem found, each naming file, field and line.
    """
    region_path = Path(path)
    doc = YamlDocument(region_path)
    issues: list[Issue] = list(doc.issues)
    spec: RegionSpec | None = None
    try:
        spec = RegionSpec.model_validate(doc.data)
    except ValidationError as exc:
        issues += _pydantic_issues(exc, doc)
    entries = (
        list(enumerate(spec.districts))
        if spec is not None
        else _readable_entries(doc.data)
    )
    districts = []
    seen_folders: dict[str, int] = {}
    seen_names: dict[str, int] = {}
    root = region_path.parent
    for index, entry in entries:
        where = ("districts", index)
        for key, value, seen in (
            ("folder", entry.folder, seen_folders),
            ("name", entry.name, seen_names),
        ):
            if value in seen:
                issues.append(
                    doc.issue(
                        (*where, key),
                        f"district {key} {value!r} is listed twice (also district "
                        f"{seen[value]}); each Polres appears once",
                    )
                )
            seen.setdefault(value, index)
        problem = _folder_problem(root, entry.folder, allow_outside_files)
        if problem is not None:
            issues.append(doc.issue((*where, "folder"), problem))
            continue
        districts.append(
            District(
                index=index,
                name=entry.name,
                folder=entry.folder,
                scenario_path=root / entry.folder / SCENARIO_FILE,
                stations_hint=entry.stations or 0,
            )
        )
    if any(i.severity == "error" for i in issues) or spec is None:
        raise ScenarioError(issues)
    return Region(path=region_path, spec=spec, districts=tuple(districts))


def _readable_entries(data: dict[str, Any]) -> list[tuple[int, DistrictEntry]]:
    """The district entries that are valid on their own (others are reported)."""
    listed = data.get("districts")
    if not isinstance(listed, list):
        return []
    entries = []
    for index, item in enumerate(listed):
        try:
            entries.append((index, DistrictEntry.model_validate(item)))
        except ValidationError:
            continue
    return entries


def _folder_problem(root: Path, folder: str, allow_outside: bool) -> str | None:
    """Why ``root/folder/scenario.yaml`` cannot be a district, or None."""
    path = root / folder
    shown = display_path(path)
    if not path.is_dir():
        what = "is not a folder" if path.exists() else "does not exist"
        return f"district folder `{shown}` {what}; expected a folder holding {SCENARIO_FILE}"
    if not allow_outside:
        try:
            path.resolve().relative_to(root.resolve())
        except ValueError:
            return (
                f"district folder `{shown}` leads outside the region's folder "
                "(a symbolic link); pass --allow-outside-files to allow it"
            )
    problem = file_problem(path / SCENARIO_FILE)
    if problem is not None:
        return f"district folder `{shown}` has no usable {SCENARIO_FILE}: {problem}"
    return None


def _pydantic_issues(exc: ValidationError, doc: YamlDocument) -> list[Issue]:
    issues = []
    for error in exc.errors():
        loc = tuple(
            part for part in error["loc"] if not str(part).startswith("function-")
        )
        message = str(error["msg"]).removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = "unknown key (check its spelling or the docs/region.md format)"
        elif error["type"] == "missing":
            message = "required key is missing"
        elif error["type"] == "literal_error" and loc == ("region_version",):
            message = f"expected {REGION_VERSION} (found {error.get('input')!r})"
        elif "input" in error and error["type"] not in {
            "value_error",
            "assertion_error",
        }:
            message = f"{message} (found {error['input']!r})"
        issues.append(doc.issue(loc, message))
    return issues


def region_issue(region: Region, index: int, message: str) -> Issue:
    """An issue about district ``index`` of ``region`` (its ``folder`` entry)."""
    return Issue(
        display_path(region.path),
        format_key_path(("districts", index, "folder")),
        message,
    )
