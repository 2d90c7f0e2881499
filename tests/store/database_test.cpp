#include "rankme/store/database.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "rankme/core/error.h"
#include "rankme/store/migration.h"
#include "support/temp_dir.h"

using rankme::store::Database;

namespace {

int UserVersion(const std::string& path) {
  SQLite::Database db(path, SQLite::OPEN_READONLY);
  return db.execAndGet("PRAGMA user_version").getInt();
}

}  // namespace

TEST_CASE("Database creates a new file at the latest schema in WAL mode", "[store]") {
  rankme::testing::TempDir dir;
  const std::string path = dir.File("new.db");
  {
    Database db = Database::Open(path);
    CHECK(db.schema_version() == Database::LatestSchemaVersion());
    const auto info = db.Info();
    CHECK(info.journal_mode == "wal");
    CHECK(info.runs == 0);
    CHECK(info.scores == 0);
  }
  CHECK(UserVersion(path) == Database::LatestSchemaVersion());
  SQLite::Database raw(path, SQLite::OPEN_READONLY);
  CHECK(raw.execAndGet("PRAGMA integrity_check").getString() == "ok");
  CHECK(raw.tableExists("scores"));
  CHECK(raw.tableExists("spectra"));
}

TEST_CASE("Database refuses a schema newer than the binary and names both versions", "[store]") {
  rankme::testing::TempDir dir;
  const std::string path = dir.File("future.db");
  {
    SQLite::Database raw(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    raw.exec("CREATE TABLE x (a); PRAGMA user_version = 99");
  }
  try {
    Database::Open(path);
    FAIL("opened a newer schema");
  } catch (const rankme::StoreError& e) {
    const std::string message = e.what();
    CHECK(message.find("99") != std::string::npos);
    CHECK(message.find(std::to_string(Database::LatestSchemaVersion())) != std::string::npos);
    CHECK(message.find(path) != std::string::npos);
  }
  CHECK(UserVersion(path) == 99);  // untouched
}

TEST_CASE("Database rejects a file that is not SQLite with a StoreError naming it", "[store]") {
  rankme::testing::TempDir dir;
  const std::string path = dir.File("text.db");
  rankme::testing::WriteFile(path, std::string(4096, 'x'));
  REQUIRE_THROWS_AS(Database::Open(path), rankme::StoreError);
  try {
    Database::Open(path);
  } catch (const rankme::StoreError& e) {
    CHECK(std::string(e.what()).find(path) != std::string::npos);
    CHECK(e.exit_code() == rankme::ExitCode::kStore);
  }
}

TEST_CASE("Database backs up a file holding data before migrating it", "[store]") {
  rankme::testing::TempDir dir;
  const std::string path = dir.File("old.db");
  {
    // A version-0 file someone already put a table in.
    SQLite::Database raw(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    raw.exec("CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES ('keep me')");
  }
  Database db = Database::Open(path, {.migrate = false});
  CHECK(db.schema_version() == 0);
  const auto report = db.Migrate();
  CHECK(report.from_version == 0);
  CHECK(report.to_version == Database::LatestSchemaVersion());
  REQUIRE_FALSE(report.backup_path.empty());
  SQLite::Database backup(report.backup_path, SQLite::OPEN_READONLY);
  CHECK(backup.execAndGet("SELECT text FROM notes").getString() == "keep me");
  CHECK(backup.execAndGet("PRAGMA user_version").getInt() == 0);
  // Migrating again is a no-op without a new backup.
  CHECK(db.Migrate().backup_path.empty());
}

TEST_CASE("Two processes creating one database at once both succeed", "[store]") {
  rankme::testing::TempDir dir;
  const std::string path = dir.File("race.db");
  std::vector<pid_t> children;
  for (int i = 0; i < 4; ++i) {
    const pid_t pid = ::fork();
    if (pid == 0) {
      try {
        Database db = Database::Open(path);
        ::_exit(db.schema_version() == Database::LatestSchemaVersion() ? 0 : 1);
      } catch (...) {
        ::_exit(2);
      }
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
  }
  CHECK(UserVersion(path) == Database::LatestSchemaVersion());
}

TEST_CASE("Every embedded migration is numbered in order from 1", "[store]") {
  const auto& migrations = rankme::store::EmbeddedMigrations();
  REQUIRE_FALSE(migrations.empty());
  for (std::size_t i = 0; i < migrations.size(); ++i) {
    CHECK(migrations[i].version == static_cast<int>(i) + 1);
  }
}

TEST_CASE("Database refuses rankme's tables at user_version 0 instead of migrating over them",
          "[store]") {
  // Regression: after `PRAGMA user_version = 0` every migration ran again over the tables.
  rankme::testing::TempDir dir;
  const std::string path = dir.File("reset.db");
  Database::Open(path);
  {
    SQLite::Database raw(path, SQLite::OPEN_READWRITE);
    raw.exec(
        "INSERT INTO sweeps (root, first_ingested_at, last_ingested_at) VALUES "
        "('/sweep', 'a', 'b'); PRAGMA user_version = 0");
  }
  const std::string latest = std::to_string(Database::LatestSchemaVersion());
  for (const bool read_only : {false, true}) {
    INFO("read_only " << read_only);
    try {
      Database::Open(path, {.create = false, .migrate = !read_only, .read_only = read_only});
      FAIL("opened a database whose version was reset");
    } catch (const rankme::StoreError& e) {
      const std::string message = e.what();
      CHECK(e.exit_code() == rankme::ExitCode::kStore);
      CHECK_THAT(message, Catch::StartsWith(path + ": "));
      CHECK_THAT(message, Catch::Contains("tables are those of rankme's schema version " + latest));
      CHECK_THAT(message, Catch::Contains("PRAGMA user_version = " + latest));
    }
  }
  {
    SQLite::Database raw(path, SQLite::OPEN_READONLY);
    CHECK(raw.execAndGet("SELECT count(*) FROM sweeps").getInt() == 1);  // nothing touched
  }
  CHECK(UserVersion(path) == 0);
  CHECK_FALSE(std::filesystem::exists(path + ".v0.bak"));  // no migration started
  {
    // The command the message gives brings the file back as it was.
    SQLite::Database raw(path, SQLite::OPEN_READWRITE);
    raw.exec("PRAGMA user_version = " + latest);
  }
  CHECK(Database::Open(path).Info().sweeps == 1);
  // Tables of no one schema version: still refused, naming some of them.
  {
    SQLite::Database raw(path, SQLite::OPEN_READWRITE);
    raw.exec("DROP TABLE labels; PRAGMA user_version = 0");
  }
  try {
    Database::Open(path);
    FAIL("opened a database whose version was reset");
  } catch (const rankme::StoreError& e) {
    CHECK_THAT(e.what(), Catch::Contains("holds rankme's tables ("));
    CHECK_THAT(e.what(), Catch::Contains("in no layout of a known schema version"));
  }
  // A negative version is none rankme wrote: refused too, whatever the tables.
  {
    SQLite::Database raw(path, SQLite::OPEN_READWRITE);
    raw.exec("PRAGMA user_version = -3");
  }
  CHECK_THROWS_WITH(Database::Open(path), Catch::Contains("schema version -3 is not one rankme"));
}
