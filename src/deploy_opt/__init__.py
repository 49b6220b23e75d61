"""deploy_opt: plan election-day security and medical deployments to polling stations.

Library use::

    from deploy_opt import run
    outcome = run("scenarios/tangerang-kota/scenario.yaml", "out/")
    print(outcome.summary["coverage_by_category"])

The public names are imported on first use (PEP 562), so ``import deploy_opt``
and the ``deploy-opt --help`` / ``--version`` commands stay fast: pandas,
geopandas and OR-Tools load only when a name that needs them is used.
"""

from __future__ import annotations

import importlib
import logging
from importlib import metadata
from typing import TYPE_CHECKING, Any

try:
    __version__ = metadata.version("deploy-opt")
except metadata.PackageNotFoundError:  # running from a source tree
    __version__ = "0.1.0+src"

logging.getLogger("deploy_opt").addHandler(logging.NullHandler())

if TYPE_CHECKING:
    from deploy_opt.check import CheckReport as CheckReport
    from deploy_opt.check import check_plan as check_plan
    from deploy_opt.errors import DeployOptError as DeployOptError
    from deploy_opt.errors import Issue as Issue
    from deploy_opt.errors import ScenarioError as ScenarioError
    from deploy_opt.pipeline import RunOutcome as RunOutcome
    from deploy_opt.pipeline import run as run
    from deploy_opt.problem import ProblemData as ProblemData
    from deploy_opt.problem import build_problem as build_problem
    from deploy_opt.result import Result as Result
    from deploy_opt.result import SolveParams as SolveParams
    from deploy_opt.scenario import Scenario as Scenario
    from deploy_opt.scenario import load_scenario as load_scenario
    from deploy_opt.scenario import validate_scenario as validate_scenario
    from deploy_opt.solvers import solve_plan as solve_plan
    from deploy_opt.travel import build_travel_model as build_travel_model

#: Public name -> the module that defines it.
_LAZY = {
    "CheckReport": "deploy_opt.check",
    "check_plan": "deploy_opt.check",
    "DeployOptError": "deploy_opt.errors",
    "Issue": "deploy_opt.errors",
    "ScenarioError": "deploy_opt.errors",
    "RunOutcome": "deploy_opt.pipeline",
    "run": "deploy_opt.pipeline",
    "ProblemData": "deploy_opt.problem",
    "build_problem": "deploy_opt.problem",
    "Result": "deploy_opt.result",
    "SolveParams": "deploy_opt.result",
    "Scenario": "deploy_opt.scenario",
    "load_scenario": "deploy_opt.scenario",
    "validate_scenario": "deploy_opt.scenario",
    "solve_plan": "deploy_opt.solvers",
    "build_travel_model": "deploy_opt.travel",
}

__all__ = [
    "CheckReport",
    "DeployOptError",
    "Issue",
    "ProblemData",
    "Result",
    "RunOutcome",
    "Scenario",
    "ScenarioError",
    "SolveParams",
    "__version__",
    "build_problem",
    "build_travel_model",
    "check_plan",
    "load_scenario",
    "run",
    "solve_plan",
    "validate_scenario",
]


def __getattr__(name: str) -> Any:
    """Import a public name on first use and cache it in the package."""
    module = _LAZY.get(name)
    if module is None:
        msg = f"module 'deploy_opt' has no attribute {name!r}"
        raise AttributeError(msg)
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
