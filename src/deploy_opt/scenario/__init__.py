"""Scenario loading and validation."""

from deploy_opt.scenario.load import Scenario as Scenario
from deploy_opt.scenario.load import load_scenario as load_scenario
from deploy_opt.scenario.load import validate_scenario as validate_scenario
from deploy_opt.scenario.schema import ScenarioSpec as ScenarioSpec

__all__ = ["Scenario", "ScenarioSpec", "load_scenario", "validate_scenario"]
