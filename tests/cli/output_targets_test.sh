#!/usr/bin/env bash
# End-to-end: `-o FILE` writes what a user names without destroying it. A regular file is
# replaced atomically (keeping its permissions), a symbolic link is followed and kept, a FIFO
# and a character device are written in place (never replaced by a regular file), `-o -` is
# stdout, a folder or a full device is a one-line error with exit 2.
set -euo pipefail
: "${RANKME:?path of the rankme binary}"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
cd "$tmp"
mkdir -p sweep/r1/.hydra sweep/r2/.hydra
printf 'lr: 0.1\nseed: 0\n' > sweep/r1/.hydra/config.yaml
printf 'lr: 0.2\nseed: 0\n' > sweep/r2/.hydra/config.yaml
/usr/bin/python3 - <<'PY'
import numpy as np
rng = np.random.default_rng(0)
for r in ("r1", "r2"):
    np.save(f"sweep/{r}/embeddings.npy", rng.standard_normal((50, 8)).astype("f4"))
PY
"$RANKME" ingest -q --db r.db sweep >/dev/null
"$RANKME" leaderboard --db r.db --format csv > expected.csv 2>/dev/null
[ -s expected.csv ] || fail "leaderboard printed nothing"

# A symbolic link (relative, through a second link) is followed; the links stay links.
echo old > target.csv
ln -s target.csv link1.csv
ln -s link1.csv link2.csv
"$RANKME" leaderboard --db r.db --format csv -o link2.csv 2>/dev/null
[ -L link1.csv ] && [ -L link2.csv ] || fail "a symbolic link was replaced"
cmp -s target.csv expected.csv || fail "the link's target does not hold the leaderboard"

# A dangling link creates its target.
ln -s made.csv dangling.csv
"$RANKME" leaderboard --db r.db --format csv -o dangling.csv 2>/dev/null
[ -L dangling.csv ] && cmp -s made.csv expected.csv || fail "dangling link not written through"

# A regular file keeps its permissions; nothing temporary is left beside it.
echo old > kept.csv; chmod 0600 kept.csv
"$RANKME" leaderboard --db r.db --format csv -o kept.csv 2>/dev/null
[ "$(stat -c %a kept.csv)" = 600 ] || fail "permissions of the replaced file changed"
cmp -s kept.csv expected.csv || fail "regular file not replaced"
ls | grep -q '\.tmp' && fail "temporary file left behind"

# A FIFO's reader gets the whole text; the FIFO stays a FIFO.
mkfifo pipe
cat pipe > from_pipe.csv &
reader=$!
"$RANKME" leaderboard --db r.db --format csv -o pipe 2>/dev/null
wait "$reader"
[ -p pipe ] || fail "the FIFO was replaced"
cmp -s from_pipe.csv expected.csv || fail "the FIFO's reader did not get the leaderboard"

# `-o -` is stdout, for every command that takes -o.
"$RANKME" leaderboard --db r.db --format csv -o - > dash.csv 2>/dev/null
cmp -s dash.csv expected.csv || fail "-o - is not stdout"
[ -e ./- ] && fail "-o - created a file named -"
"$RANKME" report --db r.db -o - > dash.html 2>/dev/null
grep -q '</html>' dash.html || fail "report -o - did not print the page"

# Character devices are written in place and stay devices (this test may run as root).
"$RANKME" leaderboard --db r.db -o /dev/null 2>/dev/null
[ -c /dev/null ] || fail "/dev/null is no longer a character device"
"$RANKME" report --db r.db -o /dev/null 2>/dev/null
[ -c /dev/null ] || fail "report replaced /dev/null"
if [ -c /dev/full ]; then
  set +e
  "$RANKME" leaderboard --db r.db -o /dev/full 2>err.txt
  code=$?
  set -e
  [ "$code" = 2 ] || fail "writing to /dev/full exited $code, expected 2"
  [ -c /dev/full ] || fail "/dev/full is no longer a character device"
  tail -n 1 err.txt | grep -q '^rankme: /dev/full: cannot write: No space left' ||
    fail "unclear message for /dev/full: $(cat err.txt)"
fi

# A folder is refused with one line, and stays as it was.
mkdir folder
set +e
"$RANKME" leaderboard --db r.db -o folder 2>err.txt
code=$?
set -e
[ "$code" = 2 ] || fail "-o FOLDER exited $code"
tail -n 1 err.txt | grep -q '^rankme: folder: is a folder' || fail "unclear message: $(cat err.txt)"
[ -d folder ] || fail "folder replaced"
echo "output targets: ok"
