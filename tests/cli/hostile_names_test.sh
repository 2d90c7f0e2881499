#!/usr/bin/env bash
# End-to-end: run folders named with a tab, a newline, ESC (a terminal escape) and invalid
# UTF-8, and a config value with invalid UTF-8. Every command exits 0; every JSON output parses
# with Python's strict json module and names the runs as they are (an invalid byte as U+FFFD
# and its two hex digits, as stored);
# text, Markdown and LaTeX tables keep one line per row and carry no raw control character.
set -euo pipefail
: "${RANKME:?path of the rankme binary}"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
cd "$tmp"
/usr/bin/python3 - <<'PY'
import os, numpy as np
rng = np.random.default_rng(0)
names = [b"tab\there", b"new\nline", b"esc\x1b[31mred", b"bad\xff\xfeutf8", b"plain"]
for i, name in enumerate(names):
    d = b"sweep/" + name
    os.makedirs(d + b"/.hydra")
    value = b'"\xc3\x28x"' if i == 4 else str(0.1 * (i + 1)).encode()
    open(d + b"/.hydra/config.yaml", "wb").write(b"lr: " + value + b"\nseed: 0\n")
    np.save((d + b"/embeddings.npy").decode("utf-8", "surrogateescape"),
            rng.standard_normal((40, 6)).astype("f4"))
PY
"$RANKME" ingest -q --db r.db sweep > ingest.txt 2> ingest_err.txt || fail "ingest failed: $(cat ingest_err.txt)"

"$RANKME" runs --json --db r.db > runs.json
"$RANKME" leaderboard --format json --db r.db > lb.json 2>/dev/null
"$RANKME" best --json --db r.db > best.json 2>/dev/null
"$RANKME" show --json --db r.db "$(printf 'tab\there')" > show_tab.json
"$RANKME" ingest -q --json --db r.db sweep > ingest.json
/usr/bin/python3 - <<'PY'
import json
def load(path):
    raw = open(path, "rb").read()
    text = raw.decode("utf-8")  # strict: invalid UTF-8 would raise
    return json.loads(text)     # strict: raw control characters in strings would raise
runs = load("runs.json")
names = sorted(r["run"] for r in runs)
expected = sorted(["tab\there", "new\nline", "esc\x1b[31mred", "bad\ufffdff\ufffdfeutf8", "plain"])
assert names == expected, names
for r in runs:
    assert r["latest"] is not None and r["latest"]["value"] > 1, r
    for f in r["latest"]["files"]:
        assert f.endswith("embeddings.npy"), f
board = load("lb.json")
assert sum(len(c["runs"]) for c in board["configurations"]) == 5
for c in board["configurations"]:
    for run in c["runs"]:
        assert all(isinstance(f, list) for f in run["files"]), run["files"]
values = sorted(str(c["hyperparameters"].get("lr")) for c in board["configurations"])
assert any("\ufffd" in v for v in values), values
load("best.json")
assert load("show_tab.json")["run"] == "tab\there"
load("ingest.json")
PY

# Text outputs: no raw control character (other than the newline ending each line), and one
# line per run.
"$RANKME" runs --db r.db > runs.txt
"$RANKME" leaderboard --db r.db > lb.txt 2>/dev/null
"$RANKME" leaderboard --format md --db r.db > lb.md 2>/dev/null
"$RANKME" leaderboard --format latex --db r.db > lb.tex 2>/dev/null
"$RANKME" show --db r.db "$(printf 'esc\x1b[31mred')" > show.txt
for f in runs.txt lb.txt lb.md lb.tex show.txt; do
  if LC_ALL=C grep -q "$(printf '[\001-\011\013-\037\177]')" "$f"; then fail "$f has a raw control character"; fi
done
[ "$(wc -l < runs.txt)" = 7 ] || fail "runs table is not one line per run: $(cat runs.txt)"
[ "$(grep -c '^|' lb.md)" = 7 ] || fail "markdown table is not one line per row"
grep -q 'new\\nline' runs.txt || fail "newline in a run name not shown as \\n"
grep -q 'esc\\x1b\[31mred' runs.txt || fail "ESC in a run name not shown as \\x1b"
# Notes on stderr carry no raw ESC either.
set +e
"$RANKME" show --db r.db "nope$(printf '\x1b')" 2> err.txt
set -e
if LC_ALL=C grep -q "$(printf '\033')" err.txt; then fail "stderr carries a raw ESC"; fi
echo "hostile names: ok"
