#!/usr/bin/python3
"""Writes a small synthetic sweep in one layout, for the ingest tests, with numpy references.

usage: make_ingest_sweep.py OUT_DIR [options]   (see --help)

Every run gets a config in the layout's own format (seed + hyperparameters), and every
checkpoint real embedding files: float32 matrices of random rank (so scores differ), written as
.npy, .npz or .safetensors by numpy alone. OUT_DIR/truth.json lists one record per scored matrix:

  {"run_dir": relative run folder, "seed": int, "hparams": {flattened key: value},
   "name_step": int|null, "name_epoch": int|null, "tensor": name, "files": [relative paths],
   "rankme": float64 SVD RankMe (eps 1e-7 after L1 normalisation, all rows) or null when the
   matrix holds a NaN, "rankme_eps_1e-5": the same with eps 1e-5, "rows": N, "cols": D}

Shards (--shards K) split a checkpoint's matrix row-wise into rank0_..rankK-1_ files; the
reference is the score of the concatenated matrix. --nan R:C puts a NaN into checkpoint C of
run R (both 0-based).
"""
import argparse
import json
import os
import struct

import numpy as np


def rankme(z, eps=1e-7):
    s = np.linalg.svd(z.astype(np.float64), compute_uv=False)
    p = s / np.abs(s).sum() + eps
    return float(np.exp(-(p * np.log(p)).sum()))


