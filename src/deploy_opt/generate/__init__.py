"""Synthetic scenarios at any scale: ``deploy-opt generate`` (docs/generate.md).

Modules: :mod:`~deploy_opt.generate.settlements` (clustered TPS),
:mod:`~deploy_opt.generate.categories` (risk mix),
:mod:`~deploy_opt.generate.bases` (bases and headcounts),
:mod:`~deploy_opt.generate.presets` (Polda Metro Jaya, nasional),
:mod:`~deploy_opt.generate.write` (files), :mod:`~deploy_opt.generate.build`
(the entry point); :mod:`~deploy_opt.generate.rules` holds the published ratios.
"""

from __future__ import annotations

from deploy_opt.generate.build import GenerateError as GenerateError
from deploy_opt.generate.build import GenerateReport as GenerateReport
from deploy_opt.generate.build import generate as generate
from deploy_opt.generate.presets import PRESETS as PRESETS

__all__ = ["PRESETS", "GenerateError", "GenerateReport", "generate"]
