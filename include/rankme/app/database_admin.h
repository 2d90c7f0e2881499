#pragma once

#include <string>

#include "rankme/store/database.h"

namespace rankme::app {

/// The database file a command uses: `flag` when given, else $RANKME_DB, else ./rankme.db.
std::string ResolveDatabasePath(const std::string& flag);

/// Counts and versions of an existing database (opened read-only, never migrated).
store::DatabaseInfo DescribeDatabase(const std::string& path);

/// Brings an existing database to this binary's schema, backing it up first.
store::MigrationReport MigrateDatabase(const std::string& path);

}  // namespace rankme::app
