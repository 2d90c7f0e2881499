#!/usr/bin/env bash
# The memory a score takes follows the declared shape (D² and min(N, D)), not the file: a 140 KB
# .npz declaring 6001 x 6000 float32 is announced on stderr with its estimate before scoring, and
# refused (exit 2, one line naming the file, the shape and the memory) beyond --max-memory; in a
# sweep the refused file is recorded and the run beside it is still scored.
set -euo pipefail
: "${RANKME:?path of the rankme binary}"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
mkdir -p sw/r1/.hydra sw/r2/.hydra
printf 'seed: 0\nlr: 1\n' > sw/r1/.hydra/config.yaml
printf 'seed: 0\nlr: 2\n' > sw/r2/.hydra/config.yaml
/usr/bin/python3 -c "
import numpy as np
np.savez_compressed('big.npz', e=np.zeros((6001, 6000), 'f4'))
np.save('sw/r1/e.npy', np.random.default_rng(0).random((50, 8)).astype('f4'))
np.savez_compressed('sw/r2/e.npz', e=np.zeros((6001, 6000), 'f4'))"
size=$(stat -c %s big.npz)
[ "$size" -lt 300000 ] || { echo "fixture too large: $size"; exit 1; }

# The exact path's two float64 R factors of [1 | Z] (6001 x 6001) and the copies of two parts
# of R for the SVDs alone take 1152 MB (computed here, not by rankme).
floor_mb=$(( 4 * 8 * 6001 * 6001 / 1000000 ))

set +e
"$RANKME" score --max-memory 100MB big.npz > out.txt 2> err.txt
rc=$?
set -e
cat err.txt
[ "$rc" -eq 2 ] || { echo "exit $rc, expected 2"; exit 1; }
[ "$(wc -l < err.txt)" -eq 1 ] || { echo "expected one line"; exit 1; }
grep -q '^rankme: big.npz#e: .*6001 x 6000 float32.*more than the budget of 100 MB (--max-memory)$' err.txt
# "about 1.2 GB" (one decimal: within 50 MB) or "about N MB".
needed_text=$(sed -n 's/.*needs about \([0-9.]* [MG]B\).*/\1/p' err.txt)
needed=$(echo "$needed_text" | awk '{ print ($2 == "GB") ? int($1 * 1000) : int($1) }')
[ "$needed" -ge $(( floor_mb - 50 )) ] && [ "$needed" -le $(( floor_mb + 150 )) ] ||
  { echo "estimate $needed MB, floor $floor_mb MB"; exit 1; }

# Within the budget (the default: half the physical memory, or a given one): a note first.
"$RANKME" score --max-memory 4GB big.npz > out.txt 2> err.txt
cat err.txt
head -1 err.txt | grep -q "^rankme: big.npz#e: 6001 x 6000 float32: scoring needs about $needed_text"
grep -q degenerate out.txt

# A sweep: the refused file is a recorded failure, the other run is scored, exit 0.
"$RANKME" ingest --db sw.db --settle-seconds 0 --max-memory 100MB sw > out.txt 2> err.txt
cat out.txt
cat err.txt
grep -q "r2/e.*6001 x 6000 float32.*--max-memory" err.txt
grep -q "1 tensors scored" out.txt
grep -q "1 failed" out.txt
echo "score_memory_budget_test: ok"
