"""The shared real sweep (tests/data/real_sweep_small) and the command, for the database tests:
the sweep's path, the command's JSON, and a label file of its probe accuracies."""

import json
import os
import subprocess

SWEEP = os.path.join(os.environ.get("RANKME_TEST_DATA_DIR", ""), "real_sweep_small")


def cli(*args):
    """`rankme ARGS...`'s stdout as JSON."""
    out = subprocess.run(
        [os.environ["RANKME"], *args], check=True, capture_output=True, text=True
    ).stdout
    return json.loads(out)


def labels_file(folder):
    """A JSON label file (run, step or epoch, probe) of the sweep's ground truth, in `folder`."""
    out = []
    for r in json.load(open(os.path.join(SWEEP, "ground_truth.json"))):
        e = {"run": r["run_dir"], "probe": r["linear_probe_acc"]}
        if r["name_step"] is not None:
            e["step"] = r["name_step"]
        else:
            e["epoch"] = r["name_epoch"]
        out.append(e)
    path = os.path.join(str(folder), "labels.json")
    with open(path, "w") as f:
        json.dump(out, f)
    return path
