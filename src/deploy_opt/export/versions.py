"""Versions of Python and of the packages that shape a plan (light: no imports of them)."""

from __future__ import annotations

import platform
from importlib import metadata

#: The packages whose versions ``summary.json`` records, in reading order.
PACKAGES = (
    "deploy-opt",
    "ortools",
    "numpy",
    "scipy",
    "pandas",
    "geopandas",
    "shapely",
    "pydantic",
)


def versions() -> dict[str, str]:
    """Versions of Python and of the packages that shape the result.

    Read from the installed package metadata, so nothing heavy is imported.
    """
    out = {"python": platform.python_version()}
    for package in PACKAGES:
        try:
            out[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            out[package] = "not installed"
    return out
