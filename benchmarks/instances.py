"""Readers for the published location benchmark formats.

These turn the text files of OR-Library and of Lorena & Senne into the arrays the
location models take. The distance conventions are those under which the
published optima were computed:

* OR-Library ``pmedN.txt`` (uncapacitated p-median): an undirected graph whose
  all-pairs shortest-path lengths are the costs; when an edge is listed more than
  once, the **last** cost wins (Beasley's note).
* OR-Library ``pmedcapNN.txt`` (capacitated p-median, Osman & Christofides):
  Euclidean distances **truncated** to integers (floor).
* Lorena & Senne ``SJC*.dat`` and ``p3038_*.dat``: real (unrounded) Euclidean
  distances.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_array
from scipy.sparse.csgraph import shortest_path


@dataclass(frozen=True)
class PMedianInstance:
    """A published p-median instance, ready for :func:`~deploy_opt.location.p_median`.

    Attributes
    ----------
    name
        Instance name (file stem).
    cost
        ``(n, n)`` cost matrix; every point is both a demand point and a site.
    p
        Number of medians.
    demands
        Demand per point (capacity consumed), or ``None`` when uncapacitated.
    capacities
        Capacity per site, or ``None`` when uncapacitated.
    published
        Objective value stated in the file header, when there is one.
    """

    name: str
    cost: npt.NDArray[np.float64]
    p: int
    demands: npt.NDArray[np.float64] | None = None
    capacities: npt.NDArray[np.float64] | None = None
    published: float | None = None

    @property
    def n(self) -> int:
        """Number of points."""
        return int(self.cost.shape[0])


def read_orlib_pmed(path: str | Path) -> PMedianInstance:
    """Read an OR-Library uncapacitated p-median file (``pmed1.txt`` ... ``pmed40.txt``).

    Parameters
    ----------
    path
        The file. Its first line is ``n m p``, then ``m`` lines ``i j cost`` with
        1-based vertices.

    Returns
    -------
    PMedianInstance
        Shortest-path costs (duplicate edges: the last one wins), without
        published value (OR-Library keeps the optima in a separate table).

    Raises
    ------
    ValueError
        When the file does not have the declared number of edges.
    """
    tokens = Path(path).read_text().split()
    n, m, p = (int(t) for t in tokens[:3])
    edges = np.asarray(tokens[3 : 3 + 3 * m], dtype=np.int64)
    if edges.size != 3 * m:
        msg = f"{path}: expected {m} edges, found {edges.size // 3}"
        raise ValueError(msg)
    edges = edges.reshape(m, 3)
    graph = np.full((n, n), np.inf)
    # Reading in turn makes the last listed cost of a duplicated edge win.
    for i, j, c in edges:
        graph[i - 1, j - 1] = c
        graph[j - 1, i - 1] = c
    np.fill_diagonal(graph, 0.0)
    rows, cols = np.nonzero(np.isfinite(graph) & (graph > 0))
    sparse = csr_array((graph[rows, cols], (rows, cols)), shape=(n, n))
    cost = shortest_path(sparse, method="D", directed=False)
    return PMedianInstance(Path(path).stem, cost, p)


def _euclidean(xy: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    diff = xy[:, None, :] - xy[None, :, :]
    return np.sqrt((diff**2).sum(axis=2))


def read_orlib_pmedcap(path: str | Path) -> PMedianInstance:
    """Read an OR-Library capacitated p-median file (``pmedcap01.txt`` ...).

    Parameters
    ----------
    path
        The file: ``problem best``, ``n p capacity``, then ``n`` lines
        ``id x y demand``.

    Returns
    -------
    PMedianInstance
        Floor-truncated Euclidean costs, unit capacity per site as in the file,
        and the header's best known value as ``published``.

    Raises
    ------
    ValueError
        When the file is shorter than its header says.
    """
    tokens = Path(path).read_text().split()
    best = float(tokens[1])
    n, p, capacity = int(tokens[2]), int(tokens[3]), float(tokens[4])
    body = np.asarray(tokens[5 : 5 + 4 * n], dtype=np.float64)
    if body.size != 4 * n:
        msg = f"{path}: expected {n} points"
        raise ValueError(msg)
    body = body.reshape(n, 4)
    cost = np.floor(_euclidean(body[:, 1:3]))
    return PMedianInstance(
        Path(path).stem, cost, p, body[:, 3].copy(), np.full(n, capacity), best
    )


def read_lorena_senne(path: str | Path) -> PMedianInstance:
    """Read a Lorena & Senne capacitated p-median file (``SJC1.dat``, ``p3038_600.dat``).

    Parameters
    ----------
    path
        The file: ``n p``, then ``n`` lines ``x y capacity demand``.

    Returns
    -------
    PMedianInstance
        Real Euclidean costs, per-site capacities and demands; no published
        value (the files carry none).

    Raises
    ------
    ValueError
        When the file is shorter than its header says.
    """
    tokens = Path(path).read_text().split()
    n, p = int(tokens[0]), int(tokens[1])
    body = np.asarray(tokens[2 : 2 + 4 * n], dtype=np.float64)
    if body.size != 4 * n:
        msg = f"{path}: expected {n} points"
        raise ValueError(msg)
    body = body.reshape(n, 4)
    cost = _euclidean(body[:, 0:2])
    return PMedianInstance(
        Path(path).stem, cost, p, body[:, 3].copy(), body[:, 2].copy()
    )
