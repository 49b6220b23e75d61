"""Writers: they take a solved plan and never decide anything."""

from deploy_opt.export.atomic import check_writable as check_writable
from deploy_opt.export.atomic import write_directory as write_directory
from deploy_opt.export.summary import build_summary as build_summary
from deploy_opt.export.tables import roster_table as roster_table
from deploy_opt.export.tables import stations_table as stations_table

__all__ = [
    "build_summary",
    "check_writable",
    "roster_table",
    "stations_table",
    "write_directory",
]
