"""Run district tasks one after another, on a LocalCluster, or on a Dask cluster.

Results arrive in completion order (which varies); the caller places them by
``index``, so the outputs never depend on it. Serial runs never import Dask.
Every Dask server started here listens on 127.0.0.1 only.
"""

from __future__ import annotations

import logging
from collections.abc import Generator, Sequence
from contextlib import ExitStack
from typing import Any

from deploy_opt.errors import DeployOptError
from deploy_opt.region.district import DistrictResult, DistrictTask, solve_district

logger = logging.getLogger("deploy_opt")

#: Seconds to wait for an external scheduler to answer.
CONNECT_TIMEOUT_S = 30


class SchedulerError(DeployOptError):
    """The Dask scheduler given by address cannot be reached or used."""


#: Where a LocalCluster's scheduler, workers and nannies listen.
LOCAL_HOST = "127.0.0.1"


def run_serial(tasks: Sequence[DistrictTask]) -> Generator[DistrictResult, None, None]:
    """Solve the districts in this process, in the given order."""
    for task in tasks:
        yield solve_district(task)


def run_dask(
    tasks: Sequence[DistrictTask], *, jobs: int = 2, scheduler: str | None = None
) -> Generator[DistrictResult, None, None]:
    """Solve the districts on Dask workers, yielding each result as it is ready.

    With ``scheduler`` (an address such as ``tcp://10.0.0.5:8786``) the
    districts go to that cluster, whose workers must have deploy_opt
    installed and see the region's folder at the same path. Otherwise a
    LocalCluster of ``jobs`` single-threaded worker processes is started on
    127.0.0.1 (no dashboard, no memory limit: a worker may use what a serial
    run would) and closed when the iterator ends, also on an error or Ctrl-C.
    A result is fetched and released one at a time.
    """
    from concurrent.futures import CancelledError

    from distributed import Client, as_completed
    from distributed.scheduler import KilledWorker

    with ExitStack() as stack:
        if scheduler is not None:
            logger.info(
                "sending %d districts to the Dask scheduler %s", len(tasks), scheduler
            )
            client = stack.enter_context(_connect(Client, scheduler))
        else:
            logger.info("starting %d local Dask workers on %s", jobs, LOCAL_HOST)
            cluster = stack.enter_context(local_cluster(jobs))
            client = stack.enter_context(Client(cluster, set_as_default=False))
        futures = [client.submit(solve_district, task, pure=False) for task in tasks]
        pending = as_completed(futures, loop=client.loop)
        del futures
        try:
            for future in pending:
                try:
                    result: DistrictResult = future.result()
                except KilledWorker as exc:
                    msg = f"a district's worker process died each time it ran it (out of memory?): {exc}"
                    raise SchedulerError(msg) from exc
                except CancelledError as exc:
                    msg = "the Dask cluster dropped a district (its scheduler or workers were lost)"
                    raise SchedulerError(msg) from exc
                future.release()
                yield result
        finally:
            pending.clear()


def local_cluster(jobs: int) -> Any:
    """A LocalCluster of ``jobs`` single-threaded worker processes on 127.0.0.1.

    No dashboard and no memory limit (a worker may use what a serial run
    would; Dask would otherwise restart a worker above its share).
    """
    from distributed import LocalCluster

    return LocalCluster(
        n_workers=jobs,
        threads_per_worker=1,
        processes=True,
        host=LOCAL_HOST,
        dashboard_address=None,
        # its HTTP routes (health, metrics) on a free loopback port, never 0.0.0.0
        scheduler_kwargs={"dashboard_address": f"{LOCAL_HOST}:0"},
        memory_limit=0,
        silence_logs=logging.ERROR,
    )


def _connect(client_type: Any, address: str) -> Any:
    """A client of the scheduler at ``address``, or :class:`SchedulerError`."""
    try:
        return client_type(address, set_as_default=False, timeout=CONNECT_TIMEOUT_S)
    except (OSError, ValueError, TypeError) as exc:
        msg = f"cannot use the Dask scheduler at {address!r}: {exc}"
        raise SchedulerError(msg) from exc
