#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace rankme::store {

/// How to open a database file. Defaults suit every command that writes.
struct DatabaseOptions {
  bool create = true;           ///< create the file when it does not exist
  bool migrate = true;          ///< bring an older schema up to date (backing the file up first)
  bool read_only = false;       ///< open without write access (no migration possible then)
  int busy_timeout_ms = 60000;  ///< how long to wait for another writer before failing
};

/// What Migrate() did.
struct MigrationReport {
  int from_version = 0;
  int to_version = 0;
  std::string backup_path;  ///< copy made before migrating; empty when none was needed
};

/// Counts and facts for `rankme db info`.
struct DatabaseInfo {
  std::string path;
  int schema_version = 0;
  int latest_schema_version = 0;
  std::string journal_mode;
  std::int64_t file_bytes = 0;
  std::int64_t sweeps = 0, configurations = 0, runs = 0, checkpoints = 0, tensors = 0;
  std::int64_t scores = 0, spectra = 0, failures = 0;
};

/// One connection to a rankme SQLite file: WAL journal, busy timeout, foreign keys, and the
/// schema in PRAGMA user_version. Writes go through WriteTransaction (BEGIN IMMEDIATE), so two
/// processes writing one file take turns instead of failing; readers never block the writer.
/// Not thread-safe: use one Database per thread (ingest keeps a single writer thread).
class Database {
 public:
  /// Opens (and by default creates and migrates) the database at `path`. Throws StoreError
  /// naming the file when it is not a database, cannot be opened, or has a schema newer than
  /// this binary (both versions named).
  static Database Open(const std::string& path, const DatabaseOptions& options = {});

  ~Database();
  Database(Database&&) noexcept;
  Database& operator=(Database&&) noexcept;

  const std::string& path() const;
  int schema_version() const;
  /// The schema version this binary creates: the highest embedded migration.
  static int LatestSchemaVersion();

  /// Applies the pending migrations, each in its own transaction; when the file already held a
  /// schema, first copies it to `<path>.v<old>.bak` (VACUUM INTO). Safe against a concurrent
  /// migrator: the version is re-read inside each transaction.
  MigrationReport Migrate();

  DatabaseInfo Info();

  struct Impl;
  Impl& impl() { return *impl_; }

 private:
  explicit Database(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// A write transaction (BEGIN IMMEDIATE): rolled back unless Commit() is called.
class WriteTransaction {
 public:
  explicit WriteTransaction(Database& database);
  ~WriteTransaction();
  WriteTransaction(const WriteTransaction&) = delete;
  WriteTransaction& operator=(const WriteTransaction&) = delete;
  void Commit();

 private:
  Database& database_;
  bool open_ = true;
};

}  // namespace rankme::store
