#!/usr/bin/env bash
# End-to-end: every numeric option refuses NaN, infinities, out-of-range and wrapped values with
# one line "rankme: --option: ..." and exit 1 (usage), before any work is done; so do an unknown
# --by and an unknown --metric. In-range values still work.
set -euo pipefail
: "${RANKME:?path of the rankme binary}"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
cd "$tmp"
mkdir -p sweep/r1/.hydra sweep/r2/.hydra
printf 'lr: 0.1\nseed: 0\n' > sweep/r1/.hydra/config.yaml
printf 'lr: 0.2\nseed: 0\n' > sweep/r2/.hydra/config.yaml
/usr/bin/python3 -c "
import numpy as np
rng = np.random.default_rng(0)
for r in ('r1', 'r2'): np.save(f'sweep/{r}/embeddings.npy', rng.standard_normal((50, 8)).astype('f4'))
np.save('x.npy', rng.standard_normal((50, 8)).astype('f4'))"
"$RANKME" ingest -q --db r.db sweep >/dev/null

# command | option | bad values (space-separated)
cases=(
  "score x.npy|--eps|nan inf -inf -1 2 1e400 abc"
  "score x.npy|--max-samples|1 -1 -3 1.5 99999999999999999999 x"
  "score x.npy|--seed|-1 18446744073709551616 99999999999999999999 1e3 nan"
  "score x.npy|--threads|0 -2 1025 nan"
  "ingest -q --db r.db sweep|--eps|nan inf -1"
  "ingest -q --db r.db sweep|--max-samples|1 -5"
  "ingest -q --db r.db sweep|--seed|-1 18446744073709551616"
  "ingest -q --db r.db sweep|--jobs|-1 1025 nan"
  "ingest -q --db r.db sweep|--settle-seconds|nan inf -1"
  "leaderboard --db r.db|--top|0 -1 nan 1.5"
  "leaderboard --db r.db|--collapse-fraction|nan inf -0.1 1.5"
  "best --db r.db|--collapse-fraction|nan"
  "marginals --db r.db|--collapse-fraction|inf"
  "best --db r.db|--alpha-target|nan inf x"
  "report --db r.db -o r.html|--alpha-target|-inf"
  "report --db r.db -o r.html|--spectra|-1 nan 1001"
  "demo --dir d|--jobs|-1 nan"
)
for case in "${cases[@]}"; do
  IFS='|' read -r command option values <<<"$case"
  for value in $values; do
    set +e
    # shellcheck disable=SC2086
    "$RANKME" $command "$option" "$value" >out.txt 2>err.txt
    code=$?
    set -e
    [ "$code" = 1 ] || fail "$command $option $value exited $code: $(cat err.txt)"
    [ "$(wc -l <err.txt)" = 1 ] || fail "$command $option $value: not one line: $(cat err.txt)"
    grep -q "^rankme: $option: '$value' is not " err.txt ||
      fail "$command $option $value: unclear message: $(cat err.txt)"
    [ ! -s out.txt ] || fail "$command $option $value printed data"
  done
done
[ -e d ] && fail "demo ran with a bad --jobs"

# Usage errors found after parsing: unknown --by, unknown --metric.
set +e
"$RANKME" leaderboard --db r.db --by nope >out.txt 2>err.txt; code=$?
set -e
[ "$code" = 1 ] || fail "--by nope exited $code"
tail -n 1 err.txt | grep -q '^rankme: --by nope: not a hyperparameter that varies; varying: lr' ||
  fail "unclear --by message: $(cat err.txt)"
# A name outside the metric catalog is refused with the catalog's names; a metric of the catalog
# that the database has no scores of names the ones it has.
names="rankme, rankme_centered, stable_rank, nesum, participation_ratio, alpha_req, lidar"
for command in best leaderboard marginals "validate --labels x.npy" "report -o r.html"; do
  set +e
  # shellcheck disable=SC2086
  "$RANKME" $command --db r.db --metric nope >out.txt 2>err.txt; code=$?
  set -e
  [ "$code" = 1 ] || fail "$command --metric nope exited $code"
  grep -q "^rankme: --metric: unknown metric 'nope': expected one of $names" err.txt ||
    fail "unclear --metric message: $(cat err.txt)"
done
for command in best leaderboard marginals "report -o r.html"; do
  set +e
  # shellcheck disable=SC2086
  "$RANKME" $command --db r.db --metric lidar >out.txt 2>err.txt; code=$?
  set -e
  [ "$code" = 1 ] || fail "$command --metric lidar exited $code"
  grep -q "^rankme: r.db: --metric lidar: no such scores; the database has .*rankme" err.txt ||
    fail "unclear --metric message: $(cat err.txt)"
done

# An empty -o is refused (it would silently mean stdout); - is stdout.
for command in leaderboard marginals "report"; do
  set +e
  # shellcheck disable=SC2086
  "$RANKME" $command --db r.db -o '' >out.txt 2>err.txt; code=$?
  set -e
  [ "$code" = 1 ] || fail "$command -o '' exited $code"
  grep -q "^rankme: --output: an empty file name (use - for stdout)" err.txt ||
    fail "unclear -o '' message: $(cat err.txt)"
done

# Values at the edges of the ranges are accepted.
"$RANKME" score x.npy --eps 0 --max-samples 2 --seed 18446744073709551615 --threads 1 >/dev/null
"$RANKME" score x.npy --eps 1 --max-samples 0 --seed 0 >/dev/null
"$RANKME" leaderboard --db r.db --top 1 --collapse-fraction 0 >/dev/null 2>&1
"$RANKME" leaderboard --db r.db --by lr >/dev/null 2>&1
echo "option checks: ok"
