#!/usr/bin/env bash
# End-to-end: `rankme validate`'s table of every signal (metric × tensor) and `rankme best`'s
# second opinions on the real sweep, whose database holds every metric's float64 reference value
# from ground_truth.json as its scores; rho, tau-b and regret against scipy.stats computed here.
# Exits 77 (skipped) when scipy is missing.
set -euo pipefail
: "${RANKME:?path of the rankme binary}" "${RANKME_TEST_DATA_DIR:?}" "${RANKME_SOURCE_DIR:?}"
/usr/bin/python3 -c "import scipy.stats" 2>/dev/null || { echo "scipy missing: skipped"; exit 77; }
sweep="$RANKME_TEST_DATA_DIR/real_sweep_small"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
db="$tmp/r.db"
"$RANKME" ingest "$sweep" --db "$db" -q -j 1 >/dev/null 2>&1 || true
[ "$(sqlite3 "$db" "SELECT count(*) FROM scores WHERE metric = 'rankme'")" -eq 48 ] ||
  fail "ingest did not score the 48 matrices"

# Every metric's reference value becomes the score of its checkpoint and tensor (rankme's row as
# the template: same settings, rows and columns); labels as {run, step or epoch, probe}.
/usr/bin/python3 - "$sweep/ground_truth.json" "$db" "$tmp/labels.json" <<'PY'
import json, sqlite3, sys
truth = json.load(open(sys.argv[1]))
db = sqlite3.connect(sys.argv[2])
by_checkpoint = {}
for r in truth:
    key = (r["run_dir"], r["name_step"], None if r["name_step"] is not None else r["name_epoch"])
    by_checkpoint[key] = r
# RankMe and LiDAR rows as ingest stored them (LiDAR under the views tensor, `<name>_views`),
# their values replaced by the references; every other metric copied from RankMe's row.
db.execute("DELETE FROM scores WHERE metric NOT IN ('rankme', 'lidar')")
template = db.execute(
    "SELECT s.score_id, r.name, c.step, c.epoch, s.tensor FROM scores s "
    "JOIN tensors t ON t.content_hash = s.content_hash AND t.tensor = s.tensor "
    "JOIN checkpoints c USING (checkpoint_id) JOIN runs r USING (run_id) "
    "WHERE s.metric = 'rankme' AND t.status = 'ok'").fetchall()
columns = [c[1] for c in db.execute("PRAGMA table_info(scores)") if c[1] != "score_id"]
for score_id, run, step, epoch, tensor in template:
    r = by_checkpoint[(run, step, None if step is not None else epoch)]
    for metric, value in r["metrics_" + tensor].items():
        if metric in ("alpha_req_r2", "lidar"):
            continue
        if metric == "rankme":
            db.execute("UPDATE scores SET value = ? WHERE score_id = ?", (value, score_id))
            continue
        chosen = ", ".join("?" if c in ("metric", "value") else c for c in columns)
        db.execute(f"INSERT INTO scores ({', '.join(columns)}) SELECT {chosen} FROM scores "
                   "WHERE score_id = ?",
                   [metric if c == "metric" else value for c in columns if c in ("metric", "value")]
                   + [score_id])
views = db.execute(
    "SELECT s.score_id, r.name, c.step, c.epoch, s.tensor FROM scores s "
    "JOIN tensors t ON t.content_hash = s.content_hash AND t.tensor = s.tensor "
    "JOIN checkpoints c USING (checkpoint_id) JOIN runs r USING (run_id) "
    "WHERE s.metric = 'lidar' AND t.status = 'ok'").fetchall()
assert len(views) == 48, len(views)
for score_id, run, step, epoch, tensor in views:
    r = by_checkpoint[(run, step, None if step is not None else epoch)]
    value = r["metrics_" + tensor[:-len("_views")]]["lidar"]
    db.execute("UPDATE scores SET value = ? WHERE score_id = ?", (value, score_id))
db.commit()
labels = []
for r in truth:
    e = {"run": r["run_dir"], "probe": r["linear_probe_acc"]}
    if r["name_step"] is not None:
        e["step"] = r["name_step"]
    else:
        e["epoch"] = r["name_epoch"]
    labels.append(e)
json.dump(labels, open(sys.argv[3], "w"))
PY
[ "$(sqlite3 "$db" "SELECT count(DISTINCT metric) FROM scores")" -eq 7 ] || fail "metrics not stored"

# What scipy says, computed now by scripts/validate_expected.py's functions: per (metric, tensor,
# group) rho and tau-b of goodness against the probe, the regret of the highest goodness and
# that configuration's mean; alpha_req at target 1 or 4.
cat >"$tmp/expected.py" <<'PY'
import os, sys
sys.path.insert(0, os.path.join(os.environ["RANKME_SOURCE_DIR"], "scripts"))
import validate_expected

def expected(truth, target):
    at_one, at_four = validate_expected.signals(validate_expected.configurations(truth))
    out = {}
    for tensor, metrics in at_one.items():
        for metric, judged in metrics.items():
            if metric == "alpha_req" and target == 4:
                judged = at_four[tensor]["4"]
            groups = [("all", judged["all"])] + list(judged["within_method"].items())
            for group, a in groups:
                pick = [c for c in judged["configurations"] if c["runs"] == a["pick_runs"]][0]
                out[(metric, tensor, group)] = dict(a, pick_mean=pick["mean"])
    return out
PY

