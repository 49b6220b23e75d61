"""Errors raised by the location models."""

from __future__ import annotations

from deploy_opt.errors import DeployOptError


class LocationInputError(DeployOptError, ValueError):
    """An argument of a location model is invalid (shape, sign, count, index)."""


class LocationSolverError(DeployOptError, RuntimeError):
    """A location method could not go on: HiGHS rejected or failed a model, or a
    step broke a rule its method guarantees (a bug: please report it)."""
