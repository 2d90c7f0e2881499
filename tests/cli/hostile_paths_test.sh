#!/usr/bin/env bash
# End-to-end: database and output paths the operating system refuses, and label values that are
# not finite, give their documented exit code with one line naming the path — never exit 70.
set -euo pipefail
: "${RANKME:?path of the rankme binary}"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
cd "$tmp"
expect() {  # expect CODE TEXT command...
  local code=$1 text=$2; shift 2
  set +e; "$@" >out.txt 2>err.txt; local got=$?; set -e
  [ "$got" = "$code" ] || fail "$* exited $got, expected $code: $(cat err.txt)"
  tail -n 1 err.txt | grep -qF -- "$text" || fail "$*: message lacks '$text': $(cat err.txt)"
}
long=$(printf 'a%.0s' $(seq 300))
ln -s loop_b loop_a; ln -s loop_a loop_b
mkdir folder; touch plain
for command in "runs" "db info" "leaderboard" "best"; do
  # shellcheck disable=SC2086
  expect 3 "File name too long" "$RANKME" $command --db "$long"
  # shellcheck disable=SC2086
  expect 3 "Too many levels of symbolic links" "$RANKME" $command --db loop_a
  # shellcheck disable=SC2086
  expect 3 "folder: is a folder, not a database file" "$RANKME" $command --db folder
  # shellcheck disable=SC2086
  expect 3 "/dev/null: is not a regular file" "$RANKME" $command --db /dev/null
  # shellcheck disable=SC2086
  expect 1 "--db: '' is not a file name" "$RANKME" $command --db ''
done
expect 1 "RANKME_DB is set but empty" env RANKME_DB= "$RANKME" runs
expect 3 "folder: is a folder" "$RANKME" ingest -q --db folder "$tmp"
expect 2 "plain/x: cannot make the demo folder" "$RANKME" demo --dir plain/x
# Without --dir the demo needs a temporary folder: one the system refuses was exit 70.
expect 2 "TMPDIR=$tmp/plain: no temporary folder for the demo (pass --dir)" \
  env TMPDIR="$tmp/plain" "$RANKME" demo
expect 1 "--dir: '' is not a folder name" "$RANKME" demo --dir ''

# Labels that are not finite numbers: exit 2 naming the file, the value and the run.
mkdir -p sweep/r1/.hydra
printf 'lr: 0.1\nseed: 0\n' > sweep/r1/.hydra/config.yaml
/usr/bin/python3 -c "import numpy as np; np.save('sweep/r1/embeddings.npy', np.random.default_rng(0).standard_normal((30, 4)).astype('f4'))"
"$RANKME" ingest -q --db r.db sweep >/dev/null
for value in nan inf -inf; do
  printf 'run,acc\nr1,%s\n' "$value" > labels.csv
  expect 2 "labels.csv: '$value' in column acc is not a finite number (run r1)" \
    "$RANKME" validate --db r.db --labels labels.csv
done
printf 'run,acc\nr1,%s\n' "$(printf 'x%.0s' $(seq 5000))" > labels.csv
expect 2 "is not a number" "$RANKME" validate --db r.db --labels labels.csv --label-column acc
[ "$(wc -c < err.txt)" -lt 300 ] || fail "a 5000-byte cell made a $(wc -c < err.txt)-byte message"
echo "hostile paths: ok"
