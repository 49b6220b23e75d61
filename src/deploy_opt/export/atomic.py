"""Write an output directory atomically: all files or none, never half-written.

Files are written into a hidden temporary directory next to the target, synced
to disk, and the directory is renamed into place. An existing target is
replaced only when overwriting is allowed and it looks like our own output.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from deploy_opt.errors import OutputExistsError, OutputPathError
from deploy_opt.export.cells import escape_controls

logger = logging.getLogger("deploy_opt")

#: File that marks a directory as written by deploy_opt (safe to replace).
MARKER = "summary.json"


def _is_our_output(path: Path, marker_name: str = MARKER) -> bool:
    if not any(path.iterdir()):
        return True
    marker = path / marker_name
    try:
        return (
            json.loads(marker.read_text(encoding="utf-8")).get("tool") == "deploy_opt"
        )
    except (OSError, ValueError, AttributeError):
        return False


def check_writable(
    out_dir: str | Path, *, overwrite: bool, marker: str = MARKER
) -> None:
    """Refuse early, before any solving, if ``out_dir`` cannot be written.

    Checks the path itself (no NUL, names within the file system's limits),
    every folder on the way (no file, dangling symbolic link or link loop
    where a folder must be), that a folder can actually be created next to
    the target (so an unwritable or read-only place is found now, also for
    root), and that an existing target may be replaced. Creates nothing.

    Raises
    ------
    OutputPathError
        When the path is malformed or its place cannot be written.
    OutputExistsError
        When the directory exists and ``overwrite`` is false, or when it exists
        but is not an earlier deploy_opt output: its ``marker`` file is not
        ours (we never delete other data).
    """
    target = _target(out_dir)
    base = _nearest_existing_folder(target)
    _probe(base, target.name)
    shown = _show(target)
    if target.exists() and not target.is_dir():
        msg = f"output `{shown}` exists and is not a directory"
        raise OutputExistsError(msg)
    if target.exists() and not overwrite:
        msg = f"output directory `{shown}` exists; pass --overwrite to replace it"
        raise OutputExistsError(msg)
    if target.exists() and not _is_our_output(target, marker):
        msg = (
            f"output directory `{shown}` is not empty and holds no deploy_opt "
            f"{marker}; refusing to replace it"
        )
        raise OutputExistsError(msg)


def _absolute(path: str | Path) -> Path:
    """Absolute and without ``..`` (so that ``plan/..`` names its real folder)."""
    return Path(os.path.normpath(Path(path).absolute()))


def _show(path: str | Path, limit: int = 120) -> str:
    """``path`` for a message: control characters escaped, shortened if long."""
    text = escape_controls(os.fsdecode(path))
    return text if len(text) <= limit else f"{text[: limit - 20]}...{text[-17:]}"


def _target(out_dir: str | Path) -> Path:
    """``out_dir`` as an absolute path, with its form checked."""
    raw = os.fsdecode(out_dir)
    if "\0" in raw:
        msg = f"output path `{_show(raw)}` contains a NUL character; expected a folder name without it"
        raise OutputPathError(msg)
    if not raw.strip():
        msg = "output path is empty; expected a folder name"
        raise OutputPathError(msg)
    target = _absolute(raw)
    if not target.name:
        msg = f"output path `{_show(raw)}` is the file system root; expected a folder below it"
        raise OutputPathError(msg)
    # names written: <parent>/.<name>.tmp-<pid>-<random>/<file>
    overhead = len(os.fsencode(_staging_prefix("", "tmp"))) + _RANDOM
    path_max = _pathconf(target, "PC_PATH_MAX", 4096) - overhead - _LONGEST_FILE
    size = len(os.fsencode(target))
    if size > path_max:
        msg = (
            f"output path `{_show(raw)}` is {size:,} bytes long; expected at most "
            f"{path_max:,} (the file system's limit less room for the files in it)"
        )
        raise OutputPathError(msg)
    name_max = _pathconf(target, "PC_NAME_MAX", 255)
    for part in target.parts[1:]:
        room = name_max - (overhead if part == target.name else 0)
        if len(os.fsencode(part)) > room:
            msg = (
                f"output path `{_show(raw)}`: the name `{_show(part, 60)}` is "
                f"{len(os.fsencode(part))} bytes long; expected at most {room} "
                f"(the file system takes {name_max} bytes per name"
                + (
                    ", less room for the suffix of the temporary folder used while writing)"
                    if part == target.name
                    else ")"
                )
            )
            raise OutputPathError(msg)
    return target


def _nearest_existing_folder(target: Path) -> Path:
    """The deepest existing folder on the way to ``target``; checks each step."""
    base = Path(target.anchor)
    for step in [*reversed(target.parents[:-1]), target]:
        try:
            info = os.lstat(step)
        except FileNotFoundError:
            return base
        except OSError as exc:
            msg = f"output path `{_show(step)}` cannot be used: {exc.strerror}"
            raise OutputPathError(msg) from exc
        if stat.S_ISLNK(info.st_mode):
            _check_link(step)
        if step == target:
            break
        if not step.is_dir():
            msg = (
                f"output path `{_show(target)}`: `{_show(step)}` is a file, "
                "expected a folder"
            )
            raise OutputPathError(msg)
        base = step
    return base


def _check_link(link: Path) -> None:
    try:
        link.stat()
    except FileNotFoundError as exc:
        msg = (
            f"output path `{_show(link)}` is a symbolic link to "
            f"`{_show(link.readlink())}`, which does not exist"
        )
        raise OutputPathError(msg) from exc
    except OSError as exc:  # ELOOP: a link loop
        msg = f"output path `{_show(link)}` is a symbolic link that cannot be followed: {exc.strerror}"
        raise OutputPathError(msg) from exc


def _probe(base: Path, name: str) -> None:
    """Create and remove a folder in ``base``: the only sure test of writing."""
    if not os.access(base, os.W_OK | os.X_OK):
        msg = f"cannot write the output: folder `{_show(base)}` is not writable"
        raise OutputPathError(msg)
    try:
        probe = tempfile.mkdtemp(prefix=_staging_prefix(name, "tmp"), dir=base)
        Path(probe).rmdir()
    except OSError as exc:
        msg = f"cannot write the output: no folder can be created in `{_show(base)}` ({exc.strerror})"
        raise OutputPathError(msg) from exc


def _pathconf(path: Path, name: str, default: int) -> int:
    for candidate in (path, *path.parents):
        try:
            return os.pathconf(candidate, name)
        except (OSError, ValueError):
            continue
    return default


def _staging_prefix(name: str, kind: str) -> str:
    return f".{name}.{kind}-{os.getpid()}-"


#: Characters that ``tempfile.mkdtemp`` appends to a prefix.
_RANDOM = 8
#: Room kept for the longest file name written into an output folder.
_LONGEST_FILE = 64


def write_directory(out_dir: Path, files: dict[str, bytes], *, overwrite: bool) -> None:
    """Create ``out_dir`` holding exactly ``files`` (name -> content), atomically.

    Raises
    ------
    OutputExistsError
        See :func:`check_writable`.
    """
    with staged_directory(out_dir, overwrite=overwrite) as staging:
        for name, content in sorted(files.items()):
            (staging / name).write_bytes(content)


@contextmanager
def staged_directory(
    out_dir: Path, *, overwrite: bool, marker: str = MARKER
) -> Iterator[Path]:
    """Yield an empty staging folder that replaces ``out_dir`` when the block ends.

    Write (and stream) files into the yielded folder, subfolders included; they
    are synced to disk and the folder is renamed into place only if the block
    finishes without an exception, otherwise it is deleted.

    Raises
    ------
    OutputExistsError
        See :func:`check_writable` (checked before the block runs).
    """
    _recover_abandoned(_absolute(out_dir))
    check_writable(out_dir, overwrite=overwrite, marker=marker)
    out_dir = _absolute(out_dir)
    parent = out_dir.parent
    parent.mkdir(parents=True, exist_ok=True)
    _remove_abandoned(parent, out_dir.name)
    staging = Path(
        tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-{os.getpid()}-", dir=parent)
    )
    umask = os.umask(0)
    os.umask(umask)
    staging.chmod(0o777 & ~umask)  # mkdtemp makes it private; outputs are not
    retired: Path | None = None
    try:
        logger.debug("writing the outputs into %s", staging)
        yield staging
        _fsync_tree(staging)
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
    except BaseException:  # also Ctrl-C and SIGTERM: leave no half-written output
        if retired is not None and retired.exists():
            if out_dir.exists():
                shutil.rmtree(retired, ignore_errors=True)
            else:  # stopped between the two renames: put the earlier output back
                retired.rename(out_dir)
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _fsync_tree(root: Path) -> None:
    """Flush every file and folder below ``root`` to disk."""
    for folder, _, names in sorted(os.walk(root)):
        for name in sorted(names):
            with (Path(folder) / name).open("rb") as handle:
                os.fsync(handle.fileno())
        _fsync_dir(Path(folder))


def _abandoned(parent: Path, name: str, kind: str) -> list[Path]:
    """Folders ``.<name>.<kind>-<pid>-*`` whose process is gone, in name order."""
    out = []
    for leftover in sorted(parent.glob(f".{name}.{kind}-*-*")):
        pid = leftover.name.removeprefix(f".{name}.{kind}-").split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            out.append(leftover)
    return out


def _recover_abandoned(out_dir: Path) -> None:
    """Put back an earlier output that a killed run had moved aside.

    A run killed between its two renames leaves the earlier output in
    ``.<name>.old-<pid>-*`` and no output at all: nothing is lost, it is
    moved back before anything else happens (a kill cannot be caught).
    """
    if not out_dir.parent.is_dir():
        return
    for retired in _abandoned(out_dir.parent, out_dir.name, "old"):
        if not out_dir.exists() and not out_dir.is_symlink():
            retired.rename(out_dir)
            logger.warning(
                "restored %s: a killed run had moved it aside", _show(out_dir)
            )
        else:
            shutil.rmtree(retired, ignore_errors=True)


def _remove_abandoned(parent: Path, name: str) -> None:
    """Delete staging folders left by runs that were killed (their process is gone)."""
    for leftover in _abandoned(parent, name, "tmp"):
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
