"""Serial, a LocalCluster (--jobs 2) and an external Dask cluster write the same bytes.

The external cluster is a scheduler and two workers started here as
processes bound to 127.0.0.1; every Dask server must listen there only.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
from distributed import Client
from region_helpers import tree_bytes

from deploy_opt.region import SchedulerError, run_region

LOOPBACK = "127.0.0.1"


def listening_addresses(pids: list[int]) -> set[str]:
    """IP addresses that the processes ``pids`` and their children listen on."""
    found = set()
    for pid in pids:
        process = psutil.Process(pid)
        for member in (process, *process.children(recursive=True)):
            for connection in member.net_connections(kind="inet"):
                if connection.status == psutil.CONN_LISTEN:
                    found.add(connection.laddr.ip)
    return found


def dask_process(tmp_path: Path, name: str, *args: str) -> subprocess.Popen[bytes]:
    """``python -m distributed.cli.<name> *args`` bound to 127.0.0.1, logging to a file."""
    log = (tmp_path / f"{name}-{len(list(tmp_path.glob('*.log')))}.log").open("wb")
    with log:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                f"distributed.cli.{name}",
                *args,
                "--host",
                LOOPBACK,
                "--no-dashboard",
                "--dashboard-address",
                f"{LOOPBACK}:0",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )


@pytest.fixture
def external_cluster(tmp_path: Path) -> Iterator[str]:
    """A Dask scheduler and two single-threaded workers, processes on 127.0.0.1."""
    scheduler_file = str(tmp_path / "scheduler.json")
    processes = [
        dask_process(
            tmp_path,
            "dask_scheduler",
            "--port",
            "0",
            "--scheduler-file",
            scheduler_file,
        )
    ]
    try:
        processes += [
            dask_process(
                tmp_path,
                "dask_worker",
                "--scheduler-file",
                scheduler_file,
                "--nthreads",
                "1",
                "--no-nanny",
                "--memory-limit",
                "0",
            )
            for _ in range(2)
        ]
        # the client waits for the scheduler file, then for both workers
        with Client(scheduler_file=scheduler_file, timeout=60) as client:
            client.wait_for_workers(2, timeout=60)
            address = client.scheduler.address
        assert listening_addresses([p.pid for p in processes]) == {LOOPBACK}
        yield address
    finally:  # workers first, so that none waits for a scheduler that is gone
        for process in reversed(processes):
            stop(process)


def stop(process: subprocess.Popen[bytes]) -> None:
    """Terminate ``process``; kill it if it has not ended 30 s later."""
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


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
