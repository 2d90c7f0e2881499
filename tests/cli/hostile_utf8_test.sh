#!/usr/bin/env bash
# End-to-end: invalid UTF-8 in run folder names, file names (tensor names), .pt keys and the
# error messages quoting them. Every text column of the database holds valid UTF-8 (an invalid
# byte as U+FFFD and its two hex digits, see EscapeInvalidUtf8), names that differ only in
# invalid bytes stay distinct runs and tensors, and a second ingest finds every one of them again
# (nothing re-added).
set -euo pipefail
: "${RANKME:?path of the rankme binary}"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
cd "$tmp"
/usr/bin/python3 - <<'PY'
import os, numpy as np
rng = np.random.default_rng(0)
for run in (b"r\xff", b"r\xfe", b"r\\xff"):  # the last is valid UTF-8: a backslash, x, f, f
    d = b"sweep/" + run
    os.makedirs(d + b"/.hydra")
    open(d + b"/.hydra/config.yaml", "wb").write(b"lr: 0.1\nseed: 0\n")
    for tensor in (b"emb\xff", b"emb\xfe"):
        os.makedirs(d + b"/checkpoints/step_1", exist_ok=True)
        with open(d + b"/checkpoints/step_1/" + tensor + b".npy", "wb") as f:
            np.save(f, rng.standard_normal((40, 6)).astype("f4"))
    bad = rng.standard_normal((40, 6)).astype("f4")
    bad[3, 2] = np.nan  # a failure whose message quotes the path
    os.makedirs(d + b"/checkpoints/step_2")
    with open(d + b"/checkpoints/step_2/emb\xff.npy", "wb") as f:
        np.save(f, bad)
PY
find sweep -name '*.npy' -exec touch -d '1 hour ago' {} +
"$RANKME" ingest -q --json --db r.db sweep > first.json 2> err.txt || [ $? = 0 ] ||
  fail "ingest failed: $(cat err.txt)"
"$RANKME" ingest -q --json --db r.db sweep > second.json 2>> err.txt || true
/usr/bin/python3 - <<'PY'
import json, sqlite3
db = sqlite3.connect("r.db")
tables = [r[0] for r in db.execute(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
checked = 0
for table in tables:
    try:  # TEXT that is not valid UTF-8 cannot be decoded: sqlite3 raises (blobs are bytes)
        rows = db.execute(f"SELECT * FROM {table}").fetchall()
    except sqlite3.OperationalError as e:
        raise SystemExit(f"FAIL: {table} holds invalid UTF-8: {e}")
    checked += sum(isinstance(v, str) for row in rows for v in row)
assert checked > 50, checked
runs = sorted(r[0] for r in db.execute("SELECT name FROM runs"))
assert runs == ["r\\xff", "r\ufffdfe", "r\ufffdff"], runs  # three runs, none merged
tensors = sorted(set(r[0] for r in db.execute("SELECT tensor FROM tensors WHERE tensor <> ''")))
assert tensors == ["emb\ufffdfe", "emb\ufffdff"], tensors
scored = db.execute("SELECT count(*) FROM tensors WHERE status = 'ok'").fetchone()[0]
assert scored == 6, scored  # 3 runs x 2 tensors of step_1
messages = [r[0] for r in db.execute(
    "SELECT error_message FROM tensors WHERE status = 'failed'")]
assert len(messages) == 3 and all("step_2/emb" in m for m in messages), messages
first, second = json.load(open("first.json")), json.load(open("second.json"))
assert first["scored"] == 6, first
assert second["scored"] == 0 and second["runs"] == 3, second
assert db.execute("SELECT count(*) FROM runs").fetchone()[0] == 3
assert db.execute("SELECT count(*) FROM tensors WHERE status = 'missing'").fetchone()[0] == 0
PY
# A run is found by the name its folder has on disk, invalid bytes and all.
"$RANKME" show --db r.db "$(printf 'r\xff')" > show.txt || fail "show of r\\xff failed"
grep -qF "r$(printf '\357\277\275')ff" show.txt || fail "show does not name r\\xff: $(cat show.txt)"
echo "hostile utf8: ok"