def write_safetensors(path, tensors):
    header, offset, blobs = {}, 0, []
    for name, array in tensors.items():
        data = np.ascontiguousarray(array, dtype="<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(array.shape),
                        "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def write_tensors(path, fmt, tensors):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if fmt == "npy":
        (array,) = tensors.values()
        np.save(path, array.astype(np.float32))
    elif fmt == "npz":
        np.savez(path, **{k: v.astype(np.float32) for k, v in tensors.items()})
    elif fmt == "safetensors":
        write_safetensors(path, tensors)
    else:
        raise SystemExit("unknown format " + fmt)


def write_yaml(path, mapping, indent=0):
    lines = []
    for key, value in mapping.items():
        if isinstance(value, dict):
            lines.append(" " * indent + key + ":")
            lines.extend(write_yaml(None, value, indent + 2))
        else:
            lines.append(" " * indent + key + ": " + json.dumps(value))
    if path is None:
        return lines
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def nest(flat):
    out = {}
    for key, value in flat.items():
        node = out
        parts = key.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return out


# layout -> (run folder, config writer, checkpoint file paths relative to the run, format)
def run_dir_of(layout, i):
    return {
        "hydra": "multirun/2026-01-01/00-00-00/%d" % i,
        "lightning": "lightning_logs/version_%d" % i,
        "wandb": "wandb/run-20260101_0000%02d-r%04d" % (i, i),
        "solo-learn": "trained_models/run%d" % i,
        "plain": "run_%02d" % i,
    }[layout]


def write_config(layout, out, run, seed, hparams):
    flat = dict(hparams)
    flat["seed"] = seed
    if layout == "hydra":
        write_yaml(os.path.join(out, run, ".hydra/config.yaml"), nest(flat))
        with open(os.path.join(out, run, ".hydra/overrides.yaml"), "w") as f:
            f.write("".join("- %s=%s\n" % (k, json.dumps(v)) for k, v in hparams.items()))
    elif layout == "lightning":
        write_yaml(os.path.join(out, run, "hparams.yaml"), flat)
    elif layout == "wandb":
        wrapped = {k: {"desc": None, "value": v} for k, v in flat.items()}
        wrapped["_wandb"] = {"desc": None, "value": {"cli_version": "0.16.0"}}
        write_yaml(os.path.join(out, run, "files/config.yaml"), {"wandb_version": 1, **wrapped})
    elif layout == "solo-learn":
        os.makedirs(os.path.join(out, run), exist_ok=True)
        with open(os.path.join(out, run, "args.json"), "w") as f:
            json.dump(flat, f)
    elif layout == "plain":
        os.makedirs(os.path.join(out, run), exist_ok=True)
        with open(os.path.join(out, run, "config.json"), "w") as f:
            json.dump(flat, f)


def checkpoint_of(layout, c):
    """-> (name_step, name_epoch, files {tensor: relative path or None (=one file for all)}, fmt)"""
    epoch, step = c + 1, (c + 1) * 100
    if layout == "hydra":
        folder = "checkpoints/epoch_%03d/" % epoch
        return None, epoch, {t: folder + t + ".npy" for t in ("embeddings", "representations")}, "npy"
    if layout == "lightning":
        return step, c, {None: "embeddings/epoch=%d-step=%d.safetensors" % (c, step)}, "safetensors"
    if layout == "wandb":
        return step, None, {None: "files/embeddings/step_%06d.npz" % step}, "npz"
    if layout == "solo-learn":
        return step, None, {"embeddings": "ckpt-%d/embeddings.npy" % step}, "npy"
    return step, None, {t: "%s_step_%d.npy" % (t, step) for t in ("embeddings", "representations")}, "npy"


def shard_path(path, rank):
    folder, name = os.path.split(path)
    return os.path.join(folder, "rank%d_%s" % (rank, name))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--layout", default="plain",
                        choices=["hydra", "lightning", "wandb", "solo-learn", "plain"])
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--checkpoints", type=int, default=2)
    parser.add_argument("--rows", type=int, default=64)
    parser.add_argument("--cols", type=int, default=16)
    parser.add_argument("--shards", type=int, default=1)
    parser.add_argument("--nan", default="", help="RUN:CHECKPOINT holding a NaN")
    parser.add_argument("--seed", type=int, default=0, help="random seed of the values")
    parser.add_argument("--no-truth-scores", action="store_true", help="skip the SVDs")
    args = parser.parse_args()

    rng = np.random.default_rng(args.seed)
    truth = []
    for i in range(args.runs):
        run = run_dir_of(args.layout, i)
        seed = i % 2
        hparams = {"optim.lr": [0.001, 0.01][(i // 2) % 2], "loss.temperature": 0.1 * (1 + i // 4),
                   "method": "simclr"}
        write_config(args.layout, args.out, run, seed, hparams)
        for c in range(args.checkpoints):
            name_step, name_epoch, files, fmt = checkpoint_of(args.layout, c)
            tensors = ("embeddings", "representations") if None in files or len(files) > 1 \
                else tuple(files)
            matrices = {}
            for t in tensors:
                k = int(rng.integers(2, args.cols + 1))
                z = rng.standard_normal((args.rows, k)) @ rng.standard_normal((k, args.cols))
                z = z.astype(np.float32)
                if args.nan == "%d:%d" % (i, c) and t == tensors[0]:
                    z[args.rows // 2, 1] = np.nan
                matrices[t] = z
            for key, rel in files.items():
                group = matrices if key is None else {key: matrices[key]}
                paths = []
                if args.shards == 1:
                    write_tensors(os.path.join(args.out, run, rel), fmt, group)
                    paths = [rel]
                else:
                    bounds = np.linspace(0, args.rows, args.shards + 1).astype(int)
                    for r in range(args.shards):
                        part = {k: v[bounds[r]:bounds[r + 1]] for k, v in group.items()}
                        write_tensors(os.path.join(args.out, run, shard_path(rel, r)), fmt, part)
                        paths.append(shard_path(rel, r))
                for t, z in group.items():
                    bad = bool(np.isnan(z).any())
                    truth.append({
                        "run_dir": run, "seed": seed, "hparams": hparams,
                        "name_step": name_step, "name_epoch": name_epoch, "tensor": t,
                        "files": [run + "/" + p for p in paths],
                        "rankme": None if bad or args.no_truth_scores else rankme(z),
                        "rankme_eps_1e-5": None if bad or args.no_truth_scores
                        else rankme(z, 1e-5),
                        "rows": args.rows, "cols": args.cols})
    with open(os.path.join(args.out, "truth.json"), "w") as f:
        json.dump(truth, f, indent=1)


if __name__ == "__main__":
    main()
