#!/usr/bin/env bash
# Bounded memory: a 400 MB float32 .npy (far larger than the read window) scored with every
# row (--max-samples 0) keeps the process's peak resident memory under 150 MB, and the value
# equals numpy's float64 SVD of the same file.
set -euo pipefail
: "${RANKME:?path of the rankme binary}"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
/usr/bin/python3 - "$RANKME" "$tmp/big.npy" <<'PY'
import json, resource, subprocess, sys
import numpy as np
rankme, path = sys.argv[1], sys.argv[2]
rows, cols, block = 400_000, 256, 50_000
z = np.lib.format.open_memmap(path, mode="w+", dtype=np.float32, shape=(rows, cols))
rng = np.random.default_rng(7)
scale = (np.arange(1, cols + 1) ** -0.5).astype(np.float32)   # a power-law spectrum
gram = np.zeros((cols, cols))
for start in range(0, rows, block):
    chunk = (rng.standard_normal((block, cols), dtype=np.float32) * scale).astype(np.float32)
    z[start:start + block] = chunk
    c64 = chunk.astype(np.float64)
    gram += c64.T @ c64
z.flush(); del z
# Reference: singular values from the float64 Gram of the float32 values (exact products);
# full rank and well conditioned here, so this equals the SVD to far below 1e-6.
s = np.sqrt(np.clip(np.linalg.eigvalsh(gram), 0, None))[::-1]
p = s / s.sum() + 1e-7
want = float(np.exp(-(p * np.log(p)).sum()))

with open(path + ".want", "w") as f:
    f.write(repr(want))
PY
# Measured from a small, fresh process: a child's peak RSS starts at its parent's size at fork.
/usr/bin/python3 - "$RANKME" "$tmp/big.npy" <<'PY'
import json, resource, subprocess, sys
rankme, path = sys.argv[1], sys.argv[2]
want = float(open(path + ".want").read())
out = subprocess.run([rankme, "score", "--json", "--max-samples", "0", path],
                     check=True, capture_output=True, text=True).stdout
result = json.loads(out)[0]
peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(f"rankme {result['rankme']:.9g} want {want:.9g} rows {result['rows_used']} "
      f"path {result['method']} peak {peak_mb:.1f} MB")
assert result["rows_used"] == 400_000, result
assert abs(result["rankme"] - want) <= 1e-6 * want, (result["rankme"], want)
assert peak_mb < 150, f"peak resident memory {peak_mb:.1f} MB"
PY
echo "score_memory_test: ok"
