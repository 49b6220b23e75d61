"""Errors raised by the location models."""

from __future__ import annotations

from deploy_opt.errors import DeployOptError


class LocationInputError(DeployOptError, ValueError):
    """An argument of a location model is invalid (shape, sign, count, index)."""
