"""rankme benchmark: every figure is a ratio of two timings taken in the same run.

Called by bench/run (which builds the binaries first); see docs/performance.md for the figures
and what each item measures. Items (pick a subset by number, default all):

  1 full-rank 25600x2048 float32: `rankme score` end to end vs numpy SVD + formula
  2 the same vs the floor (ssyrk + dsyevd, bench/floor.cpp); floor vs numpy's Z.T @ Z
  3 rank 200 and rank 1 of that shape: the exact path vs numpy SVD
  4 float16 (.npy) and bfloat16 (.safetensors) of the full-rank matrix vs float32
  5 large N: 2,000,000 x 256 float32, --max-samples 0: peak RSS and time vs floor
  6 large D: 25600 x 8192 float32: time and peak RSS vs floor
  7 ingest of a 100-run x 4-checkpoint sweep: --jobs 1 vs --jobs 2, re-ingest time
  8 `rankme best` / `rankme leaderboard` on a database of 100,000 checkpoints
  9 realistic spectra at 25600x2048 float32 vs numpy SVD: power law 1/k, exponential decay to
    1e-3, BatchNorm + ReLU of a Gaussian projection, a real embedding spectrum stretched to
    2048 ranks, rank 200, rank 1 (the tier each takes);
    the float64 Gram tier vs its own floor (dsyrk + dsyevd)
  10 Python: rankme.score on 25600x2048 float32 vs numpy SVD, torch svdvals, the command on the
     same matrix in a file; float16 torch input vs float32 and its peak (bench/python_score.py)
  11 LiDAR of a 1000x8x2048 float32 views tensor (clustered samples, decaying spectra):
     ComputeLidar (bench/lidar.cpp) vs numpy's float64 eigh-based computation of the definition
  12 every spectrum metric (RankMe, centred RankMe, stable rank, NESum, participation ratio,
     α-ReQ; both spectra from one read) vs RankMe alone, 25600x2048 float32 power law and
     BatchNorm + ReLU

Timings alternate between the two sides of each ratio (A B A B ...), `--repeat` times, and the
table shows medians. rankme picks its BLAS kernels itself (it re-executes with
OPENBLAS_CORETYPE set); numpy and the floor program get OPENBLAS_CORETYPE=SkylakeX (or the value
of --coretype) in their environment. Each side reports the kernels it ran.
"""
import argparse
import datetime
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(HERE)


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def run_measured(cmd, env=None):
    """Runs cmd; returns (wall seconds, the child's own peak RSS in MB, stdout, stderr).

    The peak comes from /usr/bin/time (GNU time, Debian package `time`), whose own small process
    forks the command: a child forked straight from this Python process would report this
    process's peak too (Linux carries the pre-exec high-water mark into ru_maxrss). Without
    /usr/bin/time the figure is wait4's, an upper bound that includes the harness.
    """
    timer = "/usr/bin/time"
    rss_file = None
    if os.path.exists(timer):
        fd, rss_file = tempfile.mkstemp(prefix="rankme-bench-rss-")
        os.close(fd)
        cmd = [timer, "-f", "%M", "-o", rss_file, *cmd]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    out, err = proc.communicate()  # output is small (JSON)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}): {err.decode()[-2000:]}")
    if rss_file:
        with open(rss_file) as f:
            rss = int(f.read().split()[-1]) / 1024.0
        os.remove(rss_file)
    else:
        rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0
    return wall, rss, out.decode(), err.decode()


