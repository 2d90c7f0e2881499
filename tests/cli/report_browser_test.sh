#!/usr/bin/env bash
# A real browser on `rankme report`: headless Chromium, driven by ChromeDriver over loopback,
# loads the report of a generated sweep whose names and values hold markup, and of the same
# sweep grouped by method; see tests/browser/report_test.py for what it checks. Screenshots go
# to $RANKME_REPORT_ARTIFACTS (default: ./report-artifacts in the test's working folder).
# A 500-run × 50-checkpoint sweep checks size and load time (about 30 s in all; skip it with
# RANKME_REPORT_LARGE=0).
set -euo pipefail
: "${RANKME:?path of the rankme binary}"
: "${RANKME_SOURCE_DIR:?source folder}"
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
  echo "SKIP: /usr/bin/chromium or /usr/bin/chromedriver is not installed (scripts/setup installs" \
       "the Debian packages chromium and chromium-driver)"
  exit 0
fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
artifacts=${RANKME_REPORT_ARTIFACTS:-$PWD/report-artifacts}
cases=(--case hostile)
if [ "${RANKME_REPORT_LARGE:-1}" = 1 ]; then cases+=(--case large); fi
exec /usr/bin/python3 "$RANKME_SOURCE_DIR/tests/browser/report_test.py" --rankme "$RANKME" \
  --work "$tmp" --artifacts "$artifacts" "${cases[@]}"
