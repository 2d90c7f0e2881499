"""rankme in Python: exact RankMe (and its sister metrics, LiDAR) of arrays and tensors, and the
rankme database as frames.

    >>> import numpy as np, rankme
    >>> z = np.random.default_rng(0).standard_normal((1000, 64), dtype=np.float32)
    >>> rankme.score(z)["rankme"]            # doctest: +SKIP
    63.1...

The scores come from the same engine as the ``rankme`` command (a thin pybind11 layer over its
C++ library): ``rankme.score(x)`` equals ``rankme score FILE --json`` on ``x`` saved as .npy,
to the last bit, for the same settings, every metric of its "metrics" included; so does
``rankme.lidar(views)`` for a views tensor saved as ``FILE_views.npy``. Arrays are read in
place; see :func:`score`.

OpenBLAS picks its kernels when it loads. Like the command, importing rankme selects the fast
ones for this CPU (OPENBLAS_CORETYPE, when unset) -- which works only if nothing loaded OpenBLAS
before (numpy does): import rankme before numpy for the fastest scores, or set
OPENBLAS_CORETYPE yourself. :func:`blas_kernel` says which kernels run.
"""

from __future__ import annotations

import os as _os
import sys as _sys


def _select_fast_blas_kernels() -> None:
    # What the command does before main() (metrics::SelectFastBlasKernels), done before the
    # extension loads OpenBLAS. Without effect once OpenBLAS is loaded (e.g. by numpy).
    if "OPENBLAS_CORETYPE" in _os.environ:
        return
    try:
        with open("/proc/self/maps") as maps:
            if "libopenblas" in maps.read():
                return
        with open("/proc/cpuinfo") as cpuinfo:
            flags: set[str] = set()
            for line in cpuinfo:
                if line.startswith("flags"):
                    flags = set(line.split(":", 1)[1].split())
                    break
    except OSError:
        return
    if {"avx512f", "avx512bw", "avx512vl", "avx512dq"} <= flags:
        _os.environ["OPENBLAS_CORETYPE"] = "SkylakeX"
    elif {"avx2", "fma"} <= flags:
        _os.environ["OPENBLAS_CORETYPE"] = "Haswell"


_select_fast_blas_kernels()

from . import _rankme  # noqa: E402
from ._rankme import (  # noqa: E402,F401
    ConfigError,
    DatabaseError,
    DataError,
    Error,
    FormatError,
    IoError,
    UsageError,
    algorithm_version,
    blas_kernel,
)
from ._database import Database, ingest, open  # noqa: E402,F401
from ._scoring import lidar, metric_catalog, score, spectrum  # noqa: E402,F401

__version__ = _rankme.__version__

__all__ = [
    "ConfigError",
    "DataError",
    "Database",
    "DatabaseError",
    "Error",
    "FormatError",
    "IoError",
    "UsageError",
    "algorithm_version",
    "blas_kernel",
    "ingest",
    "lidar",
    "metric_catalog",
    "open",
    "score",
    "spectrum",
]

del _sys
