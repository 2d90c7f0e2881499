#!/usr/bin/env bash
# End-to-end: `rankme validate` and `rankme best` on the real sweep; the numbers against
# tests/ranking/real_sweep_validation_expected.json (scipy, from ground_truth.json alone).
set -euo pipefail
: "${RANKME:?path of the rankme binary}" "${RANKME_TEST_DATA_DIR:?}" "${RANKME_SOURCE_DIR:?}"
sweep="$RANKME_TEST_DATA_DIR/real_sweep_small"
expected="$RANKME_SOURCE_DIR/tests/ranking/real_sweep_validation_expected.json"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
db="$tmp/r.db"
"$RANKME" ingest "$sweep" --db "$db" -q -j 1 >/dev/null

# Labels as JSON: a list of {run, step or epoch, value}.
/usr/bin/python3 - "$sweep/ground_truth.json" >"$tmp/labels.json" <<'PY'
import json, sys
out = []
for r in json.load(open(sys.argv[1])):
    e = {"run": r["run_dir"], "probe": r["linear_probe_acc"]}
    if r["name_step"] is not None:
        e["step"] = r["name_step"]
    else:
        e["epoch"] = r["name_epoch"]
    out.append(e)
json.dump(out, sys.stdout)
PY

for tensor in embeddings representations; do
  "$RANKME" validate --db "$db" --labels "$tmp/labels.json" --within method --tensor "$tensor" \
    --format json >"$tmp/v.json" 2>"$tmp/err"
  grep -q "24 probe values imported" "$tmp/err" || fail "import note: $(cat "$tmp/err")"
  /usr/bin/python3 - "$tmp/v.json" "$expected" "$tensor" <<'PY' || fail "validate $tensor"
import json, sys
got = json.load(open(sys.argv[1])); want = json.load(open(sys.argv[2]))[sys.argv[3]]
lines = {a["group"]: a for a in got["agreement"]}
pairs = [("all", want["all"])] + list(want["within_method"].items())
for group, w in pairs:
    g = lines[group]
    assert g["n"] == w["n"], (group, g, w)
    for k in ("spearman", "kendall_tau_b"):
        assert abs(g[k] - w[k]) < 1e-9, (group, k, g[k], w[k])
    assert abs(g["regret"] - w["regret"]) < 1e-12, (group, g["regret"], w["regret"])
PY
done

# Stored labels are reused without --labels; re-import does not duplicate.
"$RANKME" validate --db "$db" >/dev/null 2>&1 || fail "validate from stored labels"
[ "$(sqlite3 "$db" 'SELECT count(*) FROM labels')" -eq 24 ] || fail "labels duplicated"

# best: the VICReg pick changes with the tensor, and says so.
"$RANKME" best --db "$db" --within method >"$tmp/best" 2>/dev/null
grep -q "with tensor representations: the pick CHANGES" "$tmp/best" || fail "$(cat "$tmp/best")"
"$RANKME" best --db "$db" --within method --json >"$tmp/best.json" 2>/dev/null
/usr/bin/python3 -c "
import json, sys
b = json.load(open(sys.argv[1]))
assert len(b['picks']) == 2
v = [p for p in b['picks'] if p['group'] == 'vicreg'][0]
assert any(a['differs'] and a['what'] == 'tensor representations' for a in v['alternatives'])
assert v['best']['n'] == 2 and v['within_spread'] is True
" "$tmp/best.json" || fail "best json"
echo "validate: ok"
