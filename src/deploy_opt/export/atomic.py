"""Write an output directory atomically: all files or none, never half-written.

Files are written into a hidden temporary directory next to the target, synced
to disk, and the directory is renamed into place. An existing target is
replaced only when overwriting is allowed and it looks like our own output.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

from deploy_opt.errors import OutputExistsError

#: File that marks a directory as written by deploy_opt (safe to replace).
MARKER = "summary.json"


def _is_our_output(path: Path) -> bool:
    if not any(path.iterdir()):
        return True
    marker = path / MARKER
    try:
        return (
            json.loads(marker.read_text(encoding="utf-8")).get("tool") == "deploy_opt"
        )
    except (OSError, ValueError, AttributeError):
        return False


def check_writable(out_dir: Path, *, overwrite: bool) -> None:
    """Refuse early if ``out_dir`` exists and may not be replaced.

    Raises
    ------
    OutputExistsError
        When the directory exists and ``overwrite`` is false, or when it exists
        but is not an earlier deploy_opt output (we never delete other data).
    """
    if out_dir.exists() and not out_dir.is_dir():
        msg = f"output `{out_dir}` exists and is not a directory"
        raise OutputExistsError(msg)
    if out_dir.exists() and not overwrite:
        msg = f"output directory `{out_dir}` exists; pass --overwrite to replace it"
        raise OutputExistsError(msg)
    if out_dir.exists() and not _is_our_output(out_dir):
        msg = (
            f"output directory `{out_dir}` is not empty and holds no deploy_opt "
            f"{MARKER}; refusing to replace it"
        )
        raise OutputExistsError(msg)


def write_directory(out_dir: Path, files: dict[str, bytes], *, overwrite: bool) -> None:
    """Create ``out_dir`` holding exactly ``files`` (name -> content), atomically.

    Raises
    ------
    OutputExistsError
        See :func:`check_writable`.
    """
    out_dir = Path(out_dir)
    check_writable(out_dir, overwrite=overwrite)
    parent = out_dir.absolute().parent
    parent.mkdir(parents=True, exist_ok=True)
    _remove_abandoned(parent, out_dir.name)
    staging = Path(
        tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-{os.getpid()}-", dir=parent)
    )
    umask = os.umask(0)
    os.umask(umask)
    staging.chmod(0o777 & ~umask)  # mkdtemp makes it private; outputs are not
    try:
        for name, content in sorted(files.items()):
            with (staging / name).open("wb") as handle:
                handle.write(content)
                handle.flush()
                os.fsync(handle.fileno())
        if out_dir.exists():
            retired = Path(
                tempfile.mkdtemp(
                    prefix=f".{out_dir.name}.old-{os.getpid()}-", dir=parent
                )
            )
            retired.rmdir()
            out_dir.rename(retired)
            staging.rename(out_dir)
            shutil.rmtree(retired, ignore_errors=True)
        else:
            staging.rename(out_dir)
        _fsync_dir(parent)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _remove_abandoned(parent: Path, name: str) -> None:
    """Delete staging folders left by runs that were killed (their process is gone)."""
    for leftover in parent.glob(f".{name}.tmp-*-*"):
        pid = leftover.name.removeprefix(f".{name}.tmp-").split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(leftover, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
