#include "rankme/app/database_admin.h"

#include <cstdlib>

namespace rankme::app {

std::string ResolveDatabasePath(const std::string& flag) {
  if (!flag.empty()) return flag;
  if (const char* env = std::getenv("RANKME_DB"); env != nullptr && *env != '\0') return env;
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
