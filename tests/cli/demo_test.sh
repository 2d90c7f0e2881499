#!/usr/bin/env bash
# End-to-end: `rankme demo` runs the whole pipeline and leaves a database the other commands read.
set -euo pipefail
: "${RANKME:?path of the rankme binary}"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$RANKME" demo --dir "$tmp/demo" >"$tmp/out" 2>"$tmp/err" || fail "demo failed: $(cat "$tmp/err")"
for word in flat power-law rank-deficient collapsed; do grep -q "$word" "$tmp/out" || fail "$word"; done
grep -q "12 runs in 6 configurations, 36 checkpoints, 36 tensors scored, 0 failed" "$tmp/out" \
  || fail "ingest summary: $(cat "$tmp/out")"
[ "$("$RANKME" runs --db "$tmp/demo/rankme.db" --json | /usr/bin/python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" = 12 ] \
  || fail "runs"
sqlite3 "$tmp/demo/rankme.db" "PRAGMA integrity_check" | grep -qx ok || fail "integrity"

# Each tour value equals the formula applied to the spectrum numpy finds in the written file.
/usr/bin/python3 - "$tmp/demo/spectra" "$tmp/out" <<'PY'
import numpy as np, sys, re
folder, out = sys.argv[1], open(sys.argv[2]).read()
for name in ["flat", "power-law", "rank-deficient", "collapsed"]:
    z = np.load(f"{folder}/{name}.npy").astype(np.float64)
    s = np.linalg.svd(z, compute_uv=False)
    p = s / s.sum() + 1e-7
    want = np.exp(-(p * np.log(p)).sum())
    got = float(re.search(rf"^{name}\s+\S+\s+(\S+)", out, re.M).group(1))
    assert abs(got - want) <= 1e-6 * want, (name, got, want)
PY
# The picks equal an independent computation from the database: per method, the configuration
# whose seeds' last-checkpoint RankMe has the highest mean.
/usr/bin/python3 - "$tmp/demo/rankme.db" "$tmp/out" <<'PY'
import json, sqlite3, sys, re, collections
db, out = sqlite3.connect(sys.argv[1]), open(sys.argv[2]).read()
rows = db.execute("""SELECT r.config_id, json_extract(c.config_key, '$.method'), s.value
  FROM checkpoint_scores s JOIN runs r USING (run_id) JOIN configurations c USING (config_id)
  WHERE s.metric = 'rankme' AND
        s.position = (SELECT max(position) FROM checkpoints k WHERE k.run_id = s.run_id)""").fetchall()
by = collections.defaultdict(list)
for config, method, value in rows: by[(method, config)].append(value)
for method in {m for m, _ in by}:
    means = {c: sum(v) / len(v) for (m, c), v in by.items() if m == method}
    best = max(means, key=means.get)
    assert re.search(rf"best configuration within method = {method}: {best}", out), (method, best)
assert len(re.findall(r"^\s+\d+\s+(simclr|vicreg)\s", out, re.M)) == 6, "leaderboard rows"
PY
echo "demo_test: ok"
