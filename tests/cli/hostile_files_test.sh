#!/usr/bin/env bash
# End-to-end: embedding files that are not files. A FIFO, a link to /dev/zero, a folder, a
# symbolic-link loop, an empty file and a truncated file, each named like an embedding dump in
# its own run beside good runs: `rankme score` refuses each at once with one line (exit 2) and
# never waits on a FIFO; `rankme ingest` exits 0, scores every good run and records each bad one.
set -euo pipefail
: "${RANKME:?path of the rankme binary}"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
cd "$tmp"
for r in good1 good2 fifo zero folder loop empty truncated; do
  mkdir -p "sweep/$r/.hydra"
  printf 'lr: %s\nseed: 0\n' "$r" > "sweep/$r/.hydra/config.yaml"
done
/usr/bin/python3 -c "
import numpy as np
rng = np.random.default_rng(0)
for r in ('good1', 'good2'): np.save(f'sweep/{r}/embeddings.npy', rng.standard_normal((30, 5)).astype('f4'))
np.save('full.npy', rng.standard_normal((30, 5)).astype('f4'))
raw = open('full.npy', 'rb').read()
open('sweep/truncated/embeddings.npy', 'wb').write(raw[:len(raw) - 7])"
mkfifo sweep/fifo/embeddings.npy
ln -s /dev/zero sweep/zero/embeddings.npy
mkdir sweep/folder/embeddings.npy
ln -s loop_b.npy sweep/loop/embeddings.npy
ln -s embeddings.npy sweep/loop/loop_b.npy
: > sweep/empty/embeddings.npy
# Links to folders outside the sweep: /proc/self (an endless tree) and a folder of dumps.
ln -s /proc/self sweep/good1/proc_link
mkdir -p elsewhere/checkpoints/step_1
cp sweep/good2/embeddings.npy elsewhere/checkpoints/step_1/embeddings.npy
ln -s "$PWD/elsewhere" sweep/good2/outside
touch -d '2 hours ago' sweep/*/embeddings.npy sweep/truncated/embeddings.npy 2>/dev/null || true

for r in fifo zero folder loop empty truncated; do
  set +e
  timeout 20 "$RANKME" score "sweep/$r/embeddings.npy" > out.txt 2> err.txt
  code=$?
  set -e
  [ "$code" = 2 ] || fail "score of the $r file exited $code: $(cat err.txt)"
  [ "$(wc -l < err.txt)" = 1 ] || fail "$r: not one line: $(cat err.txt)"
  grep -q "^rankme: sweep/$r/embeddings.npy: " err.txt || fail "$r: message does not name the file: $(cat err.txt)"
done
grep -q 'is a FIFO' <(timeout 20 "$RANKME" score sweep/fifo/embeddings.npy 2>&1) || fail "FIFO not named as such"

set +e
timeout 120 "$RANKME" ingest --db r.db --settle-seconds 0 sweep > ingest.txt 2> ingest_err.txt
code=$?
set -e
[ "$code" = 0 ] || fail "ingest exited $code: $(cat ingest_err.txt)"
/usr/bin/python3 - <<'PY'
import sqlite3
con = sqlite3.connect("r.db")
scored = {r for (r,) in con.execute(
    "SELECT DISTINCT run FROM checkpoint_scores WHERE metric = 'rankme' AND value IS NOT NULL")}
assert scored == {"good1", "good2"}, scored
failed = {r for (r,) in con.execute("SELECT DISTINCT run FROM failures")}
assert failed == {"empty", "truncated"}, failed
# Special files (FIFO, device, folder, link loop) are not embedding files: discovery passes
# them over, and the runs stay listed with no checkpoint.
runs = dict(con.execute(
    "SELECT r.name, count(c.checkpoint_id) FROM runs r "
    "LEFT JOIN checkpoints c ON c.run_id = r.run_id GROUP BY r.run_id"))
assert len(runs) == 8, runs
for r in ("fifo", "zero", "folder", "loop"):
    assert runs[r] == 0, runs
PY
for r in fifo zero folder loop; do
  grep -q "sweep/$r: no embedding files found" ingest_err.txt || fail "no note for the $r run"
done
for link in good1/proc_link good2/outside; do
  grep -q "sweep/$link: a link to a folder outside the sweep" ingest_err.txt ||
    fail "no note for the link $link: $(cat ingest_err.txt)"
done
[ "$(sqlite3 r.db "SELECT count(*) FROM checkpoints c JOIN runs r USING (run_id) WHERE r.name = 'good2'")" = 1 ] ||
  fail "the folder outside the sweep was ingested"
# A file of 3000 tensors: its header was parsed again for every tensor (90 s); now once.
mkdir -p many/lightning_logs/version_0/embeddings
echo "lr: 0.1" >many/lightning_logs/version_0/hparams.yaml
/usr/bin/python3 - many/lightning_logs/version_0/embeddings/epoch=0-step=1.safetensors <<'PY'
import json, struct, sys
import numpy as np
rng = np.random.default_rng(0)
header, data = {}, b""
for i in range(3000):
    block = rng.standard_normal((4, 3)).astype("<f4").tobytes()
    header[f"t{i:05d}"] = {"dtype": "F32", "shape": [4, 3],
                           "data_offsets": [len(data), len(data) + len(block)]}
    data += block
raw = json.dumps(header).encode()
open(sys.argv[1], "wb").write(struct.pack("<Q", len(raw)) + raw + data)
PY
touch -d "1 hour ago" many/lightning_logs/version_0/embeddings/*
timeout 120 "$RANKME" ingest many/lightning_logs --db many.db -q --json >many.json ||
  fail "3000 tensors in one file: not done within 120 s"
/usr/bin/python3 -c "import json,sys; s=json.load(open('many.json')); assert s['scored'] == 3000, s"
# The same for a .pt of 3000 tensors (its zip and pickle were read again per tensor: 112 s).
if /usr/bin/python3 -c "import torch" 2>/dev/null; then
  mkdir -p manypt/wandb/run-1/files/embeddings
  printf 'lr:\n  value: 0.1\n' >manypt/wandb/run-1/files/config.yaml
  /usr/bin/python3 -c "
import sys, torch
g = torch.Generator().manual_seed(0)
torch.save({f't{i:05d}': torch.randn(4, 3, generator=g) for i in range(3000)}, sys.argv[1])
" manypt/wandb/run-1/files/embeddings/step_000001.pt
  touch -d "1 hour ago" manypt/wandb/run-1/files/embeddings/*
  timeout 120 "$RANKME" ingest manypt/wandb --db manypt.db -q --json >manypt.json ||
    fail "3000 tensors in one .pt: not done within 120 s"
  /usr/bin/python3 -c "import json; s=json.load(open('manypt.json')); assert s['scored'] == 3000, s"
fi
# The same for an .npz of 3000 arrays (its central directory was read again per array).
mkdir -p manynpz/lightning_logs/version_0/embeddings
echo "lr: 0.1" >manynpz/lightning_logs/version_0/hparams.yaml
/usr/bin/python3 -c "
import sys, numpy as np
rng = np.random.default_rng(0)
np.savez(sys.argv[1], **{f't{i:05d}': rng.standard_normal((4, 3)).astype('f4') for i in range(3000)})
" manynpz/lightning_logs/version_0/embeddings/epoch=0-step=1.npz
touch -d "1 hour ago" manynpz/lightning_logs/version_0/embeddings/*
timeout 120 "$RANKME" ingest manynpz/lightning_logs --db manynpz.db -q --json >manynpz.json ||
  fail "3000 arrays in one .npz: not done within 120 s"
/usr/bin/python3 -c "import json; s=json.load(open('manynpz.json')); assert s['scored'] == 3000, s"
echo "hostile files: ok"
