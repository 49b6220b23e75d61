"""Regions: several Polres district scenarios solved as independent subproblems.

``region.yaml`` lists district scenario folders (``docs/region.md``);
:func:`run_region` solves each with the usual pipeline, serially or on Dask
(a LocalCluster or an existing cluster), and writes every district's outputs
plus the merged tables and summary atomically. Modules:
:mod:`~deploy_opt.region.spec` (the file), :mod:`~deploy_opt.region.district`
(one subproblem, run on a worker), :mod:`~deploy_opt.region.execute` (serial
or Dask), :mod:`~deploy_opt.region.merge` (outputs),
:mod:`~deploy_opt.region.report` (text for the terminal).
"""

from __future__ import annotations

from deploy_opt.region.district import district_seed as district_seed
from deploy_opt.region.execute import SchedulerError as SchedulerError
from deploy_opt.region.run import DistrictCheck as DistrictCheck
from deploy_opt.region.run import RegionListener as RegionListener
from deploy_opt.region.run import RegionOutcome as RegionOutcome
from deploy_opt.region.run import run_region as run_region
from deploy_opt.region.run import validate_region as validate_region
from deploy_opt.region.spec import Region as Region
from deploy_opt.region.spec import is_region_file as is_region_file
from deploy_opt.region.spec import load_region as load_region

__all__ = [
    "DistrictCheck",
    "Region",
    "RegionListener",
    "RegionOutcome",
    "SchedulerError",
    "district_seed",
    "is_region_file",
    "load_region",
    "run_region",
    "validate_region",
]
