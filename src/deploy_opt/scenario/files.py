"""Check a path before anything opens it: a regular, readable file of sane size.

A scenario names its files, so odd paths are user input: a NUL byte, names
longer than file systems allow, symbolic-link loops, folders, and FIFOs,
sockets or devices (opening a FIFO for reading blocks until someone writes).
Every such path gets a one-line reason instead of a traceback or a hang.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

#: Longest file-name component (bytes) on Linux, macOS and Windows file systems.
MAX_NAME_BYTES = 255
#: Longest path (bytes) the Linux kernel accepts.
MAX_PATH_BYTES = 4096

_KINDS = (
    (stat.S_ISDIR, "is a folder, expected a file"),
    (stat.S_ISFIFO, "is a named pipe (FIFO), expected a regular file"),
    (stat.S_ISSOCK, "is a socket, expected a regular file"),
    (stat.S_ISCHR, "is a device, expected a regular file"),
    (stat.S_ISBLK, "is a device, expected a regular file"),
)


def display_path(path: str | Path) -> str:
    """``path`` as text safe to print: control characters escaped."""
    text = str(path)
    if text.isprintable():
        return text
    return text.encode("unicode_escape", "backslashreplace").decode("ascii")


def _size(count: int) -> str:
    return f"{count / 2**20:.1f} MiB" if count >= 2**20 else f"{count:,} bytes"


def file_problem(path: Path, max_bytes: int | None = None) -> str | None:
    """Why ``path`` cannot be read as a data file, or ``None`` when it can.

    Parameters
    ----------
    path
        The file to check; nothing is opened, only ``os.stat`` is called.
    max_bytes
        Largest size accepted, or ``None`` for any size.
    """
    text = str(path)
    if "\x00" in text:
        return "the path contains a NUL character (\\x00); file names cannot"
    try:
        encoded = os.fsencode(text)
    except UnicodeError:
        return "the path has characters no file name can hold"
    longest = max((len(part) for part in encoded.split(b"/")), default=0)
    if longest > MAX_NAME_BYTES:
        return (
            f"a name in the path is {longest} bytes long; file systems allow "
            f"{MAX_NAME_BYTES} per name"
        )
    if len(encoded) > MAX_PATH_BYTES:
        return f"the path is {len(encoded):,} bytes long; at most {MAX_PATH_BYTES:,}"
    try:
        info = os.stat(path)  # noqa: PTH116 (checked before any open)
    except FileNotFoundError:
        return "file not found"
    except NotADirectoryError:
        return "file not found (a folder in the path is a file)"
    except PermissionError:
        return "permission denied"
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "file not found: the path runs into a loop of symbolic links"
        if exc.errno == errno.ENAMETOOLONG:
            return "the path is too long for the file system"
        return f"cannot be read: {exc.strerror or exc}"
    except ValueError as exc:  # anything else os.stat refuses outright
        return f"not a usable path ({exc})"
    for test, message in _KINDS:
        if test(info.st_mode):
            return message
    if not stat.S_ISREG(info.st_mode):
        return "is not a regular file"
    if max_bytes is not None and info.st_size > max_bytes:
        return (
            f"is {_size(info.st_size)}; a file here may have at most {_size(max_bytes)}"
        )
    if not os.access(path, os.R_OK):
        return "permission denied (not readable)"
    return None


def read_regular_file(path: Path, max_bytes: int) -> bytes:
    """The bytes of ``path``, refusing anything but a regular file of ``max_bytes``.

    The file is opened without blocking and checked again after opening, so a
    path swapped for a FIFO between the check and the read cannot hang.

    Raises
    ------
    OSError
        With a readable ``strerror`` when the file cannot be used.
    """
    problem = file_problem(path, max_bytes)
    if problem is not None:
        raise OSError(errno.EINVAL, problem)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    descriptor = os.open(path, flags)
    with os.fdopen(descriptor, "rb") as handle:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise OSError(errno.EINVAL, "is not a regular file")
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise OSError(errno.EFBIG, f"is larger than {_size(max_bytes)}")
    return data
