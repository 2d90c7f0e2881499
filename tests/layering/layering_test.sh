#!/usr/bin/env bash
# The layering check (cmake/CheckLayering.cmake, run by every build) passes on the tree as it is
# and fails, naming the file and the rule, on each deliberately bad file of tests/layering/.
set -euo pipefail
: "${RANKME_SOURCE_DIR:?}" "${CMAKE_COMMAND:=cmake}"
here="$RANKME_SOURCE_DIR/tests/layering"
script="$RANKME_SOURCE_DIR/cmake/CheckLayering.cmake"
fail() { echo "FAIL: $*"; exit 1; }

"$CMAKE_COMMAND" -DSOURCE_DIR="$RANKME_SOURCE_DIR" -P "$script" || fail "the tree itself breaks the layering"
"$CMAKE_COMMAND" -DCHECK_FILE="$here/allowed.cpp" -DAS_MODULE=metrics -P "$script" ||
  fail "allowed includes refused"

# file | module it pretends to belong to | text the message must hold
cases=(
  "upward_include.cpp|metrics|metrics includes app"
  "upward_include.cpp|store|store includes app"
  "private_reach.cpp|app|app reaches into src/discovery/"
  "third_party_sqlite.cpp|app|app includes <SQLiteCpp...>, which belongs to: store"
  "third_party_eigen.cpp|cli|cli includes <Eigen...>, which belongs to: metrics"
  "sideways_include.cpp|store|store includes ranking"
)
for case in "${cases[@]}"; do
  IFS='|' read -r file module expected <<<"$case"
  if "$CMAKE_COMMAND" -DCHECK_FILE="$here/$file" -DAS_MODULE="$module" -P "$script" 2>err.txt; then
    fail "$file as $module passed the check"
  fi
  grep -qF "$expected" err.txt || fail "$file as $module: message lacks '$expected': $(cat err.txt)"
  grep -qF "$file" err.txt || fail "$file: message does not name the file"
done
rm -f err.txt
echo "layering: ok"
