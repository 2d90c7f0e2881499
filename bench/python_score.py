"""rankme.score in Python against numpy, torch and the command, as ratios of one run.

    /usr/bin/python3 bench/python_score.py --build build [--repeat 3] [--rows 25600 --cols 2048]

On one full-rank float32 matrix (rows x cols, standard normal), timings alternate between the
two sides of each ratio (A B A B ...) and the medians are compared:

  score / numpy      rankme.score(z, metrics=("rankme",)) vs np.linalg.svd(z, compute_uv=False) + the formula
  score / torch      vs torch.linalg.svdvals(z) in float32 (when torch is installed)
  score / cli        rankme.score(z, metrics=("rankme",)) in process vs `rankme score z.npy --json --metric rankme` end to end
                     (the command's time includes its start and reading the file)
  float16 / float32  rankme.score of a float16 torch tensor (numpy array without torch) vs
                     the float32 array; its peak memory growth measured in a fresh process

rankme is imported before numpy so that OpenBLAS loads with the kernels rankme selects;
numpy and torch then run on the same library and kernels.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time


ONLY = ("rankme",)  # every ratio compares RankMe alone (no centred spectrum)


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def alternate(a, b, repeat):
    """Runs a and b in turn `repeat` times each (after one warm-up each); median seconds."""
    a()
    b()
    ta, tb = [], []
    for _ in range(repeat):
        t = time.perf_counter()
        a()
        ta.append(time.perf_counter() - t)
        t = time.perf_counter()
        b()
        tb.append(time.perf_counter() - t)
    return statistics.median(ta), statistics.median(tb)


PEAK = """
import resource, sys
import rankme
import numpy as np
rows, cols = {rows}, {cols}
try:
    import torch
    z = torch.empty(rows, cols, dtype=torch.float16)
    fill = lambda i, n: torch.randn(n, cols)
except ImportError:
    z = np.empty((rows, cols), dtype=np.float16)
    fill = lambda i, n: np.random.default_rng(i).standard_normal((n, cols), dtype=np.float32)
for i in range(0, rows, 4096):
    z[i:i + 4096] = fill(i, min(4096, rows - i))
rankme.score(z[:64])
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
rankme.score(z, max_samples=0)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(rows * cols * 2 / 2**20, (after - before) / 1024, after / 1024)
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default=os.path.join(os.path.dirname(__file__), "..", "build"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--rows", type=int, default=25600)
    parser.add_argument("--cols", type=int, default=2048)
    parser.add_argument("--json", action="store_true", help="print one JSON document instead")
    args = parser.parse_args()
    build = os.path.abspath(args.build)
    sys.path.insert(0, os.path.join(build, "python"))
    import rankme  # before numpy: OpenBLAS loads with the kernels rankme selects

    import numpy as np

    try:
        import torch
    except ImportError:
        torch = None

    z = np.random.default_rng(0).standard_normal((args.rows, args.cols), dtype=np.float32)
    rows = []
    print(f"load before: {loadavg()}; BLAS kernels: {rankme.blas_kernel()}", file=sys.stderr)

    def numpy_rankme():
        s = np.linalg.svd(z, compute_uv=False).astype(np.float64)
        p = s / s.sum() + 1e-7
        return float(np.exp(-(p * np.log(p)).sum()))

    # RankMe alone on rankme's side too: numpy's side computes that one value.
    mine, theirs = alternate(lambda: rankme.score(z, metrics=ONLY), numpy_rankme, args.repeat)
    rows.append(("numpy", "rankme.score vs numpy.linalg.svd", mine, theirs))

    if torch is not None:
        t = torch.from_numpy(z)
        mine, theirs = alternate(lambda: rankme.score(z, metrics=ONLY), lambda: torch.linalg.svdvals(t),
                                 args.repeat)
        rows.append(("torch", "rankme.score vs torch.linalg.svdvals (float32)", mine, theirs))

    with tempfile.TemporaryDirectory(prefix="rankme-bench-py-") as tmp:
        path = os.path.join(tmp, "z.npy")
        np.save(path, z)
        cli = os.path.join(build, "rankme")
        run_cli = lambda: subprocess.run([cli, "score", path, "--json", "--metric", "rankme"],  # noqa: E731
                                         check=True,
                                         capture_output=True)
        mine, theirs = alternate(lambda: rankme.score(z, metrics=ONLY), run_cli, args.repeat)
        rows.append(("cli", "rankme.score vs rankme score FILE (end to end)", mine, theirs))
        same = rankme.score(z, metrics=ONLY)["rankme"] == json.loads(run_cli().stdout)[0]["rankme"]

    half = torch.from_numpy(z).half() if torch is not None else z.astype(np.float16)
    mine, theirs = alternate(lambda: rankme.score(half, metrics=ONLY), lambda: rankme.score(z, metrics=ONLY), args.repeat)
    rows.append(("float16", f"float16 ({'torch' if torch is not None else 'numpy'}) vs float32",
                 mine, theirs))

    peak = subprocess.run([sys.executable, "-c", PEAK.format(rows=4 * args.rows, cols=args.cols)],
                          check=True, capture_output=True, text=True,
                          env=dict(os.environ, PYTHONPATH=os.path.join(build, "python")))
    half_mb, growth_mb, peak_mb = (float(v) for v in peak.stdout.split())

    if args.json:
        print(json.dumps({"rows": [{"key": k, "what": n, "a": a, "b": b} for k, n, a, b in rows],
                          "same_as_cli": same, "half_mb": half_mb, "half_growth_mb": growth_mb,
                          "half_peak_mb": peak_mb,
                          "kernels": rankme.blas_kernel(), "torch": torch is not None}))
        return
    print(f"{'ratio':50} {'A (s)':>8} {'B (s)':>8} {'A/B':>7}")
    for _, name, a, b in rows:
        print(f"{name:50} {a:8.3f} {b:8.3f} {a / b:7.3f}")
    print(f"value equal to the command's to the last bit: {same}")
    print(f"float16 {4 * args.rows}x{args.cols} ({half_mb:.0f} MB): peak RSS {peak_mb:.0f} MB, "
          f"grown by {growth_mb:.0f} MB while scoring (a float32 copy would add "
          f"{2 * half_mb:.0f} MB)")
    print(f"load after: {loadavg()}; {args.repeat} timings a side, medians")


if __name__ == "__main__":
    main()
