#!/usr/bin/env bash
# Two `rankme ingest` processes on two sweep folders and ONE database at the same time: both
# exit 0, every result of both is stored, the file passes PRAGMA integrity_check.
set -euo pipefail
: "${RANKME:?path of the rankme binary}" "${RANKME_SOURCE_DIR:?}"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
make_sweep() { /usr/bin/python3 "$RANKME_SOURCE_DIR/scripts/make_ingest_sweep.py" "$@"; }

# Each sweep takes about a second to score with one worker, so the two overlap.
make_sweep "$tmp/a" --layout plain --runs 8 --checkpoints 3 --rows 2000 --cols 96 --seed 1
make_sweep "$tmp/b" --layout hydra --runs 8 --checkpoints 3 --rows 2000 --cols 96 --seed 2

for attempt in 1 2 3; do
  db="$tmp/shared$attempt.db"
  "$RANKME" ingest "$tmp/a" --db "$db" --jobs 1 --json -q >"$tmp/a.json" 2>"$tmp/a.err" &
  pid_a=$!
  "$RANKME" ingest "$tmp/b" --db "$db" --jobs 1 --json -q >"$tmp/b.json" 2>"$tmp/b.err" &
  pid_b=$!
  code_a=0; wait "$pid_a" || code_a=$?
  code_b=0; wait "$pid_b" || code_b=$?
  [ "$code_a" -eq 0 ] || fail "attempt $attempt: first ingest exited $code_a: $(cat "$tmp/a.err")"
  [ "$code_b" -eq 0 ] || fail "attempt $attempt: second ingest exited $code_b: $(cat "$tmp/b.err")"
  [ "$(sqlite3 "$db" 'PRAGMA integrity_check')" = ok ] || fail "integrity_check"

  /usr/bin/python3 - "$tmp" "$db" <<'PY'
import json, sqlite3, sys
tmp, db = sys.argv[1], sys.argv[2]
con = sqlite3.connect(db)
q = lambda sql: con.execute(sql).fetchone()[0]
truth = {name: json.load(open(f"{tmp}/{name}/truth.json")) for name in ("a", "b")}
summary = {name: json.load(open(f"{tmp}/{name}.json")) for name in ("a", "b")}
expected = sum(len(t) for t in truth.values())  # 48 + 48 matrices
for name in ("a", "b"):
    s = summary[name]
    assert s["scored"] == len(truth[name]) and s["failed"] == 0 and s["not_ready"] == 0, s
    assert s["runs"] == 8 and s["checkpoints"] == 24, s
assert q("SELECT count(*) FROM scores WHERE metric = 'rankme'") == expected, q("SELECT count(*) FROM scores WHERE metric = 'rankme'")
assert q("SELECT count(*) FROM tensors WHERE status = 'ok'") == expected
assert q("SELECT count(*) FROM tensors") == expected
assert q("SELECT count(*) FROM runs") == 16
assert q("SELECT count(*) FROM checkpoints") == 48
assert q("SELECT count(*) FROM sweeps") == 2
assert q("SELECT count(*) FROM spectra WHERE kind = 'singular_values'") == expected
assert q("SELECT count(*) FROM checkpoint_scores WHERE metric = 'rankme'") == expected
# every value equals numpy's float64 reference
rows = con.execute("SELECT files, tensor, value FROM checkpoint_scores WHERE metric = 'rankme'").fetchall()
ref = {}
for name, records in truth.items():
    for r in records:
        ref[(f"{tmp}/{name}/{r['files'][0]}", r["tensor"])] = r["rankme"]
for files, tensor, value in rows:
    first = json.loads(files)[0].split("#")[0]
    want = ref[(first, tensor)]
    assert abs(value - want) <= 1e-6 * want, (first, tensor, value, want)
PY
done
echo "ingest_two_process_test: ok"
