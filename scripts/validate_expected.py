#!/usr/bin/python3
"""Expected numbers of `rankme validate` on tests/data/real_sweep_small, computed from
ground_truth.json alone (its reference RankMe from a float64 numpy SVD and its linear-probe
accuracies), with scipy.stats, independently of rankme.

A configuration is (method, hparams); its label-free value is the mean over its seeds of the
reference RankMe at the last checkpoint (epoch 6), its label-based value the mean over its seeds
of linear_probe_acc at the same checkpoint. Spearman rho (average ranks for ties) and Kendall
tau-b over the configurations, overall and within each method; regret = best label-based value
minus the label-based value of the configuration with the highest RankMe.

"signals" holds the same for every metric of the catalog and both tensors, from the float64
values in ground_truth.json's metrics_embeddings / metrics_representations: the label-free side
is each configuration's goodness, its mean itself for higher-is-better metrics and
-|mean - target| for alpha_req (target 1; "alpha_req_at_target" holds target 4 too), and the
pick is the configuration of the highest goodness.

Run once to regenerate tests/ranking/real_sweep_validation_expected.json:
    /usr/bin/python3 scripts/validate_expected.py > tests/ranking/real_sweep_validation_expected.json
(needs python3-scipy; the Catch2 tests read the JSON, tests/cli/validate_signals_test.sh imports
this file and computes the signals' numbers when it runs.)
"""
import json
import os
import sys
from collections import defaultdict

from scipy import stats

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data",
                    "real_sweep_small")


METRICS = ("rankme", "rankme_centered", "stable_rank", "nesum", "participation_ratio",
           "alpha_req", "lidar")


def agreement(subset, goodness):
    """rho, tau-b and regret of one set of configurations; goodness maps one to a number."""
    x = [goodness(c) for c in subset]
    y = [c["label"] for c in subset]
    pick = max(subset, key=goodness)
    best = max(y)
    return {
        "n": len(subset),
        "spearman": float(stats.spearmanr(x, y).correlation) if len(subset) > 1 else None,
        "kendall_tau_b": float(stats.kendalltau(x, y, variant="b").correlation)
        if len(subset) > 1 else None,
        "pick_runs": pick["runs"],
        "pick_label": pick["label"],
        "best_label": best,
        "regret": best - pick["label"],
    }


def signals(configs):
    """Every metric of both tensors: configuration means and agreement, overall and by method."""
    out, at_target = {}, {}
    methods = sorted({method for method, _ in configs})
    for tensor in ("embeddings", "representations"):
        out[tensor], at_target[tensor] = {}, {}
        for metric in METRICS:
            rows = []
            for (method, hparams), runs in sorted(configs.items()):
                values = [r["metrics_" + tensor][metric] for r in runs]
                rows.append({"method": method, "runs": sorted(r["run_dir"] for r in runs),
                             "mean": sum(values) / len(values),
                             "label": sum(r["linear_probe_acc"] for r in runs) / len(runs)})

            def judged(target):
                if metric != "alpha_req":
                    goodness = lambda c: c["mean"]  # noqa: E731
                else:
                    goodness = lambda c: -abs(c["mean"] - target)  # noqa: E731
                return {"configurations": rows, "all": agreement(rows, goodness),
                        "within_method": {m: agreement([c for c in rows if c["method"] == m],
                                                       goodness) for m in methods}}
            out[tensor][metric] = judged(1.0)
            if metric == "alpha_req":
                at_target[tensor]["4"] = judged(4.0)
    return out, at_target


def configurations(records):
    """The runs' last checkpoints (epoch 6), grouped by (method, hparams as sorted JSON)."""
    last = {}
    for r in records:
        if r["run_dir"] not in last or r["step"] > last[r["run_dir"]]["step"]:
            last[r["run_dir"]] = r
    configs = defaultdict(list)
    for r in last.values():
        configs[(r["method"], json.dumps(r["hparams"], sort_keys=True))].append(r)
    return configs


def main():
    configs = configurations(json.load(open(os.path.join(ROOT, "ground_truth.json"))))
    out = {}
    for tensor in ("embeddings", "representations"):
        rows = []
        for (method, hparams), runs in sorted(configs.items()):
            rows.append({
                "method": method,
                "hparams": json.loads(hparams),
                "runs": sorted(r["run_dir"] for r in runs),
                "rankme": sum(r["rankme_" + tensor] for r in runs) / len(runs),
                "label": sum(r["linear_probe_acc"] for r in runs) / len(runs),
            })
        by_rankme = lambda c: c["rankme"]  # noqa: E731
        groups = {m: agreement([c for c in rows if c["method"] == m], by_rankme)
                  for m in sorted({c["method"] for c in rows})}
        out[tensor] = {"configurations": rows, "all": agreement(rows, by_rankme),
                       "within_method": groups}
    out["signals"], out["alpha_req_at_target"] = signals(configs)
    json.dump(out, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
