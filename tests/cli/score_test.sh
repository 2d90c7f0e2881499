#!/usr/bin/env bash
# End-to-end: `rankme score` output, JSON, exit codes and error messages.
set -euo pipefail
: "${RANKME:?path of the rankme binary}" "${RANKME_TEST_DATA_DIR:?}"
sweep="$RANKME_TEST_DATA_DIR/real_sweep_small"
npy="$sweep/multirun/2026-11-20/10-00-00/0/checkpoints/epoch_001/embeddings.npy"
st="$sweep/lightning_logs/version_2/embeddings/epoch=0-step=31.safetensors"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# A table row per file, with the reference value's digits.
out=$("$RANKME" score "$npy")
grep -q "512/512" <<<"$out" || fail "rows column: $out"
grep -q "23.287654" <<<"$out" || fail "value: $out"

# JSON: every field, the value equal to the float64 reference within 1e-6.
"$RANKME" score --json --spectrum "$npy" "$st#representations" >"$tmp/out.json"
/usr/bin/python3 - "$tmp/out.json" "$sweep/ground_truth.json" <<'PY'
import json, sys
out = json.load(open(sys.argv[1])); truth = json.load(open(sys.argv[2]))
ref = {r["files"]["embeddings"]: r["rankme_embeddings"] for r in truth}
ref.update({r["files"]["representations"]: r["rankme_representations"] for r in truth})
assert len(out) == 2, out
for entry in out:
    rel = entry["path"].split("real_sweep_small/")[1]
    key = rel if rel in ref else rel + "#" + entry["tensor"]
    want = ref[key]
    assert abs(entry["rankme"] - want) <= 1e-6 * want, (entry, want)
    assert entry["rows_used"] == 512 and entry["cols"] == 64 and entry["dtype"] == "float16"
    assert len(entry["singular_values"]) == 64
    assert entry["method"] in ("gram32", "gram64", "qr")
PY

# A bad file among good ones: the good ones print, the bad one is named, exit 2.
printf 'not a numpy file' >"$tmp/bad.npy"
set +e
out=$("$RANKME" score "$npy" "$tmp/bad.npy" 2>"$tmp/err"); code=$?
set -e
[ "$code" -eq 2 ] || fail "exit code $code for a bad file"
grep -q "23.287654" <<<"$out" || fail "good file not printed"
grep -q "$tmp/bad.npy" "$tmp/err" || fail "bad file not named: $(cat "$tmp/err")"

# Unknown tensor: usage error (exit 1) listing what exists.
set +e
"$RANKME" score "$st#nope" 2>"$tmp/err"; code=$?
set -e
[ "$code" -eq 1 ] || fail "exit code $code for an unknown tensor"
grep -q "representations" "$tmp/err" || fail "names not listed: $(cat "$tmp/err")"

# Bad option: usage error.
set +e
"$RANKME" score --method nope "$npy" 2>/dev/null; code=$?
set -e
[ "$code" -eq 1 ] || fail "exit code $code for a bad option"

# --verbose names the BLAS kernels, which must not be the slow generic ones on a modern CPU.
"$RANKME" score -v "$npy" 2>"$tmp/err" >/dev/null
grep -q "BLAS: OpenBLAS" "$tmp/err" || fail "no kernel line"
if grep -q avx2 /proc/cpuinfo; then ! grep -q Prescott "$tmp/err" || fail "slow kernels"; fi
# A forced Gram tier on a rank-deficient matrix is kept but said to be uncertified; the exact
# path and a certified Gram say nothing.
/usr/bin/python3 -c "
import numpy as np
rng = np.random.default_rng(3)
np.save('$tmp/rank1.npy', np.tile(rng.standard_normal((1, 64)), (2000, 1)).astype('f4'))
np.save('$tmp/flat.npy', rng.standard_normal((2000, 64)).astype('f4'))"
"$RANKME" score --method gram32 "$tmp/rank1.npy" 2>"$tmp/err" >/dev/null
grep -q "gram32 result NOT certified: error bound .* exceeds the accuracy contract 1e-06" "$tmp/err" ||
  fail "no uncertified note: $(cat "$tmp/err")"
"$RANKME" score --method qr "$tmp/rank1.npy" 2>"$tmp/err" >/dev/null
grep -q "NOT certified" "$tmp/err" && fail "qr said uncertified"
"$RANKME" score --method gram32 "$tmp/flat.npy" 2>"$tmp/err" >/dev/null
grep -q "NOT certified" "$tmp/err" && fail "a certified gram32 said uncertified: $(cat "$tmp/err")"
echo "score_test: ok"
