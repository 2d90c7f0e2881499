#include "rankme/store/database.h"

#include <sqlite3.h>

#include <chrono>
#include <filesystem>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "rankme/core/error.h"
#include "rankme/store/migration.h"
#include "store/database_internal.h"

namespace rankme::store {

namespace {

int ReadUserVersion(SQLite::Database& db) { return db.execAndGet("PRAGMA user_version").getInt(); }

bool HasTables(SQLite::Database& db) {
  return db.execAndGet("SELECT count(*) FROM sqlite_master").getInt() > 0;
}

std::string SqlQuote(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    out += c;
    if (c == '\'') out += '\'';
  }
  return out + "'";
}

// A backup path that does not exist yet: <path>.v<version>.bak, then .bak.1, .bak.2, ...
std::string FreeBackupPath(const std::string& path, int version) {
  const std::string base = path + ".v" + std::to_string(version) + ".bak";
  std::string candidate = base;
  std::error_code ec;
  for (int i = 1; std::filesystem::exists(candidate, ec); ++i)
    candidate = base + "." + std::to_string(i);
  return candidate;
}

void RefuseNewer(const std::string& path, int version) {
  if (version > Database::LatestSchemaVersion()) {
    throw StoreError("database schema version " + std::to_string(version) +
                         " is newer than this rankme supports (" +
                         std::to_string(Database::LatestSchemaVersion()) +
                         "); use a newer rankme (this is " RANKME_VERSION ")",
                     path);
  }
}

// Every entry of sqlite_master: (type, name, sql) as one string each, sorted.
std::set<std::string> SchemaEntries(SQLite::Database& db) {
  std::set<std::string> entries;
  SQLite::Statement select(db,
                           "SELECT type || ' ' || name || ' ' || ifnull(sql, '') FROM "
                           "sqlite_master");
  while (select.executeStep()) entries.insert(select.getColumn(0).getString());
  return entries;
}

std::set<std::string> SchemaNames(SQLite::Database& db) {
  std::set<std::string> names;
  SQLite::Statement select(db, "SELECT name FROM sqlite_master");
  while (select.executeStep()) names.insert(select.getColumn(0).getString());
  return names;
}

// A file at user_version 0 that holds tables the migrations create lost its version (someone
// ran `PRAGMA user_version = 0`, or copied the tables): migrating it would run every migration
// again over its tables, so it is refused, naming the version its tables match when one does.
// Tables of other programs alone are no obstacle: the migrations add rankme's beside them.
void RefuseLostVersion(SQLite::Database& db, const std::string& path) {
  std::set<std::string> names;
  {
    SQLite::Transaction snapshot(db);  // the version and the tables from one read
    const int version = ReadUserVersion(db);
    if (version < 0) {
      throw StoreError("schema version " + std::to_string(version) +
                           " is not one rankme writes (they count up from 1)",
                       path);
    }
    if (version != 0) return;
    names = SchemaNames(db);
    snapshot.commit();
  }
  if (names.empty()) return;
  SQLite::Database memory(":memory:", SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  std::vector<std::pair<int, std::set<std::string>>> versions;
  for (const Migration& migration : EmbeddedMigrations()) {
    memory.exec(migration.sql);
    versions.emplace_back(migration.version, SchemaEntries(memory));
  }
  std::string ours;
  int shown = 0;
  for (const std::string& name : SchemaNames(memory)) {
    if (names.count(name) == 0) continue;
    if (shown++ < 4) ours += (ours.empty() ? "" : ", ") + name;
  }
  if (ours.empty()) return;
  if (shown > 4) ours += ", ...";
  const std::set<std::string> entries = SchemaEntries(db);
  for (const auto& [version, schema] : versions) {
    if (schema != entries) continue;
    throw StoreError("schema version is 0 but the tables are those of rankme's schema version " +
                         std::to_string(version) +
                         " (the version was reset); rankme will not migrate over them. Set it "
                         "back with: sqlite3 '" +
                         path + "' 'PRAGMA user_version = " + std::to_string(version) + "'",
                     path);
  }
  throw StoreError("schema version is 0 but the file holds rankme's tables (" + ours +
                       ") in no layout of a known schema version; rankme will not migrate over "
                       "them (restore a backup <db>.v<N>.bak)",
                   path);
}

// Runs `body` again while SQLite reports the database busy, for up to `timeout_ms`.
template <typename F>
void RetryWhileBusy(int timeout_ms, F&& body) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    try {
      body();
      return;
    } catch (const SQLite::Exception& e) {
      if ((e.getErrorCode() & 0xFF) != SQLITE_BUSY || std::chrono::steady_clock::now() > deadline) {
        throw;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
}

}  // namespace

StoreError StoreErrorFor(const std::string& path, const char* what, const SQLite::Exception& e) {
  return StoreError(std::string(what) + ": " + e.what(), path);
}

Statement& Database::Impl::Prepare(const std::string& sql) {
  auto it = statements.find(sql);
  if (it == statements.end()) {
    it = statements.emplace(sql, std::make_unique<Statement>(db, sql)).first;
  }
  Statement& statement = *it->second;
  statement.reset();
  statement.clearBindings();
  return statement;
}

Database::Database(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Database::~Database() = default;
Database::Database(Database&&) noexcept = default;
Database& Database::operator=(Database&&) noexcept = default;

const std::string& Database::path() const { return impl_->path; }

int Database::schema_version() const {
  return Guarded(impl_->path, "cannot read the schema version",
                 [&] { return ReadUserVersion(impl_->db); });
}

int Database::LatestSchemaVersion() {
  const auto& migrations = EmbeddedMigrations();
  return migrations.empty() ? 0 : migrations.back().version;
}

Database Database::Open(const std::string& path, const DatabaseOptions& options) {
  if (path.empty()) throw StoreError("the database path is empty (--db or RANKME_DB)", "");
  std::error_code status_error;
  const auto status = std::filesystem::status(path, status_error);
  if (status_error && status_error != std::errc::no_such_file_or_directory) {
    throw StoreError("cannot open: " + status_error.message(), path);
  }
  if (std::filesystem::is_directory(status)) {
    throw StoreError("is a folder, not a database file", path);
  }
  if (std::filesystem::exists(status) && !std::filesystem::is_regular_file(status)) {
    throw StoreError("is not a regular file (a device, FIFO or socket), not a database", path);
  }
  if (!options.create && !std::filesystem::exists(status)) {
    throw StoreError("no database here (run `rankme ingest` first, or pass --db)", path);
  }
  int flags = options.read_only ? SQLite::OPEN_READONLY : SQLite::OPEN_READWRITE;
  if (options.create && !options.read_only) flags |= SQLite::OPEN_CREATE;
  // A Database serves one thread at a time (its statement cache is not shared-safe either; ingest
  // workers open their own), so SQLite need not lock the connection in every call: the reads of
  // `best` and `leaderboard` make millions of calls.
  flags |= SQLite::OPEN_NOMUTEX;
  auto impl = Guarded(path, "cannot open the database",
                      [&] { return std::make_unique<Impl>(path, flags, options.busy_timeout_ms); });
  Database database(std::move(impl));
  SQLite::Database& db = database.impl_->db;
  Guarded(path, "not a usable SQLite database", [&] {
    db.exec("PRAGMA foreign_keys = ON");
    // Rows deleted by INSERT OR REPLACE fire their delete triggers, which keep ranking_points.
    db.exec("PRAGMA recursive_triggers = ON");
    if (!options.read_only) {
      // WAL: readers never block the writer. FULL: a committed result survives power loss too.
      // Switching a new file to WAL needs it to itself: several processes creating one
      // database at once get SQLITE_BUSY here without the busy handler, so retry.
      RetryWhileBusy(options.busy_timeout_ms, [&] { db.execAndGet("PRAGMA journal_mode = WAL"); });
      db.exec("PRAGMA synchronous = FULL");
    }
    RefuseNewer(path, ReadUserVersion(db));
  });
  Guarded(path, "cannot read the schema", [&] { RefuseLostVersion(db, path); });
  if (options.migrate && !options.read_only) database.Migrate();
  return database;
}

MigrationReport Database::Migrate() {
  SQLite::Database& db = impl_->db;
  MigrationReport report;
  report.from_version = schema_version();
  report.to_version = report.from_version;
  RefuseNewer(impl_->path, report.from_version);
  if (report.from_version == LatestSchemaVersion()) return report;

  Guarded(impl_->path, "cannot back up the database before migrating", [&] {
    if (report.from_version > 0 || HasTables(db)) {
      report.backup_path = FreeBackupPath(impl_->path, report.from_version);
      db.exec("VACUUM INTO " + SqlQuote(report.backup_path));
    }
  });
  for (const Migration& migration : EmbeddedMigrations()) {
    Guarded(impl_->path, migration.name, [&] {
      SQLite::Transaction transaction(db, SQLite::TransactionBehavior::IMMEDIATE);
      const int current = ReadUserVersion(db);  // another process may have migrated meanwhile
      RefuseNewer(impl_->path, current);
      if (migration.version <= current) return;
      db.exec(migration.sql);
      db.exec("PRAGMA user_version = " + std::to_string(migration.version));
      transaction.commit();
      report.to_version = migration.version;
    });
  }
  report.to_version = schema_version();
  return report;
}

DatabaseInfo Database::Info() {
  return Guarded(impl_->path, "cannot read database counts", [&] {
    SQLite::Database& db = impl_->db;
    DatabaseInfo info;
    info.path = impl_->path;
    info.schema_version = ReadUserVersion(db);
    info.latest_schema_version = LatestSchemaVersion();
    info.journal_mode = db.execAndGet("PRAGMA journal_mode").getString();
    std::error_code ec;
    const auto bytes = std::filesystem::file_size(impl_->path, ec);
    info.file_bytes = ec ? 0 : static_cast<std::int64_t>(bytes);
    if (info.schema_version == 0) return info;
    auto count = [&](const char* table) {
      return db.execAndGet(std::string("SELECT count(*) FROM ") + table).getInt64();
    };
    info.sweeps = count("sweeps");
    info.configurations = count("configurations");
    info.runs = count("runs");
    info.checkpoints = count("checkpoints");
    info.tensors = count("tensors");
    info.scores = count("scores");
    info.spectra = count("spectra");
    info.failures = count("failures");
    return info;
  });
}

WriteTransaction::WriteTransaction(Database& database) : database_(database) {
  Guarded(database_.path(), "cannot start a write transaction",
          [&] { database_.impl().db.exec("BEGIN IMMEDIATE"); });
}

WriteTransaction::~WriteTransaction() {
  if (open_) database_.impl().db.tryExec("ROLLBACK");
}

void WriteTransaction::Commit() {
  Guarded(database_.path(), "cannot commit", [&] { database_.impl().db.exec("COMMIT"); });
  open_ = false;
}

}  // namespace rankme::store
