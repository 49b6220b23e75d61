"""On-disk cache of travel-time matrices, keyed by a hash of every input.

The key covers the network file bytes and reading options, the mode's speeds
and rules, the profile, the point coordinates, the cutoff and a format
version, so a hit returns exactly what a fresh computation would. Files are
written to a temporary name and moved into place with :meth:`Path.replace`
(:func:`os.replace`), so readers never see half-written entries; an
unreadable entry is ignored and recomputed.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import scipy.sparse as sp

#: Bump when the meaning of cached matrices changes.
CACHE_VERSION = "road-matrix-v1"

#: Environment variable overriding the default cache folder.
CACHE_ENV = "DEPLOY_OPT_CACHE_DIR"


def default_cache_dir() -> Path:
    """``$DEPLOY_OPT_CACHE_DIR``, else ``$XDG_CACHE_HOME/deploy_opt``, else
    ``~/.cache/deploy_opt``."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "deploy_opt"


def cache_key(*parts: bytes | str) -> str:
    """SHA-256 over the parts, each length-prefixed so boundaries matter."""
    sha = hashlib.sha256(CACHE_VERSION.encode())
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        sha.update(len(data).to_bytes(8, "little"))
        sha.update(data)
    return sha.hexdigest()


class MatrixCache:
    """A folder of ``<key>.npz`` files holding sparse int64 matrices.

    Parameters
    ----------
    directory
        Where entries live; created on first write.
    """

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)

    def _path(self, key: str) -> Path:
        return self.directory / "travel" / f"{key}.npz"

    def load(self, key: str, shape: tuple[int, int]) -> sp.csr_array | None:
        """The cached matrix for ``key``, or ``None`` if absent or unreadable."""
        path = self._path(key)
        if not path.is_file():
            return None
        try:
            with np.load(path, allow_pickle=False) as npz:
                n_rows, n_cols = (int(s) for s in npz["shape"])
                matrix = sp.csr_array(
                    (npz["data"], npz["indices"], npz["indptr"]),
                    shape=(n_rows, n_cols),
                )
        except (OSError, KeyError, ValueError, zipfile.BadZipFile):
            return None
        if matrix.shape != shape or matrix.dtype != np.int64:
            return None
        return matrix

    def store(self, key: str, matrix: sp.csr_array) -> None:
        """Write ``matrix`` atomically; failures to write are not errors."""
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        except OSError:
            return
        try:
            with os.fdopen(fd, "wb") as fh:
                np.savez(
                    fh,
                    data=matrix.data.astype(np.int64),
                    indices=matrix.indices,
                    indptr=matrix.indptr,
                    shape=np.asarray(matrix.shape, dtype=np.int64),
                )
            Path(tmp).replace(path)  # atomic (os.replace)
        except OSError:
            with contextlib.suppress(OSError):
                Path(tmp).unlink()
