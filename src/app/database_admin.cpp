#include "rankme/app/database_admin.h"

#include <cstdlib>

#include "rankme/core/error.h"

namespace rankme::app {

std::string ResolveDatabasePath(const std::string& flag) {
  if (!flag.empty()) return flag;
  if (const char* env = std::getenv("RANKME_DB"); env != nullptr) {
    if (*env == '\0') throw UsageError("RANKME_DB is set but empty; unset it or name a file");
    return env;
  }
  return "rankme.db";
}

store::DatabaseInfo DescribeDatabase(const std::string& path) {
  auto db = store::Database::Open(path, {.create = false, .migrate = false, .read_only = true});
  return db.Info();
}

store::MigrationReport MigrateDatabase(const std::string& path) {
  auto db = store::Database::Open(path, {.create = false, .migrate = false});
  return db.Migrate();
}

}  // namespace rankme::app
