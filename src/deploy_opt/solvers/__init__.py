"""Solvers: group formation, allocation of personnel, Linmas and medical links."""

from deploy_opt.solvers.plan import solve_plan as solve_plan

__all__ = ["solve_plan"]
