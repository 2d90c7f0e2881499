#!/usr/bin/python3
"""Writes a synthetic sweep (plain layout: config.json beside checkpoints/step_NNNNNN/*.npy) for
the report tests, with the numpy RankMe of every matrix.

usage: make_sweep.py OUT_DIR [--methods a,b] [--lrs 0.001,0.01] [--wds 0.0] [--seeds 2]
                     [--steps 3] [--rows 96] [--cols 24] [--hostile]

--hostile names one run folder <script>alert(1)</script>, gives configurations values with
markup and quotes, and puts a NaN into the last checkpoint of one run ("failed_step"). OUT_DIR/truth.json holds, per run: its folder (the run's name), seed,
hyperparameters and {step: rankme} (float64 SVD, eps 1e-7 after L1 normalisation, all rows).
"""
import argparse
import json
import os

import numpy as np

HOSTILE_RUN = "<script>alert(1)</script>"
HOSTILE_METHOD = "<img src=x onerror=alert(2)>"
HOSTILE_NOTE = "\"quoted\" & 'single' </style><script>alert(3)</script>"


def rankme(z, eps=1e-7):
    s = np.linalg.svd(z.astype(np.float64), compute_uv=False)
    p = s / np.abs(s).sum() + eps
    return float(np.exp(-(p * np.log(p)).sum()))


def write_npy(path, array):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    np.save(path, np.ascontiguousarray(array, dtype="<f4"))


def matrix(rng, rows, cols, alpha, rank):
    u, _ = np.linalg.qr(rng.standard_normal((rows, cols)))
    v, _ = np.linalg.qr(rng.standard_normal((cols, cols)))
    sigma = np.arange(1, cols + 1, dtype=np.float64) ** -alpha
    sigma[rank:] = 0
    return (u * sigma) @ v.T


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--methods", default="simclr,vicreg")
    parser.add_argument("--lrs", default="0.0003,0.001,0.003")
    parser.add_argument("--wds", default="0.0001")
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--rows", type=int, default=96)
    parser.add_argument("--cols", type=int, default=24)
    parser.add_argument("--hostile", action="store_true")
    args = parser.parse_args()

    methods = args.methods.split(",")
    if args.hostile:
        methods.append(HOSTILE_METHOD)
    lrs = [float(x) for x in args.lrs.split(",")]
    wds = [float(x) for x in args.wds.split(",")]
    rng = np.random.default_rng(7)
    sweep = os.path.join(args.out, "sweep")
    runs = []
    for m, method in enumerate(methods):
        for lr in lrs:
            for wd in wds:
                for seed in range(args.seeds):
                    name = f"m{m}_lr{lr:g}_wd{wd:g}/seed{seed}"
                    if args.hostile and m == 0 and lr == lrs[0] and seed == 0:
                        name = HOSTILE_RUN
                    config = {"method": method, "optim": {"lr": lr, "weight_decay": wd},
                              "seed": seed}
                    if args.hostile:
                        config["note"] = HOSTILE_NOTE if m == 1 else "plain"
                    run_dir = os.path.join(sweep, name)
                    os.makedirs(run_dir, exist_ok=True)
                    with open(os.path.join(run_dir, "config.json"), "w") as f:
                        json.dump(config, f)
                    scores = {}
                    for s in range(args.steps):
                        step = 100 * (s + 1)
                        alpha = 0.4 + 0.3 * m + 0.15 * np.log10(lr / 0.001) + 0.05 * seed \
                            + 0.04 * wds.index(wd) - 0.2 * s / max(1, args.steps - 1)
                        rank = args.cols if m != 1 or lr < 0.002 else max(2, args.cols // (s + 2))
                        z = matrix(rng, args.rows, args.cols, max(alpha, 0.05), rank)
                        path = os.path.join(run_dir, "checkpoints", f"step_{step:06d}",
                                            "embeddings.npy")
                        write_npy(path, z)
                        scores[str(step)] = rankme(z.astype("<f4"))
                    failed = None
                    if args.hostile and m == 2 and lr == lrs[-1] and seed == 1:
                        failed = step  # the last one: the run has no value under "last"
                        z[3, 5] = np.nan  # diverged training: the file cannot be scored
                        write_npy(path, z)
                        # An hour old: a fresh file that fails to read could still be being
                        # written, and ingest would call it not ready instead of failed.
                        old = os.path.getmtime(path) - 3600
                        os.utime(path, (old, old))
                        del scores[str(step)]
                    # As the report names them: optim.lr is `lr` across the sweep.
                    hparams = {"method": method, "lr": lr, "weight_decay": wd}
                    if args.hostile:
                        hparams["note"] = config["note"]
                    runs.append({"run": name, "seed": seed, "hparams": hparams,
                                 "rankme": scores, "failed_step": failed})
    with open(os.path.join(args.out, "truth.json"), "w") as f:
        json.dump({"runs": runs, "hostile_run": HOSTILE_RUN, "hostile_method": HOSTILE_METHOD,
                   "hostile_note": HOSTILE_NOTE}, f, indent=1)


if __name__ == "__main__":
    main()
