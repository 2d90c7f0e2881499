#!/usr/bin/python3
"""Reference RankMe values for the engine's tests, computed with numpy's float64 SVD.

Usage: rankme_reference.py CASES.json OUTDIR

CASES.json is a list of cases; each case is an object with
  name      output file stem
  rows, cols
  spectrum  "gaussian" (i.i.d. N(0,1) entries), "repeated_row" (one row of uniform(1, 2) values
            repeated: rank 1), "relu:R" (BatchNorm + ReLU of a Gaussian projection: G (rows × R)
            times W (R × cols), each column standardised, then max(0, .); full rank, decaying
            spectrum with a large mean direction) or a singular-value profile over min(rows, cols):
            "flat", "power:A" (sigma_k = k^-A), "rank:R" (R ones, then zeros),
            "tiny:T" (1, then T repeated), "exp:R" (sigma_k = R^-(k-1)/(K-1), ratio R overall),
            "zeros" (all-zero matrix)
  dtype     "float16" | "bfloat16" | "float32" | "float64": values are rounded to it
  scale     multiplies the matrix before rounding (default 1)
  row_scales  [[first_row, factor], ...]: rows from first_row on are also multiplied by factor
            (before rounding; later pairs override earlier ones from their first_row)
  col_scales  [[first_col, factor], ...]: the same for columns
  seed      numpy seed (default 0)
  eps       RankMe eps (default 1e-7)
  max_samples, sample_seed   subsample as rankme::metrics::SubsampleRows does (0 = all rows)
  nan_at    [row, col]: that value becomes NaN after rounding
  metrics   false: leave the sister metrics out (null)
  offset    adds offset times a fixed uniform(1, 2) row to every row before rounding (a mean
            much larger than the spread when offset is large)

For each case it writes OUTDIR/<name>.bin (the rounded matrix, row-major little-endian float64)
and OUTDIR/<name>.json: rows, cols, dtype, rankme (null when undefined), sigma (float64 SVD of
the scored rows, descending, divided by 2^sigma_exponent), sigma_exponent and selected (the
subsampled row indices, or null), and metrics: every sister metric of DESIGN.md §2 by its
definition (rankme_centered, stable_rank, nesum, participation_ratio, alpha_req, alpha_req_r2;
null when undefined), the centred matrix being the scored rows minus their float64 mean. The SVD is of the rows divided by a power of two that brings
their largest magnitude into [0.5, 1) (exact), so that matrices near DBL_MAX or made of
subnormals get their true singular values (sigma * 2^sigma_exponent), which may be beyond the
float64 range.
"""
import json
import sys

import numpy as np

MASK64 = (1 << 64) - 1


def splitmix64(seed):
    state = seed & MASK64
    while True:
        state = (state + 0x9E3779B97F4A7C15) & MASK64
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
        yield z ^ (z >> 31)


def subsample_rows(seed, n_total, n_keep):
    """Partial Fisher-Yates over a virtual array, driven by SplitMix64 (see subsample.h)."""
    if n_keep >= n_total:
        return list(range(n_total))
    rng = splitmix64(seed)
    moved = {}
    kept = []
    for i in range(n_keep):
        j = i + next(rng) % (n_total - i)
        a_i = moved.get(i, i)
        a_j = moved.get(j, j)
        moved[j] = a_i
        kept.append(a_j)
    return sorted(kept)


def profile(spec, k):
    kind, _, arg = spec.partition(":")
    idx = np.arange(1, k + 1, dtype=np.float64)
    if kind == "flat":
        return np.ones(k)
    if kind == "power":
        return idx ** -float(arg)
    if kind == "rank":
        r = int(arg)
        return np.r_[np.ones(min(r, k)), np.zeros(max(k - r, 0))]
    if kind == "tiny":
        return np.r_[1.0, np.full(k - 1, float(arg))]
    if kind == "exp":
        return float(arg) ** (-(idx - 1) / max(k - 1, 1))
    if kind == "zeros":
        return np.zeros(k)
    raise ValueError(f"unknown spectrum {spec}")


def round_to(z, dtype):
    if dtype == "float64":
        return z.astype(np.float64)
    if dtype == "float32":
        return z.astype(np.float32).astype(np.float64)
    if dtype == "float16":
        return z.astype(np.float16).astype(np.float64)
    if dtype == "bfloat16":  # round to nearest even on the upper 16 bits of float32
        bits = z.astype(np.float32).view(np.uint32).astype(np.uint64)
        bits = (bits + 0x7FFF + ((bits >> 16) & 1)) & 0xFFFF0000
        return bits.astype(np.uint32).view(np.float32).astype(np.float64)
    raise ValueError(f"unknown dtype {dtype}")


