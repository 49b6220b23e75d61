"""deploy_opt: plan election-day security and medical deployments to polling stations.

Library use::

    from deploy_opt import run
    outcome = run("scenarios/tangerang-kota/scenario.yaml", "out/")
    print(outcome.summary["coverage_by_category"])
"""

from __future__ import annotations

import logging
from importlib import metadata

try:
    __version__ = metadata.version("deploy-opt")
except metadata.PackageNotFoundError:  # running from a source tree
    __version__ = "0.1.0+src"

logging.getLogger("deploy_opt").addHandler(logging.NullHandler())

from deploy_opt.check import CheckReport as CheckReport  # noqa: E402
from deploy_opt.check import check_plan as check_plan  # noqa: E402
from deploy_opt.errors import DeployOptError as DeployOptError  # noqa: E402
from deploy_opt.errors import Issue as Issue  # noqa: E402
from deploy_opt.errors import ScenarioError as ScenarioError  # noqa: E402
from deploy_opt.pipeline import RunOutcome as RunOutcome  # noqa: E402
from deploy_opt.pipeline import run as run  # noqa: E402
from deploy_opt.problem import ProblemData as ProblemData  # noqa: E402
from deploy_opt.problem import build_problem as build_problem  # noqa: E402
from deploy_opt.result import Result as Result  # noqa: E402
from deploy_opt.result import SolveParams as SolveParams  # noqa: E402
from deploy_opt.scenario import Scenario as Scenario  # noqa: E402
from deploy_opt.scenario import load_scenario as load_scenario  # noqa: E402
from deploy_opt.scenario import validate_scenario as validate_scenario  # noqa: E402
from deploy_opt.solvers import solve_plan as solve_plan  # noqa: E402
from deploy_opt.travel import build_travel_model as build_travel_model  # noqa: E402

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
