#!/usr/bin/env bash
# End-to-end: `rankme report` writes one self-contained page for the real sweep; exit codes for a
# missing database and an unknown grouping key.
set -euo pipefail
: "${RANKME:?path of the rankme binary}"
: "${RANKME_TEST_DATA_DIR:?test data folder}"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$RANKME" ingest "$RANKME_TEST_DATA_DIR/real_sweep_small" --db "$tmp/real.db" >/dev/null 2>&1 \
  || fail "ingest of the real sweep"
"$RANKME" report --db "$tmp/real.db" -o "$tmp/out/report.html" --within method 2>"$tmp/err" \
  || fail "report: $(cat "$tmp/err")"
grep -q "wrote $tmp/out/report.html" "$tmp/err" || fail "no note of the file: $(cat "$tmp/err")"
page="$tmp/out/report.html"
grep -q "default-src 'none'" "$page" || fail "no Content-Security-Policy"
! grep -Eq 'https?://|src=|url\(|@import' "$page" || fail "the page refers to something outside"
[ "$(grep -o '<script' "$page" | wc -l)" = 1 ] || fail "more than one script"

# The page's numbers are the ground truth's: each configuration's mean RankMe of the embeddings at
# the last checkpoint (numpy float64 SVD), and its spectra lines are one per seed.
/usr/bin/python3 - "$page" "$RANKME_TEST_DATA_DIR/real_sweep_small/ground_truth.json" <<'PY'
import html.parser, json, sys
from collections import defaultdict

class Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.scores, self.series, self.in_board = [], defaultdict(int), False
        self.spectra = []
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id") == "leaderboard-table":
            self.in_board = True
        if self.in_board and tag == "td" and "score" in a.get("class", ""):
            self.scores.append(float(a["data-v"]))
        if tag == "g" and a.get("class") == "series":
            self.series[a["data-kind"]] += 1
            self.kind = a["data-kind"]
        if tag == "title" and getattr(self, "kind", None) == "spectrum":
            self.spectrum_title = ""
    def handle_data(self, data):
        if getattr(self, "spectrum_title", None) is not None:
            self.spectrum_title += data
    def handle_endtag(self, tag):
        if tag == "table":
            self.in_board = False
        if tag == "title" and getattr(self, "spectrum_title", None) is not None:
            self.spectra.append(self.spectrum_title)
            self.spectrum_title = None
        if tag == "g":
            self.kind = None

page = Page()
page.feed(open(sys.argv[1]).read())
truth = json.load(open(sys.argv[2]))
last = {}
for r in truth:
    if r["run_dir"] not in last or r["step"] > last[r["run_dir"]]["step"]:
        last[r["run_dir"]] = r
configs = defaultdict(list)
for r in last.values():
    configs[json.dumps([r["method"], r["hparams"]], sort_keys=True)].append(r["rankme_embeddings"])
want = sorted(sum(v) / len(v) for v in configs.values())
got = sorted(page.scores)
assert len(got) == len(want) == 4, (got, want)
for g, w in zip(got, want):
    assert abs(g - w) <= 1e-6 * w, (g, w)
assert page.series["run"] == 8 and page.series["mean"] == 4, dict(page.series)
assert page.series["spectrum"] == 8, dict(page.series)
# The spectra of runs stored as .npy (Hydra layout) against numpy's singular values.
import os, re
import numpy as np
root = os.path.dirname(sys.argv[2])
checked = 0
for title in page.spectra:
    m = re.search(r"run (\S+) at (\S+)\n\u03c3_1 = (\S+), \u03c3_(\d+) = (\S+);", title)
    assert m, title
    path = os.path.join(root, m.group(1), m.group(2), "embeddings.npy")
    if not os.path.exists(path):
        continue
    s = np.linalg.svd(np.load(path).astype(np.float64), compute_uv=False)
    assert int(m.group(4)) == len(s), (title, len(s))
    assert abs(float(m.group(3)) - s[0]) <= 1e-6 * s[0], (title, s[0])
    assert abs(float(m.group(5)) - s[-1]) <= 1e-6 * s[0], (title, s[-1])
    checked += 1
assert checked >= 2, checked
print("report matches ground truth:", [round(x, 4) for x in got], f"({checked} spectra checked)")
PY

set +e
"$RANKME" report --db "$tmp/missing.db" -o "$tmp/x.html" 2>/dev/null; code=$?
[ $code = 3 ] || fail "missing database: exit $code, want 3"
"$RANKME" report --db "$tmp/real.db" -o "$tmp/x.html" --within no_such_key 2>/dev/null; code=$?
[ $code = 1 ] || fail "unknown within key: exit $code, want 1"
set -e
[ ! -e "$tmp/x.html" ] || fail "a failed report left a file"
echo "report_test: ok"
