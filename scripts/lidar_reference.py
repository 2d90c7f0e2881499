#!/usr/bin/python3
"""Reference LiDAR values for the engine's tests, computed in float64 numpy with the literal
definition (eigh of the within-sample covariance, its inverse square root, eigvalsh of M).

Usage:
  lidar_reference.py CASES.json OUTDIR     make each case's views tensor and its reference
  lidar_reference.py --fixtures OUTDIR     write the committed fixtures (tests/data/lidar)
  lidar_reference.py --score FILE.npy...   print {"FILE": lidar} of n x q x D .npy files

CASES.json is a list of cases; each case is an object with
  name          output file stem
  samples, views, cols    n, q, D
  kind          "clustered": 8 clusters of sample means along a decaying spectrum (k^-1/2 in a
                random basis) with views scattered around each mean along another decaying
                spectrum; "identical_views": every view equal to its sample's mean;
                "same_means": every sample has the same mean up to rounding (views scattered
                around it)
  dtype         "float16" | "bfloat16" | "float32" | "float64": values are rounded to it
  scale         multiplies the tensor (default 1); offset: then added to every value (default 0)
  seed          numpy seed (default 0)
  delta, eps    LiDAR's (defaults 1e-4, 1e-8)
  max_samples, sample_seed   subsample samples as rankme::metrics::SubsampleRows does
  nan_at        [row, col] of the (n*q) x D rows: that value becomes NaN after rounding

For each case it writes OUTDIR/<name>.bin (the rounded tensor, (n*q) x D row-major
little-endian float64) and OUTDIR/<name>.json: samples, views, cols, dtype, lidar (null with
nan_at), eigenvalues (descending) and selected (the subsampled sample indices, or null).
"""
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rankme_reference import round_to, subsample_rows  # noqa: E402


def lidar(views, delta=1e-4, eps=1e-8):
    """LiDAR of an n x q x D array, literally: returns (value, eigenvalues descending).

    Values beyond 2^128 in magnitude are first divided by a power of two 2^k, and delta by
    2^(2k), which leaves M unchanged (float64 products of values near 1e200 would overflow)."""
    e = np.asarray(views, dtype=np.float64)
    largest = np.abs(e).max()
    if largest > 2.0 ** 128:
        k = int(np.frexp(largest)[1])
        e, delta = np.ldexp(e, -k), np.ldexp(delta, -2 * k)
    n, q, d = e.shape
    mu_i = e.mean(axis=1)
    centred_means = mu_i - mu_i.mean(axis=0)
    sigma_b = centred_means.T @ centred_means / (n - 1)
    r = (e - mu_i[:, None, :]).reshape(n * q, d)
    sigma_w = r.T @ r / (n * (q - 1)) + delta * np.eye(d)
    w, v = np.linalg.eigh(sigma_w)
    w = np.maximum(w, 1e-8)
    inv_sqrt = (v / np.sqrt(w)) @ v.T
    m = inv_sqrt @ sigma_b @ inv_sqrt
    lam = np.maximum(np.linalg.eigvalsh(m), 0.0)
    p = (lam + eps) / np.sum(lam + eps)
    return float(np.exp(-np.sum(p * np.log(p)))), lam[::-1]


def decaying_basis(rng, d, power):
    basis, _ = np.linalg.qr(rng.standard_normal((d, d)))
    return basis * (np.arange(1, d + 1) ** -power)[None, :]


def make_views(case):
    n, q, d = case["samples"], case["views"], case["cols"]
    rng = np.random.default_rng(case.get("seed", 0))
    kind = case.get("kind", "clustered")
    between = decaying_basis(rng, d, 0.5)
    within = decaying_basis(rng, d, 0.75)
    centres = rng.standard_normal((8, d)) @ between.T * 2.0
    means = centres[np.arange(n) % 8] + rng.standard_normal((n, d)) @ between.T * 0.5
    if kind == "same_means":
        means[:] = means[0]
    scatter = rng.standard_normal((n, q, d)) @ within.T * 0.3
    if kind == "same_means":
        scatter -= scatter.mean(axis=1, keepdims=True)
    if kind == "identical_views":
        scatter[:] = 0.0
    e = (means[:, None, :] + scatter) * case.get("scale", 1.0) + case.get("offset", 0.0)
    return round_to(e.reshape(n * q, d), case["dtype"]).reshape(n, q, d)


def run_cases(cases_path, out):
    with open(cases_path) as f:
        cases = json.load(f)
    for case in cases:
        e = make_views(case)
        n, q, d = e.shape
        keep = case.get("max_samples", 0)
        selected = subsample_rows(case.get("sample_seed", 0), n, keep) if 0 < keep < n else None
        used = e if selected is None else e[selected]
        value, lam = lidar(used, case.get("delta", 1e-4), case.get("eps", 1e-8))
        rows = e.reshape(n * q, d)
        if "nan_at" in case:
            rows[tuple(case["nan_at"])] = np.nan
            value = None
        rows.astype("<f8").tofile(os.path.join(out, case["name"] + ".bin"))
        with open(os.path.join(out, case["name"] + ".json"), "w") as f:
            json.dump({"samples": n, "views": q, "cols": d, "dtype": case["dtype"],
                       "lidar": value, "eigenvalues": lam.tolist(), "selected": selected}, f)


# The committed fixtures: small enough to keep in the repository (each under 40 kB).
FIXTURES = [
    {"name": "clustered_q2", "samples": 96, "views": 2, "cols": 16, "dtype": "float32", "seed": 1},
    {"name": "clustered_q8", "samples": 40, "views": 8, "cols": 24, "dtype": "float32", "seed": 2},
    {"name": "wide_n_le_d", "samples": 20, "views": 4, "cols": 48, "dtype": "float64", "seed": 3},
    {"name": "float16_q4", "samples": 64, "views": 4, "cols": 32, "dtype": "float16", "seed": 4},
    {"name": "offset_1e4", "samples": 80, "views": 4, "cols": 16, "dtype": "float64", "seed": 5,
     "offset": 1e4},
]


def write_fixtures(out):
    os.makedirs(out, exist_ok=True)
    expected = {}
    for case in FIXTURES:
        e = make_views(case)
        np_dtype = {"float16": np.float16, "float32": np.float32, "float64": np.float64}
        np.save(os.path.join(out, case["name"] + ".npy"), e.astype(np_dtype[case["dtype"]]))
        value, lam = lidar(e)
        expected[case["name"] + ".npy"] = {"shape": list(e.shape), "dtype": case["dtype"],
                                           "lidar": value, "lambda_max": float(lam[0])}
    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1, sort_keys=True)
        f.write("\n")


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--fixtures":
        write_fixtures(sys.argv[2])
    elif len(sys.argv) >= 2 and sys.argv[1] == "--score":
        print(json.dumps({p: lidar(np.load(p))[0] for p in sys.argv[2:]}))
    elif len(sys.argv) == 3:
        run_cases(sys.argv[1], sys.argv[2])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