check_validate() {  # $1: JSON of validate, $2: alpha target
  /usr/bin/python3 - "$1" "$sweep/ground_truth.json" "$2" "$tmp" <<'PY' || fail "validate $2"
import json, sys, warnings
warnings.simplefilter("ignore")
sys.path.insert(0, sys.argv[4])
from expected import expected
got = json.load(open(sys.argv[1]))
target = float(sys.argv[3])
assert target in (1, 4)
want = expected(json.load(open(sys.argv[2])), target)
lines = got["signals"]
assert len(lines) == len(want) == 7 * 2 * 3, (len(lines), len(want))
seen = set()
for line in lines:
    key = (line["metric"], line["tensor"], line["group"])
    w = want[key]
    seen.add(key)
    assert line["n"] == w["n"], (key, line, w)
    for k in ("spearman", "kendall_tau_b"):
        assert abs(line[k] - w[k]) < 1e-9, (key, k, line[k], w[k])
    assert abs(line["regret"] - w["regret"]) < 1e-12, (key, line["regret"], w["regret"])
    assert line["correlated"] == ("goodness" if line["metric"] == "alpha_req" else "value")
    assert line["reversed"] == (line["spearman"] < -0.3 and line["n"] >= 5), line
assert seen == set(want)
# Sorted: groups in order (all first), lowest regret first within each.
groups = [l["group"] for l in lines]
assert groups == sorted(groups, key=lambda g: (g != "all", g)), groups
for g in set(groups):
    regrets = [l["regret"] for l in lines if l["group"] == g]
    assert regrets == sorted(regrets), (g, regrets)
PY
}

"$RANKME" validate --db "$db" --labels "$tmp/labels.json" --within method --format json \
  >"$tmp/v.json" 2>"$tmp/err" || fail "validate: $(cat "$tmp/err")"
check_validate "$tmp/v.json" 1
"$RANKME" validate --db "$db" --within method --alpha-target 4 --format json >"$tmp/v4.json" \
  2>/dev/null
check_validate "$tmp/v4.json" 4

# The other formats: both tables with footnotes; CSV one table, every signal's with --signals.
"$RANKME" validate --db "$db" --within method --format md >"$tmp/v.md" 2>/dev/null
grep -q "^\*\*every signal (metric x tensor) against probe\*\*" "$tmp/v.md" || fail "md title"
grep -q "^- goodness: alpha_req's rho and tau-b correlate its goodness" "$tmp/v.md" ||
  fail "md footnote: $(cat "$tmp/v.md")"
"$RANKME" validate --db "$db" --within method --format csv >"$tmp/a.csv" 2>"$tmp/err"
grep -q -- "--signals" "$tmp/err" || fail "csv note: $(cat "$tmp/err")"
[ "$(wc -l <"$tmp/a.csv")" -eq 4 ] || fail "agreement csv: $(cat "$tmp/a.csv")"
"$RANKME" validate --db "$db" --within method --format csv --signals >"$tmp/s.csv" 2>"$tmp/err"
head -n 1 "$tmp/s.csv" | grep -q "^group,metric,tensor,n,spearman,kendall_tau_b,regret" ||
  fail "signals csv header"
[ "$(wc -l <"$tmp/s.csv")" -eq 43 ] || fail "signals csv: $(wc -l <"$tmp/s.csv") lines"
grep -q "^rankme: regret: the best probe minus" "$tmp/err" || fail "csv footnotes on stderr"

# best: one second opinion per other signal and method, its pick the one scipy's goodness picks.
"$RANKME" best --db "$db" --within method --json >"$tmp/b.json" 2>/dev/null
/usr/bin/python3 - "$tmp/b.json" "$sweep/ground_truth.json" "$tmp" <<'PY' || fail "best json"
import json, sys, warnings
warnings.simplefilter("ignore")
sys.path.insert(0, sys.argv[3])
from expected import expected
got = json.load(open(sys.argv[1]))
want = expected(json.load(open(sys.argv[2])), 1.0)
opinions = got["second_opinions"]
assert len(opinions) == 13 * 2, len(opinions)
main = {p["group"]: p["best"]["config_id"] for p in got["picks"]}
for o in opinions:
    assert (o["metric"], o["tensor"]) != ("rankme", "embeddings")
    w = want[(o["metric"], o["tensor"], o["group"])]
    assert abs(o["value"] - w["pick_mean"]) < 1e-12, (o, w)
    assert o["agrees"] == (o["config_id"] == main[o["group"]]), o
assert any(not o["agrees"] for o in opinions)
PY
"$RANKME" best --db "$db" --within method >"$tmp/best" 2>/dev/null
grep -q "^  second opinions (every other metric × tensor, last checkpoint): [0-9]* of 13 agree" \
  "$tmp/best" || fail "best text: $(cat "$tmp/best")"
grep -q "^    alpha_req (closer to 1 is better) of embeddings " "$tmp/best" || fail "alpha line"

# best and leaderboard by alpha_req: the configuration closest to the target first.
"$RANKME" leaderboard --db "$db" --metric alpha_req --format json >"$tmp/l.json" 2>"$tmp/err"
grep -q "alpha_req: closer to 1 is better" "$tmp/err" || fail "alpha note: $(cat "$tmp/err")"
/usr/bin/python3 - "$tmp/l.json" <<'PY' || fail "alpha_req order"
import json, sys
rows = json.load(open(sys.argv[1]))["configurations"]
distances = [abs(r["mean"] - 1) for r in rows]
assert distances == sorted(distances) and len(rows) == 4, distances
PY
echo "validate signals: ok"