class Bench:
    def __init__(self, args):
        self.args = args
        self.rankme = os.path.join(args.build, "rankme")
        self.floor = os.path.join(args.build, "bench", "rankme_bench_floor")
        self.lidar = os.path.join(args.build, "bench", "rankme_bench_lidar")
        self.tmp = args.tmp
        self.rows = []  # table rows
        self.kernels = {}
        self.blas_env = dict(os.environ, OPENBLAS_CORETYPE=args.coretype)
        # rankme must choose its kernels itself: no OPENBLAS_CORETYPE inherited.
        self.rankme_env = {k: v for k, v in os.environ.items()
                           if k not in ("OPENBLAS_CORETYPE", "RANKME_BLAS_REEXEC")}

    # ---- sides of the ratios ----

    def rankme_score(self, path, extra=("--metric", "rankme")):
        # RankMe alone unless said otherwise: the other sides (numpy's SVD, the floors) compute
        # that one spectrum; item 12 measures every metric against it.
        cmd = [self.rankme, "score", path, "--json", "-v", *extra]
        wall, rss, out, err = run_measured(cmd, self.rankme_env)
        result = json.loads(out)[0]
        for line in err.splitlines():
            if "BLAS:" in line:
                self.kernels["rankme"] = line.split("BLAS:", 1)[1].strip()
        return {"wall": wall, "rss": rss, "seconds": result["seconds"], "method": result["method"],
                "rankme": result["rankme"], "error_bound": result["error_bound"]}

    def numpy(self, mode, path):
        cmd = ["/usr/bin/python3", os.path.join(HERE, "np_worker.py"), mode, path]
        wall, rss, out, _ = run_measured(cmd, self.blas_env)
        result = json.loads(out)
        self.kernels["numpy"] = f"OpenBLAS {result['core']} kernels, {result['threads']} threads"
        result["wall"], result["rss"] = wall, rss
        return result

    def floor_run(self, path, precision=None):
        cmd = [self.floor, path] + ([precision] if precision else [])
        wall, rss, out, _ = run_measured(cmd, self.blas_env)
        result = json.loads(out)
        self.kernels["floor"] = f"OpenBLAS {result['core']} kernels, {result['threads']} threads"
        result["wall"], result["rss"] = wall, rss
        return result

    def lidar_run(self, path):
        wall, rss, out, _ = run_measured([self.lidar, path], self.rankme_env)
        result = json.loads(out)
        self.kernels["lidar"] = f"OpenBLAS {result['core']} kernels, {result['threads']} threads"
        result["wall"], result["rss"] = wall, rss
        return result

    def interleave(self, sides, repeat=None):
        """sides: {name: callable}; runs them in turn `repeat` times; returns {name: [results]}."""
        repeat = repeat or self.args.repeat
        results = {name: [] for name in sides}
        for _ in range(repeat):
            for name, fn in sides.items():
                results[name].append(fn())
        return results

    def add(self, item, what, figure, target, met, detail):
        status = "n/a" if met is None else ("met" if met else "MISSED")
        self.rows.append((item, what, figure, target, status, detail))
        print(f"  [{item}] {what}: {figure} (target {target}) {status} -- {detail}  "
              f"[load {loadavg()}]", flush=True)

    def item_10(self):
        package = os.path.join(self.args.build, "python", "rankme")
        if not os.path.isdir(package):
            self.add(10, "Python module", "not built", "-", None, "configure with "
                     "-DRANKME_BUILD_PYTHON=ON (needs python3-dev, pybind11-dev)")
            return
        out = subprocess.run(["/usr/bin/python3", os.path.join(HERE, "python_score.py"), "--json",
                              "--build", self.args.build, "--repeat", str(self.args.repeat)],
                             check=True, capture_output=True, text=True).stdout
        r = json.loads(out)
        self.kernels["python"] = f"OpenBLAS {r['kernels']} kernels"
        targets = {"numpy": (">= 4.5x", lambda x: x >= 4.5), "torch": ("report", None),
                   "cli": ("<= 1.05x", lambda x: x <= 1.05),
                   "float16": ("<= 1.2x", lambda x: x <= 1.2)}
        for row in r["rows"]:
            key = row["key"]
            target, check = targets[key]
            # Speed-ups over another tool are shown as B/A, costs as A/B.
            speedup = key in ("numpy", "torch")
            x = row["b"] / row["a"] if speedup else row["a"] / row["b"]
            self.add(10, row["what"], f"{x:.2f}x", target, check(x) if check else None,
                     f"A {row['a']:.2f} s, B {row['b']:.2f} s")
        half = r["half_mb"]
        # The absolute peak includes torch itself and filling the tensor; a float32 copy made
        # while scoring would raise the high-water mark by twice the tensor.
        self.add(10, "float16 peak growth while scoring", f"{r['half_growth_mb']:.0f} MB",
                 f"< {2 * half:.0f} MB", r["half_growth_mb"] < 2 * half,
                 f"{half:.0f} MB tensor, peak RSS {r['half_peak_mb']:.0f} MB; value equal to "
                 f"the command's: {r['same_as_cli']}")

    # ---- data ----

    def path(self, name):
        return os.path.join(self.tmp, name)

    def warm(self, path):
        with open(path, "rb") as f:
            while f.read(64 << 20):
                pass

    def full_rank(self):
        p = self.path("full_25600x2048_f32.npy")
        if not os.path.exists(p):
            rng = np.random.default_rng(1)
            z = rng.standard_normal((25600, 2048), dtype=np.float32)
            z *= (1.0 + np.arange(2048, dtype=np.float32)) ** -0.5  # decaying, full-rank spectrum
            np.save(p, z)
        self.warm(p)
        return p

    def low_rank(self, rank):
        p = self.path(f"rank{rank}_25600x2048_f32.npy")
        if not os.path.exists(p):
            rng = np.random.default_rng(2 + rank)
            a = rng.standard_normal((25600, rank), dtype=np.float32)
            b = rng.standard_normal((rank, 2048), dtype=np.float32)
            np.save(p, (a @ b).astype(np.float32))
        self.warm(p)
        return p

    def half_precision(self):
        z = np.load(self.full_rank())
        p16 = self.path("full_25600x2048_f16.npy")
        if not os.path.exists(p16):
            np.save(p16, z.astype(np.float16))
        pbf = self.path("full_25600x2048_bf16.safetensors")
        if not os.path.exists(pbf):
            bits = z.view(np.uint32)
            rounded = ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16).astype(np.uint16)
            header = json.dumps({"embeddings": {"dtype": "BF16", "shape": list(z.shape),
                                                "data_offsets": [0, rounded.nbytes]}}).encode()
            header += b" " * (-len(header) % 8)
            with open(pbf, "wb") as f:
                f.write(len(header).to_bytes(8, "little"))
                f.write(header)
                f.write(rounded.tobytes())
        self.warm(p16)
        self.warm(pbf)
        return p16, pbf

    def big(self, name, rows, cols, seed):
        p = self.path(name)
        if not os.path.exists(p):
            out = np.lib.format.open_memmap(p, mode="w+", dtype=np.float32, shape=(rows, cols))
            rng = np.random.default_rng(seed)
            scale = (1.0 + np.arange(cols, dtype=np.float32)) ** -0.5
            step = max(1, (64 << 20) // (cols * 4))
            for first in range(0, rows, step):
                n = min(step, rows - first)
                out[first:first + n] = rng.standard_normal((n, cols), dtype=np.float32) * scale
            out.flush()
            del out
        self.warm(p)
        return p

    def realistic(self, kind):
        """25600 x 2048 float32 with a realistic spectrum (see item 9), made once.

        Z = G diag(sigma) V^T with G Gaussian 25600 x 2048 (not orthonormalised: its singular
        values lie within 1 +- sqrt(2048/25600) of sqrt(25600), so Z's spectrum is sigma up to
        that spread, as a trained network's would be up to noise) and V a random orthogonal
        2048 x 2048; "bnrelu" is max(0, standardised columns of G W), G 25600 x 512, W 512 x 2048
        Gaussian: the output of a linear layer, BatchNorm and ReLU."""
        p = self.path(f"{kind}_25600x2048_f32.npy")
        if os.path.exists(p):
            self.warm(p)
            return p
        n, d = 25600, 2048
        rng = np.random.default_rng({"power1": 91, "exp1e3": 92, "bnrelu": 93, "real": 94}[kind])
        if kind == "real":
            # The spectrum of a real embedding matrix (the shared sweep's final VICReg
            # embeddings, 512 x 64 float16) stretched over 2048 ranks: log sigma interpolated
            # linearly in log rank (rank k of 2048 takes the real value at rank 1 + 63 (k-1)/2047).
            src = os.path.join(SRC, "tests", "data", "real_sweep_small", "multirun",
                               "2026-11-20", "10-00-00", "6", "checkpoints", "epoch_006",
                               "embeddings.npy")
            real = np.linalg.svd(np.load(src).astype(np.float64), compute_uv=False)
            at = 1.0 + (len(real) - 1) * np.arange(d) / (d - 1)
            sigma = np.exp(np.interp(np.log(at), np.log(np.arange(1, len(real) + 1)),
                                     np.log(real)))
            v, _ = np.linalg.qr(rng.standard_normal((d, d)))
            z = rng.standard_normal((n, d), dtype=np.float32) @ \
                (sigma[:, None] * v.T).astype(np.float32)
        elif kind == "bnrelu":
            x = rng.standard_normal((n, 512), dtype=np.float32) @ \
                rng.standard_normal((512, d), dtype=np.float32)
            x -= x.mean(axis=0)
            x /= x.std(axis=0)
            z = np.maximum(x, 0.0)
        else:
            k = np.arange(1, d + 1, dtype=np.float64)
            sigma = 1.0 / k if kind == "power1" else 1e-3 ** ((k - 1) / (d - 1))
            v, _ = np.linalg.qr(rng.standard_normal((d, d)))
            z = rng.standard_normal((n, d), dtype=np.float32) @ \
                (sigma[:, None] * v.T).astype(np.float32)
        np.save(p, z.astype(np.float32))
        del z
        self.warm(p)
        return p

    def views_tensor(self):
        """1000 x 8 x 2048 float32 views (item 11), made once.

        50 cluster centres along a power-law spectrum (k^-1/2 in a random orthonormal basis),
        each sample's mean its cluster's centre plus a spread along another such spectrum, and
        its 8 views that mean plus augmentation noise along a steeper one (k^-1), half as
        large: between-sample structure that LiDAR sees through the within-sample noise."""
        p = self.path("views_1000x8x2048_f32.npy")
        if os.path.exists(p):
            self.warm(p)
            return p
        n, q, d, clusters = 1000, 8, 2048, 50
        rng = np.random.default_rng(11)
        k = np.arange(1, d + 1, dtype=np.float32)

        def basis(power):
            v, _ = np.linalg.qr(rng.standard_normal((d, d)).astype(np.float32))
            return (v * (k ** -power)[None, :]).astype(np.float32)

        centre_basis, spread_basis, view_basis = basis(0.5), basis(0.5), basis(1.0)
        centres = rng.standard_normal((clusters, d), dtype=np.float32) @ centre_basis.T * 3
        means = centres[np.arange(n) % clusters] + \
            rng.standard_normal((n, d), dtype=np.float32) @ spread_basis.T
        noise = rng.standard_normal((n * q, d), dtype=np.float32) @ view_basis.T
        views = means[:, None, :] + noise.reshape(n, q, d) * 0.5
        np.save(p, views.astype(np.float32))
        del views, noise
        self.warm(p)
        return p

    # ---- items ----

    def item_11(self):
        p = self.views_tensor()
        r = self.interleave({"rankme": lambda: self.lidar_run(p),
                             "numpy": lambda: self.numpy("lidar", p)})
        rk = statistics.median(x["wall"] for x in r["rankme"])
        rk_in = statistics.median(x["seconds"] for x in r["rankme"])
        npy = statistics.median(x["seconds"] for x in r["numpy"])
        a, b = r["rankme"][0]["lidar"], r["numpy"][0]["lidar"]
        self.add(11, "LiDAR 1000x8x2048 f32: numpy float64 / ComputeLidar", f"{npy / rk:.2f}x",
                 ">= 3x", npy / rk >= 3.0,
                 f"rankme {rk:.2f} s wall ({rk_in:.2f} s in-process, "
                 f"{r['rankme'][0]['method']}), numpy {npy:.2f} s; LiDAR {a:.6g}, |rel diff| "
                 f"{abs(a - b) / b:.1e}; peak RSS {max(x['rss'] for x in r['rankme']):.0f} MB")

    def item_9(self):
        cases = [("power1", "power law sigma_k ~ 1/k", 4.0),
                 ("exp1e3", "exponential decay to 1e-3", 4.0),
                 ("bnrelu", "BatchNorm + ReLU projection", 4.0),
                 ("real", "real VICReg embedding spectrum stretched to 2048", 4.0),
                 ("rank200", "rank 200", 2.0), ("rank1", "rank 1", 2.0)]
        for kind, what, target in cases:
            p = self.low_rank(int(kind[4:])) if kind.startswith("rank") else self.realistic(kind)
            sides = {"rankme": lambda: self.rankme_score(p),
                     "numpy": lambda: self.numpy("svd", p)}
            r = self.interleave(sides)
            rk = statistics.median(x["wall"] for x in r["rankme"])
            npy = statistics.median(x["seconds"] for x in r["numpy"])
            method = ",".join(sorted({x["method"] for x in r["rankme"]}))
            rel = abs(r["rankme"][0]["rankme"] - r["numpy"][0]["rankme"]) / r["numpy"][0]["rankme"]
            self.add(9, f"{what} 25600x2048 f32: numpy SVD / rankme", f"{npy / rk:.2f}x",
                     f">= {target:g}x", npy / rk >= target,
                     f"rankme {rk:.2f} s (path {method}, bound "
                     f"{r['rankme'][0]['error_bound']:.1e}), numpy {npy:.2f} s; |rel diff| vs "
                     f"numpy float32 SVD {rel:.1e}")
            if method == "gram64":
                fl = [self.floor_run(p, "f64") for _ in range(self.args.repeat)]
                floor = statistics.median(x["floor"] for x in fl)
                self.add(9, f"{what}: rankme (gram64) / float64 floor", f"{rk / floor:.2f}x",
                         "<= 1.3x", rk / floor <= 1.3,
                         f"rankme {rk:.2f} s, floor {floor:.2f} s = dsyrk "
                         f"{statistics.median(x['dsyrk'] for x in fl):.2f} + dsyevd "
                         f"{statistics.median(x['dsyevd'] for x in fl):.2f}")

    def item_12(self):
        """Every spectrum metric (both spectra, one read) against RankMe alone."""
        for kind, what in [("power1", "power law 1/k"), ("bnrelu", "BatchNorm + ReLU")]:
            p = self.realistic(kind)
            sides = {"rankme": lambda: self.rankme_score(p, ["--metric", "rankme"]),
                     "all": lambda: self.rankme_score(p, [])}
            r = self.interleave(sides)
            one = statistics.median(x["wall"] for x in r["rankme"])
            every = statistics.median(x["wall"] for x in r["all"])
            method = ",".join(sorted({x["method"] for x in r["all"]}))
            self.add(12, f"{what} 25600x2048 f32: every metric / RankMe alone",
                     f"{every / one:.2f}x", "<= 1.2x", every / one <= 1.2,
                     f"all {every:.2f} s, rankme {one:.2f} s (path {method})")

    def item_1_2(self, items):
        p = self.full_rank()
        sides = {"rankme": lambda: self.rankme_score(p)}
        if 1 in items:
            sides["numpy_svd"] = lambda: self.numpy("svd", p)
        if 2 in items:
            sides["floor"] = lambda: self.floor_run(p)
            sides["numpy_gram"] = lambda: self.numpy("gram", p)
        r = self.interleave(sides)
        rk = statistics.median(x["wall"] for x in r["rankme"])
        rk_in = statistics.median(x["seconds"] for x in r["rankme"])
        method = ",".join(sorted({x["method"] for x in r["rankme"]}))
        if 1 in items:
            npy = statistics.median(x["seconds"] for x in r["numpy_svd"])
            rel = abs(r["rankme"][0]["rankme"] - r["numpy_svd"][0]["rankme"]) / r["numpy_svd"][0]["rankme"]
            self.add(1, "full-rank 25600x2048 f32: numpy SVD / rankme", f"{npy / rk:.2f}x",
                     ">= 4.5x", npy / rk >= 4.5,
                     f"rankme {rk:.2f} s wall ({rk_in:.2f} s in-process, path {method}), "
                     f"numpy {npy:.2f} s; |rel diff| {rel:.1e}")
        if 2 in items:
            fl = statistics.median(x["floor"] for x in r["floor"])
            ss = statistics.median(x["ssyrk"] for x in r["floor"])
            ev = statistics.median(x["dsyevd"] for x in r["floor"])
            ng = statistics.median(x["seconds"] for x in r["numpy_gram"])
            self.add(2, "full-rank 25600x2048 f32: rankme / floor", f"{rk / fl:.2f}x", "<= 1.3x",
                     rk / fl <= 1.3,
                     f"rankme {rk:.2f} s wall, {rk_in:.2f} s in-process ({rk_in / fl:.2f}x); floor "
                     f"{fl:.2f} s = ssyrk {ss:.2f} + dsyevd {ev:.2f}")
            self.add(2, "floor check: floor ssyrk / numpy Z.T@Z", f"{ss / ng:.2f}x", "~1x", None,
                     f"ssyrk {ss:.2f} s, numpy Z.T@Z {ng:.2f} s")
            self.eigen_kernels()

    def eigen_kernels(self):
        """Why the library calls OpenBLAS: Eigen's own kernels for the same two steps."""
        program = os.path.join(self.args.build, "bench", "rankme_bench_eigen")
        _, _, out, _ = run_measured([program, "8192", "2048"], self.blas_env)
        e = json.loads(out)
        self.add(2, "Eigen rankUpdate / OpenBLAS ssyrk (8192x2048 f32)",
                 f"{e['eigen_syrk'] / e['openblas_ssyrk']:.1f}x", "report", None,
                 f"Eigen {e['eigen_syrk']:.2f} s ({e['eigen_simd']}, generic x86-64 build), "
                 f"ssyrk {e['openblas_ssyrk']:.2f} s ({e['openblas_core']}); "
                 f"max rel diff {e['gram_max_rel_diff']:.1e}")
        self.add(2, "Eigen SelfAdjointEigenSolver / LAPACK dsyevd (2048, values only)",
                 f"{e['eigen_eigenvalues'] / e['lapack_dsyevd']:.1f}x", "report", None,
                 f"Eigen {e['eigen_eigenvalues']:.2f} s, dsyevd {e['lapack_dsyevd']:.2f} s; "
                 f"max diff / lambda_max {e['eigenvalue_max_rel_diff']:.1e}")

    def item_3(self):
        p_full = self.full_rank()
        for rank in (200, 1):
            p = self.low_rank(rank)
            r = self.interleave({"rankme": lambda: self.rankme_score(p),
                                 "numpy": lambda: self.numpy("svd", p)})
            rk = statistics.median(x["wall"] for x in r["rankme"])
            npy = statistics.median(x["seconds"] for x in r["numpy"])
            method = ",".join(sorted({x["method"] for x in r["rankme"]}))
            rel = abs(r["rankme"][0]["rankme"] - r["numpy"][0]["rankme"]) / r["numpy"][0]["rankme"]
            self.add(3, f"rank {rank} 25600x2048 f32: numpy SVD / rankme", f"{npy / rk:.2f}x",
                     "> 1x, path qr", npy / rk > 1.0 and method == "qr",
                     f"rankme {rk:.2f} s (path {method}), numpy {npy:.2f} s; "
                     f"|rel diff| vs numpy float32 SVD {rel:.1e}")
        del p_full

    def item_4(self):
        p32 = self.full_rank()
        p16, pbf = self.half_precision()
        r = self.interleave({"f32": lambda: self.rankme_score(p32),
                             "f16": lambda: self.rankme_score(p16),
                             "bf16": lambda: self.rankme_score(pbf)})
        t32 = statistics.median(x["wall"] for x in r["f32"])
        for name in ("f16", "bf16"):
            t = statistics.median(x["wall"] for x in r[name])
            method = ",".join(sorted({x["method"] for x in r[name]}))
            self.add(4, f"{name} / f32 (25600x2048, rankme)", f"{t / t32:.2f}x", "<= 1.2x",
                     t / t32 <= 1.2, f"{name} {t:.2f} s (path {method}), f32 {t32:.2f} s")

    def item_5(self):
        p = self.big("largeN_2000000x256_f32.npy", 2_000_000, 256, 5)
        r = self.interleave({"rankme": lambda: self.rankme_score(p, ["--max-samples", "0"]),
                             "floor": lambda: self.floor_run(p)})
        rk = statistics.median(x["wall"] for x in r["rankme"])
        rss = max(x["rss"] for x in r["rankme"])
        fl = statistics.median(x["floor"] for x in r["floor"])
        method = ",".join(sorted({x["method"] for x in r["rankme"]}))
        self.add(5, "large N 2e6x256 f32 (2 GB): peak RSS", f"{rss:.0f} MB", "<= 150 MB",
                 rss <= 150, f"max over {len(r['rankme'])} runs, --max-samples 0")
        self.add(5, "large N 2e6x256 f32: rankme / floor", f"{rk / fl:.2f}x", "<= 1.3x",
                 rk / fl <= 1.3, f"rankme {rk:.2f} s (path {method}), floor {fl:.2f} s "
                 f"(floor maps the whole file: {max(x['rss'] for x in r['floor']):.0f} MB)")

    def item_6(self):
        p = self.big("largeD_25600x8192_f32.npy", 25600, 8192, 6)
        repeat = self.args.repeat_large_d
        r = self.interleave({"rankme": lambda: self.rankme_score(p),
                             "floor": lambda: self.floor_run(p)}, repeat)
        rk = statistics.median(x["wall"] for x in r["rankme"])
        rss = max(x["rss"] for x in r["rankme"])
        fl = statistics.median(x["floor"] for x in r["floor"])
        frss = max(x["rss"] for x in r["floor"])
        method = ",".join(sorted({x["method"] for x in r["rankme"]}))
        self.add(6, "large D 25600x8192 f32: rankme / floor", f"{rk / fl:.2f}x", "report",
                 None, f"rankme {rk:.1f} s (path {method}), floor {fl:.1f} s "
                 f"(ssyrk {statistics.median(x['ssyrk'] for x in r['floor']):.1f} + dsyevd "
                 f"{statistics.median(x['dsyevd'] for x in r['floor']):.1f}); {repeat} run(s)")
        self.add(6, "large D: peak RSS rankme / floor", f"{rss:.0f} / {frss:.0f} MB", "report",
                 None, "file 800 MB; Gram 8192^2 float64 = 512 MB")

    def sweep(self):
        root = self.path("sweep")
        if not os.path.exists(root):
            rng = np.random.default_rng(7)
            base = rng.standard_normal((4096, 256), dtype=np.float32)
            for run in range(100):
                d = os.path.join(root, f"run_{run:03d}")
                os.makedirs(d)
                with open(os.path.join(d, "config.yaml"), "w") as f:
                    f.write(f"lr: {10 ** -(1 + run % 5)}\nwd: {0.01 * (run // 5)}\nseed: {run}\n")
                for k, step in enumerate((100, 200, 300, 400)):
                    z = base * np.float32(1.0 + 0.001 * (run * 4 + k))  # distinct content
                    z[0, 0] = run * 4 + k
                    np.save(os.path.join(d, f"step_{step:06d}.npy"), z)
        for dirpath, _, files in os.walk(root):
            for name in files:
                self.warm(os.path.join(dirpath, name))
        return root

    def ingest(self, root, db, jobs):
        cmd = [self.rankme, "ingest", root, "--db", db, "--jobs", str(jobs), "--json", "-q",
               "--settle-seconds", "0"]
        wall, rss, out, _ = run_measured(cmd, self.rankme_env)
        summary = json.loads(out)
        return {"wall": wall, "rss": rss, "summary": summary}

    def item_7(self):
        root = self.sweep()

        def fresh(jobs):
            db = self.path(f"ingest_j{jobs}.db")
            for suffix in ("", "-wal", "-shm"):
                if os.path.exists(db + suffix):
                    os.remove(db + suffix)
            for entry in os.listdir(self.tmp):
                if entry.startswith(f"ingest_j{jobs}.db"):
                    full = os.path.join(self.tmp, entry)
                    if os.path.isfile(full):
                        os.remove(full)
            return self.ingest(root, db, jobs)

        r = self.interleave({"j1": lambda: fresh(1), "j2": lambda: fresh(2)})
        t1 = statistics.median(x["wall"] for x in r["j1"])
        t2 = statistics.median(x["wall"] for x in r["j2"])
        rss1 = max(x["rss"] for x in r["j1"])
        rss2 = max(x["rss"] for x in r["j2"])
        eff = t1 / (2 * t2)
        self.add(7, "ingest 100 runs x 4 ckpt 4096x256: T(j1) / (2 T(j2))", f"{eff:.2f}",
                 ">= 0.85", eff >= 0.85,
                 f"jobs 1 {t1:.2f} s, jobs 2 {t2:.2f} s; peak RSS {rss1:.0f} / {rss2:.0f} MB; "
                 f"summary {json.dumps(r['j2'][-1]['summary'])[:160]}")
        again = [self.ingest(root, self.path("ingest_j2.db"), 2) for _ in range(self.args.repeat)]
        t = statistics.median(x["wall"] for x in again)
        self.add(7, "re-ingest of the unchanged sweep", f"{t:.3f} s", "<= 0.5 s", t <= 0.5,
                 f"jobs 2, process wall time, median of {len(again)}")

    def item_8(self):
        have = {}
        for command in ("best", "leaderboard"):
            proc = subprocess.run([self.rankme, command, "--help"], capture_output=True,
                                  env=self.rankme_env)
            have[command] = proc.returncode == 0
        missing = [c for c, ok in have.items() if not ok]
        if missing:
            self.add(8, "queries on 100,000 checkpoints", "not available", "<= 100 ms", None,
                     f"`rankme {' / '.join(missing)}` does not exist in this build")
            return
        db = self.query_database()
        for command in ("best", "leaderboard"):
            # A run takes ~0.1 s, where this machine's run-to-run spread is ±20 %: eleven runs
            # a side at least, so that the median means something.
            times = [run_measured([self.rankme, command, "--db", db], self.rankme_env)[0]
                     for _ in range(max(11, self.args.repeat))]
            t = statistics.median(times)
            self.add(8, f"`rankme {command}` on 100,000 checkpoints", f"{t * 1000:.0f} ms",
                     "<= 100 ms", t <= 0.1,
                     f"process wall time, median of {len(times)} (min {min(times) * 1000:.0f}, "
                     f"max {max(times) * 1000:.0f} ms)")

    def query_database(self):
        """A database of 100,000 checkpoints: a small sweep ingested, then rows replicated."""
        import sqlite3
        db = self.path("queries.db")
        if os.path.exists(db):
            return db
        root = self.path("query_sweep")
        rng = np.random.default_rng(8)
        for run in range(4):
            d = os.path.join(root, f"run_{run}")
            os.makedirs(d, exist_ok=True)
            with open(os.path.join(d, "config.yaml"), "w") as f:
                f.write(f"lr: {10 ** -(1 + run)}\nseed: {run}\n")
            np.save(os.path.join(d, "step_000100.npy"),
                    rng.standard_normal((64, 16), dtype=np.float32))
        self.ingest(root, db, 1)
        # Replicate through SQL (schema of migrations/0001_initial.sql): 1000 runs of 250
        # configurations x 4 seeds, 100 checkpoints each, every checkpoint with its own score.
        con = sqlite3.connect(db)
        sweep_id, = con.execute("select sweep_id from sweeps").fetchone()
        run = con.execute("select layout, first_seen_at from runs limit 1").fetchone()
        tensor = con.execute("select tensor, stat_key, rows, cols, dtype, updated_at "
                             "from tensors where status = 'ok' limit 1").fetchone()
        score = con.execute("select settings_key, eps, max_samples, subsample_seed, "
                            "algorithm_version, tool_version, computed_at from scores "
                            "limit 1").fetchone()
        values = rng.uniform(1.0, 200.0, size=100_000)
        with con:
            for c in range(250):
                key = json.dumps({"lr": 10.0 ** (-1 - c % 5), "wd": 0.001 * (c // 5)},
                                 sort_keys=True, separators=(",", ":"))
                con.execute("insert into configurations values (?, ?)", (f"bench{c:04d}", key))
            for r in range(1000):
                cfg, seed = r % 250, r // 250
                cur = con.execute(
                    "insert into runs (sweep_id, path, name, layout, config_id, seed, "
                    "config_json, first_seen_at, last_seen_at) values (?,?,?,?,?,?,?,?,?)",
                    (sweep_id, f"{root}/bench_run_{r:04d}", f"bench_run_{r:04d}", run[0],
                     f"bench{cfg:04d}", str(seed), json.dumps({"seed": seed}), run[1], run[1]))
                run_id = cur.lastrowid
                con.execute("insert into params values (?, 'seed', ?, 'seed')", (run_id, str(seed)))
                for k in range(100):
                    i = r * 100 + k
                    cur = con.execute(
                        "insert into checkpoints (run_id, name, step, position) values (?,?,?,?)",
                        (run_id, f"step_{(k + 1) * 100:06d}.npy", (k + 1) * 100, k))
                    digest = f"{i:032x}"
                    con.execute(
                        "insert into tensors (checkpoint_id, source, tensor, files_json, stat_key, "
                        "content_hash, rows, cols, dtype, status, updated_at) "
                        "values (?,?,?,?,?,?,?,?,?, 'ok', ?)",
                        (cur.lastrowid, json.dumps([f"bench_{i}.npy"]), tensor[0],
                         json.dumps([f"bench_{i}.npy"]), tensor[1], digest, tensor[2], tensor[3],
                         tensor[4], tensor[5]))
                    con.execute(
                        "insert into scores (content_hash, tensor, metric, settings_key, value, "
                        "status, method, error_bound, rows_used, rows_total, cols, dtype, eps, "
                        "max_samples, subsample_seed, algorithm_version, tool_version, seconds, "
                        "computed_at) values (?,?, 'rankme', ?,?, 'ok', 'gram32', 1e-9, ?,?,?,?,?,?,?,"
                        "?,?, 0.01, ?)",
                        (digest, tensor[0], score[0], float(values[i]), tensor[2], tensor[2],
                         tensor[3], tensor[4], *score[1:]))
        con.close()
        return db


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("items", nargs="*", type=int, help="items to run (default: all)")
    parser.add_argument("--build", required=True, help="build folder with rankme")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each side (median)")
    parser.add_argument("--repeat-large-d", type=int, default=1,
                        help="runs of each side for item 6 (one takes minutes)")
    parser.add_argument("--coretype", default="SkylakeX",
                        help="OPENBLAS_CORETYPE for numpy and the floor program")
    parser.add_argument("--keep", metavar="DIR", help="keep generated data in DIR (reused)")
    args = parser.parse_args()
    items = set(args.items or range(1, 13))

    if args.keep:
        os.makedirs(args.keep, exist_ok=True)
        args.tmp = args.keep
    else:
        args.tmp = tempfile.mkdtemp(prefix="rankme-bench-", dir=os.environ.get("TMPDIR", "/tmp"))
    bench = Bench(args)
    cpu = "?"
    for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines():
        if line.startswith("Model name:"):
            cpu = line.split(":", 1)[1].strip()
    started = time.time()
    print(f"rankme bench {datetime.datetime.now().isoformat(timespec='seconds')}: {cpu}, "
          f"{os.cpu_count()} cores, load {loadavg()}, repeat {args.repeat}, data in {args.tmp}",
          flush=True)
    start_load = loadavg()
    try:
        steps = [({1, 2}, lambda: bench.item_1_2(items)), ({3}, bench.item_3),
                 ({4}, bench.item_4), ({5}, bench.item_5), ({6}, bench.item_6),
                 ({7}, bench.item_7), ({8}, bench.item_8), ({9}, bench.item_9),
                 ({10}, bench.item_10), ({11}, bench.item_11), ({12}, bench.item_12)]
        for wanted, step in steps:
            if items & wanted:
                try:
                    step()
                except Exception as e:  # one broken item must not hide the others
                    bench.add(min(items & wanted), "error", "failed", "-", False, str(e)[:300])
    finally:
        if not args.keep:
            shutil.rmtree(args.tmp, ignore_errors=True)

    print()
    print(f"machine: {cpu}, {os.cpu_count()} cores; load at start {start_load}, at end "
          f"{loadavg()}; {time.time() - started:.0f} s; {datetime.date.today().isoformat()}")
    for side in ("rankme", "numpy", "floor", "python", "lidar"):
        if side in bench.kernels:
            print(f"kernels {side}: {bench.kernels[side]}")
    headers = ("#", "measurement", "figure", "target", "status", "details (medians)")
    widths = [max(len(str(row[i])) for row in [headers] + bench.rows) for i in range(5)]
    print("| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths + [0])) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths + [len(headers[5])]) + "|")
    for row in bench.rows:
        print("| " + " | ".join(str(c).ljust(w) for c, w in zip(row, widths + [0])) + " |")


if __name__ == "__main__":
    sys.exit(main())
