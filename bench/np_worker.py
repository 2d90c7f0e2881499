"""numpy side of the benchmark: one measurement per process, printed as one JSON line.

Run with Debian's /usr/bin/python3 and OPENBLAS_CORETYPE set by the caller (bench/bench.py):
numpy reaches OpenBLAS through libblas.so.3 / liblapack.so.3, the same library rankme links.

  np_worker.py svd FILE   np.load + np.linalg.svd(Z, compute_uv=False) + the RankMe formula
  np_worker.py gram FILE  np.load, then Z.T @ Z (timed alone; numpy runs it as ssyrk)
  np_worker.py lidar FILE np.load of an n x q x D views tensor + LiDAR in float64 by the literal
                          definition (eigh of the within-sample covariance, its inverse square
                          root, eigvalsh of M: scripts/lidar_reference.py)
"""
import ctypes
import json
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "scripts"))
from lidar_reference import lidar  # noqa: E402


def blas_core():
    """Kernel family and threads of the OpenBLAS numpy runs on."""
    try:
        lib = ctypes.CDLL("libblas.so.3")
        lib.openblas_get_corename.restype = ctypes.c_char_p
        return lib.openblas_get_corename().decode(), int(lib.openblas_get_num_threads())
    except (OSError, AttributeError):
        return "unknown", 0


def rankme_formula(s, eps=1e-7):
    p = s / np.sum(s) + eps
    return float(np.exp(-np.sum(p * np.log(p))))


def main():
    mode, path = sys.argv[1], sys.argv[2]
    out = {}
    t0 = time.perf_counter()
    z = np.load(path)
    t1 = time.perf_counter()
    if mode == "svd":
        s = np.linalg.svd(z, compute_uv=False).astype(np.float64)
        out["rankme"] = rankme_formula(s)
        out["seconds"] = time.perf_counter() - t0
    elif mode == "gram":
        g = z.T @ z
        out["seconds"] = time.perf_counter() - t1
        out["trace"] = float(np.trace(g))
    elif mode == "lidar":
        out["lidar"] = lidar(z)[0]
        out["seconds"] = time.perf_counter() - t0
    else:
        raise SystemExit(f"unknown mode {mode}")
    out["load_seconds"] = t1 - t0
    out["core"], out["threads"] = blas_core()
    out["numpy"] = np.__version__
    print(json.dumps(out))


if __name__ == "__main__":
    main()
