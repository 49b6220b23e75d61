"""Writers: they take a solved plan and never decide anything.

Names load on first use (PEP 562), so light modules such as
:mod:`deploy_opt.export.cells` can be imported without pandas.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from deploy_opt.export.atomic import check_writable as check_writable
    from deploy_opt.export.atomic import write_directory as write_directory
    from deploy_opt.export.summary import build_summary as build_summary
    from deploy_opt.export.tables import roster_table as roster_table
    from deploy_opt.export.tables import stations_table as stations_table

_LAZY = {
    "build_summary": "deploy_opt.export.summary",
    "check_writable": "deploy_opt.export.atomic",
    "roster_table": "deploy_opt.export.tables",
    "stations_table": "deploy_opt.export.tables",
    "write_directory": "deploy_opt.export.atomic",
}

__all__ = [
    "build_summary",
    "check_writable",
    "roster_table",
    "stations_table",
    "write_directory",
]


def __getattr__(name: str) -> Any:
    """Import a public name on first use and cache it in the package."""
    module = _LAZY.get(name)
    if module is None:
        msg = f"module 'deploy_opt.export' has no attribute {name!r}"
        raise AttributeError(msg)
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
