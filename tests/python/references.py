"""Independent float64 numpy definitions of every metric (DESIGN.md §2) and of the row
subsample, for the Python tests; no code of the engine."""

import json
import os
import subprocess

import numpy as np

EPS = 1e-7


def reference_rankme(z, eps=EPS, centered=False):
    z = np.asarray(z, dtype=np.float64)
    if centered:
        z = z - z.mean(axis=0)
    sigma = np.linalg.svd(z, compute_uv=False)
    p = sigma / sigma.sum() + eps
    return float(np.exp(-(p * np.log(p)).sum()))


def _eigenvalues(z, centered):
    z = np.asarray(z, dtype=np.float64)
    if centered:
        z = z - z.mean(axis=0)
    sigma = np.linalg.svd(z, compute_uv=False)
    return sigma**2 / (z.shape[0] - 1)


def reference_alpha_req(lam):
    """(alpha, r_squared) of the weighted least-squares fit of log lambda_i on -log i over ranks
    11 ... min(100, len) with weights 1/i, ranks with lambda_i <= 1e-12 lambda_1 left out; None
    for both with fewer than 5 ranks."""
    lam = np.sort(lam)[::-1]
    i = np.arange(11, min(100, len(lam)) + 1)
    keep = lam[i - 1] > 1e-12 * lam[0]
    i = i[keep]
    if len(i) < 5:
        return None, None
    x, y, w = -np.log(i), np.log(lam[i - 1]), 1.0 / i
    design = np.stack([x, np.ones_like(x)], axis=1) * np.sqrt(w)[:, None]
    (slope, intercept), *_ = np.linalg.lstsq(design, y * np.sqrt(w), rcond=None)
    mean_y = (w * y).sum() / w.sum()
    total = (w * (y - mean_y) ** 2).sum()
    residual = (w * (y - slope * x - intercept) ** 2).sum()
    return float(slope), (float(1 - residual / total) if total > 0 else None)


def reference_metrics(z, eps=EPS):
    """Every metric of a matrix by its definition: {name: value}, plus "alpha_req_r2"."""
    lam = _eigenvalues(z, centered=False)
    lam_c = _eigenvalues(z, centered=True)
    alpha, r2 = reference_alpha_req(lam_c)
    return {
        "rankme": reference_rankme(z, eps),
        "rankme_centered": reference_rankme(z, eps, centered=True),
        "stable_rank": float(lam.sum() / lam.max()),
        "nesum": float(lam_c.sum() / lam_c.max()),
        "participation_ratio": float(lam_c.sum() ** 2 / (lam_c**2).sum()),
        "alpha_req": alpha,
        "alpha_req_r2": r2,
    }


def reference_lidar(views, delta=1e-4, eps=1e-8):
    """LiDAR of an n x q x D array (DESIGN.md §2), and its eigenvalues (descending)."""
    e = np.asarray(views, dtype=np.float64).reshape(views.shape[0], views.shape[1], -1)
    n, q, d = e.shape
    mu_i = e.mean(axis=1)
    mu = mu_i.mean(axis=0)
    between = (mu_i - mu).T @ (mu_i - mu) / (n - 1)
    within_dev = (e - mu_i[:, None, :]).reshape(n * q, d)
    within = within_dev.T @ within_dev / (n * (q - 1)) + delta * np.eye(d)
    w_lam, w_vec = np.linalg.eigh(within)
    inv_sqrt = (w_vec / np.sqrt(np.maximum(w_lam, 1e-8))) @ w_vec.T
    lam = np.maximum(np.linalg.eigvalsh(inv_sqrt @ between @ inv_sqrt), 0.0)[::-1]
    p = (lam + eps) / (lam + eps).sum()
    return float(np.exp(-(p * np.log(p)).sum())), lam


def reference_rows(seed, n_total, n_keep):
    """SplitMix64-driven partial Fisher-Yates, as include/rankme/metrics/subsample.h states."""
    mask = (1 << 64) - 1
    state = seed
    moved = {}
    kept = []
    for i in range(n_keep):
        state = (state + 0x9E3779B97F4A7C15) & mask
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & mask
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
        z ^= z >> 31
        j = i + z % (n_total - i)
        a_i, a_j = moved.get(i, i), moved.get(j, j)
        moved[j] = a_i
        kept.append(a_j)
    return sorted(kept)


def with_spectrum(n, d, sigma, seed=0, dtype=np.float32):
    """An n x d matrix U diag(sigma) V^T with random orthonormal U, V."""
    rng = np.random.default_rng(seed)
    u, _ = np.linalg.qr(rng.standard_normal((n, d)))
    v, _ = np.linalg.qr(rng.standard_normal((d, d)))
    return ((u * np.asarray(sigma)) @ v.T).astype(dtype)


def cli_score(spec, *flags):
    """`rankme score SPEC --json FLAGS...`, its first (only) entry."""
    out = subprocess.run(
        [os.environ["RANKME"], "score", str(spec), "--json", *flags],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out)[0]
