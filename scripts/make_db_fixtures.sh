#!/usr/bin/env bash
# Makes the committed database fixtures of tests/data/db/ (for the migration tests).
#
#   scripts/make_db_fixtures.sh BUILD_DIR/rankme
#
# v1_real_sweep.db: tests/data/real_sweep_small ingested by rankme at schema version 1. The sweep
# is copied to /tmp/rankme_v1_fixture first so the stored paths do not depend on the checkout.
# When the binary is newer than version 1, its database is taken back to version 1 by dropping
# what the later migrations added (they only add tables and indexes), and the result is checked
# to have exactly the schema that migrations/0001_initial.sql creates.
set -euo pipefail
rankme=${1:?usage: make_db_fixtures.sh PATH/TO/rankme}
source_dir=$(cd "$(dirname "$0")/.." && pwd)
out="$source_dir/tests/data/db"
work=/tmp/rankme_v1_fixture
rm -rf "$work"
mkdir -p "$work" "$out"
cp -a "$source_dir/tests/data/real_sweep_small" "$work/"
"$rankme" ingest "$work/real_sweep_small" --db "$work/v1.db" --jobs 1 -q >/dev/null

version=$(sqlite3 "$work/v1.db" "PRAGMA user_version")
if [ "$version" -gt 1 ]; then
  # Objects that migrations after 0001 created: everything a fresh 0001 schema lacks.
  sqlite3 "$work/fresh.db" <"$source_dir/migrations/0001_initial.sql"
  extra=$(sqlite3 "$work/v1.db" "ATTACH '$work/fresh.db' AS f;
    SELECT type || ' ' || name FROM main.sqlite_master
    WHERE name NOT LIKE 'sqlite_%' AND name NOT IN (SELECT name FROM f.sqlite_master)
    ORDER BY type = 'table'")
  while read -r type name; do
    [ -n "$type" ] && sqlite3 "$work/v1.db" "DROP $type IF EXISTS \"$name\""
  done <<<"$extra"
  sqlite3 "$work/v1.db" "PRAGMA user_version = 1"
  schema() { sqlite3 "$1" "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name"; }
  if [ "$(schema "$work/v1.db")" != "$(schema "$work/fresh.db")" ]; then
    echo "make_db_fixtures: the downgraded schema differs from 0001_initial.sql" >&2
    exit 1
  fi
fi
sqlite3 "$work/v1.db" "PRAGMA wal_checkpoint(TRUNCATE); VACUUM;" >/dev/null
[ "$(sqlite3 "$work/v1.db" "PRAGMA integrity_check")" = ok ]
cp "$work/v1.db" "$out/v1_real_sweep.db"
echo "wrote $out/v1_real_sweep.db (schema 1, $(sqlite3 "$work/v1.db" \
  "SELECT count(*) FROM scores") scores)"
