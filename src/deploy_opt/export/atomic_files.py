"""Write a few single files atomically (the report next to a run, a comparison).

Each file is written to a hidden temporary name in its own folder, synced to
disk and renamed into place; the renames happen only after every file was
written, so an error or Ctrl-C leaves the earlier files as they were and no
partial file behind. (:mod:`deploy_opt.export.atomic` replaces whole folders.)
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

from deploy_opt.errors import OutputExistsError, OutputPathError
from deploy_opt.export.atomic import _fsync_dir, _show


def write_files_atomically(files: Mapping[Path, bytes], *, overwrite: bool) -> None:
    """Write ``files`` (path -> content), all or none.

    Raises
    ------
    OutputExistsError
        When a path exists and ``overwrite`` is false, or it is a folder.
    OutputPathError
        When a path's folder does not exist or cannot be written.
    """
    check_targets(files, overwrite=overwrite)
    staged: dict[Path, Path] = {}
    try:
        for path, content in files.items():
            handle, name = tempfile.mkstemp(
                prefix=f".{path.name}.tmp-{os.getpid()}-", dir=path.parent
            )
            staged[path] = Path(name)
            with os.fdopen(handle, "wb") as stream:
                stream.write(content)
                stream.flush()
                os.fsync(stream.fileno())
            umask = os.umask(0)
            os.umask(umask)
            Path(name).chmod(0o666 & ~umask)  # mkstemp makes it private
        for path, temporary in staged.items():
            temporary.replace(path)
        for folder in {path.parent for path in files}:
            _fsync_dir(folder)
    except OSError as exc:
        msg = f"cannot write the output: {exc.strerror or exc}"
        raise OutputPathError(msg) from exc
    finally:
        for temporary in staged.values():
            temporary.unlink(missing_ok=True)


def check_targets(paths: Iterable[Path], *, overwrite: bool) -> None:
    """Refuse early when a file of ``paths`` cannot be written or replaced.

    Raises
    ------
    OutputExistsError, OutputPathError
        As :func:`write_files_atomically`.
    """
    for path in paths:
        if path.is_dir():
            msg = f"`{_show(path)}` is a folder; expected a file name"
            raise OutputExistsError(msg)
        if (path.exists() or path.is_symlink()) and not overwrite:
            msg = f"`{_show(path)}` exists; pass --overwrite to replace it"
            raise OutputExistsError(msg)
        if not path.parent.is_dir():
            msg = f"cannot write `{_show(path)}`: folder `{_show(path.parent)}` does not exist"
            raise OutputPathError(msg)
