#!/usr/bin/env bash
# End-to-end: `rankme leaderboard` and `rankme marginals` on the real sweep, every format read
# back by the tool people use for it (csv and json modules), numbers checked against numpy
# computed straight from the database.
set -euo pipefail
: "${RANKME:?path of the rankme binary}" "${RANKME_TEST_DATA_DIR:?}"
sweep="$RANKME_TEST_DATA_DIR/real_sweep_small"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
db="$tmp/r.db"
"$RANKME" ingest "$sweep" --db "$db" -q -j 1 >/dev/null

# Independent: last checkpoint of each run, mean and n-1 std per configuration, numpy.
cat >"$tmp/check.py" <<'PY'
import csv, json, sqlite3, sys
import numpy as np
db, tensor, kind, path = sys.argv[1:5]
con = sqlite3.connect(db)
rows = con.execute(
    "SELECT config_id, run_id, position, value FROM checkpoint_scores "
    "WHERE metric = 'rankme' AND tensor = ?", (tensor,)).fetchall()
last = {}
for config, run, position, value in rows:
    if run not in last or position > last[run][0]:
        last[run] = (position, value, config)
per_config = {}
for position, value, config in last.values():
    per_config.setdefault(config, []).append(value)
expect = {c: (np.mean(v), np.std(v, ddof=1), len(v)) for c, v in per_config.items()}
order = sorted(expect, key=lambda c: -expect[c][0])
if kind == "csv":
    got = list(csv.DictReader(open(path, newline="")))
    ids = [r["config"] for r in got]
    stats = {r["config"]: (float(r["mean"]), float(r["std"]), int(r["n"])) for r in got}
else:
    got = json.load(open(path))["configurations"]
    ids = [r["config_id"] for r in got]
    stats = {r["config_id"]: (r["mean"], r["std"], r["n"]) for r in got}
assert ids == order, (ids, order)
for c, (mean, std, n) in expect.items():
    assert abs(stats[c][0] - mean) <= 1e-12 * mean, (c, stats[c], mean)
    assert abs(stats[c][1] - std) <= 1e-9 * std, (c, stats[c], std)
    assert stats[c][2] == n
PY

for tensor in embeddings representations; do
  "$RANKME" leaderboard --db "$db" --tensor "$tensor" --format csv -o "$tmp/lb.csv" 2>"$tmp/err"
  grep -q "wrote $tmp/lb.csv" "$tmp/err" || fail "-o note: $(cat "$tmp/err")"
  /usr/bin/python3 "$tmp/check.py" "$db" "$tensor" csv "$tmp/lb.csv" || fail "csv $tensor"
  "$RANKME" leaderboard --db "$db" --tensor "$tensor" --format json >"$tmp/lb.json" 2>/dev/null
  /usr/bin/python3 "$tmp/check.py" "$db" "$tensor" json "$tmp/lb.json" || fail "json $tensor"
done

# Notes go to stderr: the default tensor and the mixed-methods warning; data to stdout.
"$RANKME" leaderboard --db "$db" >"$tmp/out" 2>"$tmp/err"
grep -q "tensor: embeddings (default" "$tmp/err" || fail "default tensor note: $(cat "$tmp/err")"
grep -q "mixes method = simclr, vicreg" "$tmp/err" || fail "mixed methods: $(cat "$tmp/err")"
grep -q "rankme:" "$tmp/out" && fail "notes on stdout"
[ "$(grep -c '^ *[0-9]' "$tmp/out")" -eq 4 ] || fail "table rows: $(cat "$tmp/out")"

# --within, --top, Markdown and LaTeX shapes.
"$RANKME" leaderboard --db "$db" --within method --top 1 --format md >"$tmp/lb.md" 2>"$tmp/err"
grep -q "ranked within method" "$tmp/err" || fail "within note"
[ "$(grep -c '^| 1 |' "$tmp/lb.md")" -eq 2 ] || fail "one row per method: $(cat "$tmp/lb.md")"
"$RANKME" leaderboard --db "$db" --format latex >"$tmp/lb.tex" 2>/dev/null
for word in '\\toprule' '\\midrule' '\\bottomrule' '\\begin{tabular}'; do
  grep -q "$word" "$tmp/lb.tex" || fail "latex lacks $word"
done
grep -q 'std\\_coeff' "$tmp/lb.tex" || fail "underscores not escaped"