def make_matrix(case):
    n, d = case["rows"], case["cols"]
    rng = np.random.default_rng(case.get("seed", 0))
    if case["spectrum"] == "gaussian":
        z = rng.standard_normal((n, d))
    elif case["spectrum"].startswith("relu:"):
        r = int(case["spectrum"].split(":")[1])
        x = rng.standard_normal((n, r)) @ rng.standard_normal((r, d))
        x = (x - x.mean(axis=0)) / x.std(axis=0)
        z = np.maximum(x, 0.0)
    elif case["spectrum"] == "repeated_row":
        z = np.tile(rng.uniform(1, 2, (1, d)), (n, 1))
    else:
        k = min(n, d)
        sigma = profile(case["spectrum"], k)
        u, _ = np.linalg.qr(rng.standard_normal((n, k)))
        v, _ = np.linalg.qr(rng.standard_normal((d, k)))
        z = (u * sigma) @ v.T
    row_factor = np.ones(n)
    for first_row, factor in case.get("row_scales", []):
        row_factor[first_row:] = factor
    col_factor = np.ones(d)
    for first_col, factor in case.get("col_scales", []):
        col_factor[first_col:] = factor
    z = z * row_factor[:, None] * col_factor[None, :] * case.get("scale", 1.0)
    if case.get("offset"):
        z = z + case["offset"] * np.random.default_rng(12345).uniform(1, 2, (1, d))
    return round_to(z, case["dtype"])


def rankme(sigma, eps):
    total = sigma.sum()  # sigma is scaled (largest near 1): the sum cannot overflow
    if total == 0:
        return None
    p = sigma / total + eps
    return float(np.exp(-np.sum(p * np.log(p))))


def alpha_req(lam):
    """Weighted least squares of log lambda_i on -log i, ranks 11..min(100, K), weights 1/i."""
    i = np.arange(11, min(100, len(lam)) + 1)
    if len(i) == 0:
        return None, None
    values = lam[i - 1]
    keep = values > 1e-12 * lam[0]
    i, values = i[keep], values[keep]
    if len(i) < 5:
        return None, None
    x, y, w = -np.log(i), np.log(values), 1.0 / i
    mx, my = (w * x).sum() / w.sum(), (w * y).sum() / w.sum()
    slope = (w * (x - mx) * (y - my)).sum() / (w * (x - mx) ** 2).sum()
    ss = (w * (y - my) ** 2).sum()
    resid = (w * (y - (slope * x + my - slope * mx)) ** 2).sum()
    return float(slope), (float(1 - resid / ss) if ss > 0 else None)


def sister_metrics(used, sigma, eps):
    """Every sister metric of the scored rows; sigma: their singular values (any scale)."""
    out = {k: None for k in ("rankme_centered", "stable_rank", "nesum", "participation_ratio",
                             "alpha_req", "alpha_req_r2")}
    if sigma[0] > 0:
        out["stable_rank"] = float(((sigma / sigma[0]) ** 2).sum())
    largest = np.abs(used).max()
    if largest == 0:
        return out
    scaled = np.ldexp(used, -int(np.frexp(largest)[1]))
    centred = scaled - scaled.mean(axis=0)
    sc = np.linalg.svd(centred, compute_uv=False)
    if sc[0] <= 64 * 2.0 ** -53 * np.sqrt(len(used)) * np.linalg.norm(scaled, 2):
        return out  # every row equal, up to the rounding of centring
    lam = sc ** 2 / (len(used) - 1)
    out["rankme_centered"] = rankme(sc / sc[0], eps)
    out["nesum"] = float(lam.sum() / lam[0])
    out["participation_ratio"] = float(lam.sum() ** 2 / (lam ** 2).sum())
    out["alpha_req"], out["alpha_req_r2"] = alpha_req(lam)
    return out


def main():
    cases = json.load(open(sys.argv[1]))
    out = sys.argv[2]
    for case in cases:
        z = make_matrix(case)
        n = case["rows"]
        keep = case.get("max_samples", 0)
        selected = None
        if keep > 0 and n > keep:
            selected = subsample_rows(case.get("sample_seed", 0), n, keep)
        used = z if selected is None else z[selected]
        largest = np.abs(used).max()
        exponent = int(np.frexp(largest)[1]) if largest > 0 else 0
        sigma = np.linalg.svd(np.ldexp(used, -exponent), compute_uv=False)
        value = rankme(sigma, case.get("eps", 1e-7))
        metrics = None
        if case.get("metrics", True) and np.isfinite(sigma).all():
            metrics = sister_metrics(used, sigma, case.get("eps", 1e-7))
        if "nan_at" in case:
            metrics = None
            r, c = case["nan_at"]
            z[r, c] = np.nan
            value = None
        z.astype("<f8").tofile(f"{out}/{case['name']}.bin")
        with open(f"{out}/{case['name']}.json", "w") as f:
            json.dump({"rows": n, "cols": case["cols"], "dtype": case["dtype"], "rankme": value,
                       "sigma": sigma.tolist(), "sigma_exponent": exponent,
                       "selected": selected,
                       "metrics": metrics}, f)


if __name__ == "__main__":
    main()
