"""Serial, a LocalCluster (--jobs 2) and an external Dask cluster write the same bytes.

The external cluster is a scheduler and a worker started in the test on
127.0.0.1 and used by its address; every Dask server must listen there only.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
from distributed import LocalCluster
from region_helpers import tree_bytes

from deploy_opt.region import SchedulerError, run_region

LOOPBACK = "127.0.0.1"


def listening_addresses(pids: list[int]) -> set[str]:
    """IP addresses that the processes ``pids`` and their children listen on."""
    found = set()
    for pid in pids:
        process = psutil.Process(pid)
        for member in (process, *process.children(recursive=True)):
            try:
                connections = member.net_connections(kind="inet")
            except psutil.NoSuchProcess:  # ended since listed: listens nowhere
                continue
            found |= {c.laddr.ip for c in connections if c.status == psutil.CONN_LISTEN}
    return found


@pytest.fixture
def external_cluster() -> Iterator[str]:
    """A scheduler and a worker started here on 127.0.0.1, reached by address.

    They run in this process (an asyncio loop in a thread), so the test pays
    no start-up of fresh interpreters; the LocalCluster test covers worker
    processes. One single-threaded worker: solves never run side by side in
    this process (warning filters are process-wide).
    """
    with LocalCluster(
        n_workers=1,
        threads_per_worker=1,
        processes=False,
        protocol="tcp://",  # reached over TCP like any other cluster
        host=LOOPBACK,
        dashboard_address=None,
        scheduler_kwargs={"dashboard_address": f"{LOOPBACK}:0"},
    ) as cluster:
        assert listening_addresses([os.getpid()]) == {LOOPBACK}
        yield cluster.scheduler_address


class LoopbackCheck:
    """A region listener that records where this process and its children listen
    while the districts run (the LocalCluster is up then)."""

    def __init__(self) -> None:
        self.addresses: set[str] = set()

    def start(self, names: list[str]) -> None:
        pass

    def finished(self, digest: dict[str, object]) -> None:
        self.addresses |= listening_addresses([os.getpid()])


def test_local_cluster_writes_the_serial_bytes_and_listens_on_loopback(
    three_districts: Path, serial_run: Path, tmp_path: Path
) -> None:
    out = tmp_path / "jobs2"
    check = LoopbackCheck()
    outcome = run_region(
        three_districts, out, jobs=2, reproducible=True, listener=check
    )
    assert outcome.summary["counts"]["districts"] == 3
    assert tree_bytes(out) == tree_bytes(serial_run)
    assert check.addresses == {LOOPBACK}


def test_external_cluster_writes_the_serial_bytes(
    three_districts: Path, serial_run: Path, tmp_path: Path, external_cluster: str
) -> None:
    assert external_cluster.startswith(f"tcp://{LOOPBACK}:")
    out = tmp_path / "cluster"
    run_region(three_districts, out, scheduler=external_cluster, reproducible=True)
    assert tree_bytes(out) == tree_bytes(serial_run)


def test_unreachable_scheduler_is_an_error_and_writes_nothing(
    three_districts: Path, tmp_path: Path
) -> None:
    out = tmp_path / "none"
    with pytest.raises(SchedulerError, match="cannot use the Dask scheduler"):
        run_region(three_districts, out, scheduler="nonsense://127.0.0.1")
    assert not out.exists()
