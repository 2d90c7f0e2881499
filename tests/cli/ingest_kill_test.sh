#!/usr/bin/env bash
# kill -9 drill: an ingest killed at random moments (during discovery, scoring and write
# transactions) leaves a database that passes PRAGMA integrity_check every time, and the ingest
# run to completion afterwards stores every result exactly once, equal to a clean ingest.
#
# RANKME_KILL_ROUNDS (default 16) and RANKME_KILL_SECONDS (default 30, the time the kill loop
# may take) bound the drill.
set -euo pipefail
: "${RANKME:?path of the rankme binary}" "${RANKME_SOURCE_DIR:?}"
rounds=${RANKME_KILL_ROUNDS:-16}
budget=${RANKME_KILL_SECONDS:-30}
tmp=$(mktemp -d)
pid=""
cleanup() { [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }

# 40 runs × 4 checkpoints of 2000 × 128 float32 (1 MB each, 160 files).
/usr/bin/python3 "$RANKME_SOURCE_DIR/scripts/make_ingest_sweep.py" "$tmp/sweep" \
  --layout solo-learn --runs 40 --checkpoints 4 --rows 2000 --cols 128 --no-truth-scores
total=160

# A clean ingest into a fresh database: the reference, and how long a whole ingest takes.
start=$(date +%s%N)
"$RANKME" ingest "$tmp/sweep" --db "$tmp/clean.db" --jobs 2 -q >/dev/null
clean_ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$(sqlite3 "$tmp/clean.db" "SELECT count(*) FROM scores WHERE metric = 'rankme'")" -eq "$total" ] || fail "clean ingest"
echo "clean ingest: ${clean_ms} ms"

db="$tmp/drill.db"
deadline=$(( $(date +%s) + budget ))
RANDOM=12345  # reproducible delays
kills=0
settings=0
# Every 4 rounds the subsample seed changes: a new settings key, so all 160 tensors need a new
# score and the kills keep landing in the middle of scoring and writing (with 2000 rows and the
# default --max-samples every row is used, so the values do not depend on the seed).
for ((round = 1; round <= rounds; round++)); do
  [ "$(date +%s)" -lt "$deadline" ] || break
  seed=$(( (round - 1) / 4 ))
  settings=$(( seed + 1 ))
  delay_ms=$(( RANDOM % (clean_ms * 6 / 10 + 1) ))
  "$RANKME" ingest "$tmp/sweep" --db "$db" --jobs 2 --seed "$seed" -q >/dev/null 2>"$tmp/err" &
  pid=$!
  sleep "$(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))"
  if kill -9 "$pid" 2>/dev/null; then kills=$((kills + 1)); fi
  code=0; wait "$pid" 2>/dev/null || code=$?
  pid=""
  # Killed (137), or finished before the kill (0); anything else is a failure of the ingest.
  [ "$code" -eq 137 ] || [ "$code" -eq 0 ] || fail "round $round: ingest exited $code: $(cat "$tmp/err")"
  check=$(sqlite3 "$db" "PRAGMA integrity_check" 2>&1 || true)
  [ "$check" = ok ] || fail "round $round (killed after ${delay_ms} ms): integrity_check: $check"
  stored=$(sqlite3 "$db" "SELECT count(*) FROM scores WHERE metric = 'rankme'" 2>/dev/null || echo 0)
  echo "round $round (seed $seed): killed after ${delay_ms} ms, $stored scores stored"
done
# Rounds after an ingest that completed have little left to do and often finish before their
# kill (how many depends on the machine's load): a quarter of the rounds must land mid-run.
[ "$kills" -ge $(( (round - 1) / 4 )) ] && [ "$kills" -ge 2 ] ||
  fail "only $kills ingests were killed while running"
echo "kill loop: $((round - 1)) rounds, $kills kills"

# Run to completion, then compare with the clean database.
for ((seed = 0; seed < settings; seed++)); do
  "$RANKME" ingest "$tmp/sweep" --db "$db" --jobs 2 --seed "$seed" --json -q \
    >"$tmp/final$seed.json"
done
/usr/bin/python3 - "$db" "$tmp/clean.db" "$total" "$settings" "$tmp" <<'PY'
import json, sqlite3, sys
db, clean, total, settings, tmp = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
for seed in range(settings):
    summary = json.load(open(f"{tmp}/final{seed}.json"))
    assert summary["failed"] == 0 and summary["not_ready"] == 0, summary
    assert summary["scored"] + summary["reused"] + summary["unchanged"] >= total, summary
con = sqlite3.connect(db)
q = lambda sql: con.execute(sql).fetchone()[0]
assert q("PRAGMA integrity_check") == "ok"
assert q("SELECT count(*) FROM scores WHERE metric = 'rankme'") == total * settings, q("SELECT count(*) FROM scores WHERE metric = 'rankme'")
assert q("SELECT count(*) FROM (SELECT DISTINCT content_hash, tensor, metric, settings_key "
         "FROM scores WHERE metric = 'rankme')") == total * settings
assert q("SELECT count(DISTINCT settings_key) FROM scores WHERE metric = 'rankme'") == settings
# every metric of every tensor once per settings: nothing lost, nothing duplicated
metrics = q("SELECT count(DISTINCT metric) FROM scores")
assert metrics == 6, metrics
assert q("SELECT count(*) FROM scores") == total * settings * metrics
assert q("SELECT count(*) FROM spectra WHERE kind = 'singular_values'") == total * settings  # one per row sample (seed)
assert q("SELECT count(*) FROM runs") == 40
assert q("SELECT count(*) FROM checkpoints") == total
# each checkpoint's tensor present exactly once, scored, nothing failed or left behind
assert q("SELECT count(*) FROM tensors") == total
assert q("SELECT count(*) FROM tensors WHERE status = 'ok' AND tensor = 'embeddings'") == total
assert q("SELECT count(*) FROM (SELECT checkpoint_id FROM tensors GROUP BY checkpoint_id "
         "HAVING count(*) <> 1)") == 0
assert q("SELECT count(*) FROM checkpoints WHERE checkpoint_id NOT IN "
         "(SELECT checkpoint_id FROM tensors)") == 0
assert q("SELECT count(*) FROM checkpoint_scores WHERE metric = 'rankme'") == total * settings
# the same values as the clean ingest, checkpoint by checkpoint, for every settings key (all
# rows are used whatever the seed, so every key gives the clean value)
con.execute("ATTACH ? AS clean", (clean,))
pairs = con.execute(
    "SELECT d.value, c.value FROM main.checkpoint_scores d JOIN clean.checkpoint_scores c "
    "ON c.run = d.run AND c.checkpoint = d.checkpoint AND c.tensor = d.tensor "
    "AND c.metric = d.metric WHERE d.metric = 'rankme'").fetchall()
assert len(pairs) == total * settings, len(pairs)
for mine, theirs in pairs:
    assert mine is not None and abs(mine - theirs) <= 1e-12 * abs(theirs), (mine, theirs)
hashes = con.execute("SELECT count(*) FROM main.scores d JOIN clean.scores c USING "
                     "(content_hash, tensor, metric) WHERE d.settings_key = c.settings_key").fetchone()[0]
assert hashes == total * metrics, hashes
PY
echo "ingest_kill_test: ok ($kills kills)"