# Numbers for people: Markdown shows mean, std, min, max rounded at the std's second significant
# digit (4 significant digits without a std), checked against the full-precision JSON with an
# independent rounding in Python's decimal module.
"$RANKME" leaderboard --db "$db" --format md >"$tmp/round.md" 2>/dev/null
"$RANKME" leaderboard --db "$db" --format json >"$tmp/round.json" 2>/dev/null
/usr/bin/python3 - "$tmp/round.md" "$tmp/round.json" <<'PY' || fail "rounding of the Markdown table"
import json, sys
from decimal import Decimal, ROUND_HALF_EVEN
rows = [l.strip().strip("|").split("|") for l in open(sys.argv[1]) if l.startswith("| ")]
header = [h.strip() for h in rows[0]]
body = {r[header.index("config")].strip(): [c.strip() for c in r] for r in rows[1:]}
def shown(value, places):  # places: digits after the point, negative for tens, hundreds
    q = Decimal(1).scaleb(-places)
    text = str(Decimal(repr(value)).quantize(q, rounding=ROUND_HALF_EVEN)) if places >= 0 else \
        str(int(Decimal(repr(value)).quantize(q, rounding=ROUND_HALF_EVEN)))
    return text
def places_of_std(std):
    d = Decimal(repr(std))
    places = 1 - d.adjusted()
    if d.quantize(Decimal(1).scaleb(-places)).scaleb(places) >= 100: places -= 1
    return places
checked = 0
for c in json.load(open(sys.argv[2]))["configurations"]:
    cells = body[c["config_id"]]
    cell = lambda name: cells[header.index(name)]
    if c["std"]:
        p = places_of_std(c["std"])
        for name in ("mean", "std", "min", "max"):
            assert cell(name) == shown(c[name], p), (name, cell(name), c[name], p)
        checked += 1
    else:
        p = 3 - Decimal(repr(c["mean"])).adjusted()
        assert cell("mean") == shown(c["mean"], p), (cell("mean"), c["mean"])
assert checked >= 3, checked
PY

# Marginals: one row per value of each varying key, JSON parses.
"$RANKME" marginals --db "$db" --within method --format json >"$tmp/m.json" 2>/dev/null
/usr/bin/python3 -c "
import json, sys
m = json.load(open(sys.argv[1]))['marginals']
assert m and all(r['configurations'] >= 1 for r in m), m
assert {r['group'] for r in m} == {'simclr', 'vicreg'}
" "$tmp/m.json" || fail "marginals json"
# --by takes a hyperparameter's name across the sweep or its key as a config wrote it.
"$RANKME" leaderboard --db "$db" --by std_coeff >"$tmp/by" 2>/dev/null
"$RANKME" leaderboard --db "$db" --by loss.std_coeff >"$tmp/by_written" 2>/dev/null
cmp -s "$tmp/by" "$tmp/by_written" || fail "--by loss.std_coeff: $(cat "$tmp/by_written")"
[ "$(grep -c '^std_coeff ' "$tmp/by")" -eq 2 ] || fail "--by, one row per value: $(cat "$tmp/by")"

# One name per hyperparameter (Hydra's loss.temperature is Lightning's temperature): within a
# method, exactly the hyperparameters that vary in it are columns, and the constants only some
# layouts write are named in a note instead.
"$RANKME" leaderboard --db "$db" --within method >"$tmp/within" 2>"$tmp/within_err"
header=$(grep '^rank' "$tmp/within" | tr -s ' ')
[ "$header" = "rank method std_coeff temperature mean std n min max flags config" ] ||
  fail "--within method columns: $header"
grep -q "not shown, constant wherever written.*batch_size = 256" "$tmp/within_err" ||
  fail "hidden constants note: $(cat "$tmp/within_err")"
# --key-alias renames it; the next ingest without it names it back, reading nothing.
"$RANKME" ingest "$sweep" --db "$db" -q --key-alias temperature=tau >/dev/null
"$RANKME" leaderboard --db "$db" --within method 2>/dev/null | grep '^rank' | grep -q ' tau ' ||
  fail "--key-alias temperature=tau"
"$RANKME" ingest "$sweep" --db "$db" -q --json >"$tmp/again.json"
/usr/bin/python3 -c "
import json, sys
s = json.load(open(sys.argv[1]))
assert s['scored'] == 0 and s['files_read'] == 0 and s['configurations'] == 4, s
" "$tmp/again.json" || fail "re-key ingest: $(cat "$tmp/again.json")"
/usr/bin/python3 -c "
import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
assert con.execute('SELECT count(*) FROM configurations').fetchone()[0] == 4
" "$db" || fail "orphan configurations after re-keying"

# Bad input: exit 1 with a message.
set +e
"$RANKME" leaderboard --db "$db" --tensor logits >/dev/null 2>"$tmp/err"; code=$?
set -e
[ "$code" -eq 1 ] || fail "unknown tensor exit $code"
grep -q "logits" "$tmp/err" || fail "unknown tensor message"
set +e
"$RANKME" ingest "$sweep" --db "$db" -q --key-alias nonsense >/dev/null 2>"$tmp/err"; code=$?
set -e
[ "$code" -eq 1 ] || fail "bad --key-alias exit $code"
grep -q "FROM=TO" "$tmp/err" || fail "bad --key-alias message: $(cat "$tmp/err")"
echo "leaderboard: ok"
