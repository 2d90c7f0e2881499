#pragma once

#include <vector>

namespace rankme::store {

/// One forward-only schema step: migrations/NNNN_description.sql, embedded at build time.
struct Migration {
  int version;       ///< NNNN from the file name; the schema is at `version` after it runs.
  const char* name;  ///< the file name, for messages and backups
  const char* sql;   ///< the whole script, run inside one transaction
};

/// The migrations compiled into this binary, ordered by version.
const std::vector<Migration>& EmbeddedMigrations();

}  // namespace rankme::store
