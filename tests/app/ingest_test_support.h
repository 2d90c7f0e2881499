// Helpers shared by the ingest tests: generated sweeps with numpy references, and reads of the
// stored database through plain SQL (independent of the Catalog under test).
#pragma once

#include <SQLiteCpp/SQLiteCpp.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <utility>

#include "rankme/app/ingest.h"
#include "support/temp_dir.h"

namespace rankme::testing {

/// Writes a synthetic sweep into `dir` with scripts/make_ingest_sweep.py (numpy) and returns its
/// truth.json records. `arguments` are the script's options, e.g. "--layout hydra --runs 2".
inline nlohmann::json MakeSweep(const std::filesystem::path& dir, const std::string& arguments) {
  const std::string command = std::string("/usr/bin/python3 ") + RANKME_SOURCE_DIR +
                              "/scripts/make_ingest_sweep.py " + dir.string() + " " + arguments;
  if (RunCommand(command) != 0) throw std::runtime_error("sweep generator failed: " + command);
  std::ifstream in(dir / "truth.json");
  return nlohmann::json::parse(in);
}

/// Ingest options for tests: one database, quiet defaults, two workers.
inline app::IngestOptions IngestOptionsFor(const std::string& root, const std::string& db) {
  app::IngestOptions options;
  options.roots = {root};
  options.db_path = db;
  options.jobs = 2;
  return options;
}

/// One integer from a SQL query on `db` (a separate read-only connection).
inline std::int64_t QueryInt(const std::string& db, const std::string& sql) {
  SQLite::Database connection(db, SQLite::OPEN_READONLY);
  return connection.execAndGet(sql).getInt64();
}

/// One text from a SQL query on `db`.
inline std::string QueryText(const std::string& db, const std::string& sql) {
  SQLite::Database connection(db, SQLite::OPEN_READONLY);
  return connection.execAndGet(sql).getString();
}

/// The first file of a stored files_json list, without `#tensor` and relative to `root`.
inline std::string FirstFile(const std::string& files_json, const std::string& root) {
  const auto files = nlohmann::json::parse(files_json);
  std::string first = files.at(0).get<std::string>();
  first = first.substr(0, first.find('#'));
  const std::string prefix = root + "/";
  if (first.compare(0, prefix.size(), prefix) == 0) first = first.substr(prefix.size());
  return first;
}

/// A stored score as the checkpoint_scores view shows it.
struct StoredScore {
  std::string run;
  std::optional<std::string> seed;
  std::string checkpoint;
  std::optional<std::int64_t> step, epoch;
  std::optional<double> value;
  std::string status;
  std::string settings_key;
};

/// Every row of checkpoint_scores of `metric` keyed by (first file relative to `root`, tensor),
/// for the scores whose settings_key contains `settings_fragment` (all when empty). Fails on
/// duplicates.
inline std::map<std::pair<std::string, std::string>, StoredScore> StoredScores(
    const std::string& db, const std::string& root, const std::string& settings_fragment = "",
    const std::string& metric = "rankme") {
  SQLite::Database connection(db, SQLite::OPEN_READONLY);
  SQLite::Statement select(connection,
                           "SELECT run, seed, checkpoint, step, epoch, tensor, value, status, "
                           "settings_key, files FROM checkpoint_scores "
                           "WHERE instr(settings_key, ?1) > 0 AND metric = ?2");
  select.bind(1, settings_fragment);
  select.bind(2, metric);
  std::map<std::pair<std::string, std::string>, StoredScore> out;
  while (select.executeStep()) {
    StoredScore s;
    s.run = select.getColumn(0).getString();
    if (!select.getColumn(1).isNull()) s.seed = select.getColumn(1).getString();
    s.checkpoint = select.getColumn(2).getString();
    if (!select.getColumn(3).isNull()) s.step = select.getColumn(3).getInt64();
    if (!select.getColumn(4).isNull()) s.epoch = select.getColumn(4).getInt64();
    if (!select.getColumn(6).isNull()) s.value = select.getColumn(6).getDouble();
    s.status = select.getColumn(7).getString();
    s.settings_key = select.getColumn(8).getString();
    const auto key = std::make_pair(FirstFile(select.getColumn(9).getString(), root),
                                    select.getColumn(5).getString());
    if (!out.emplace(key, s).second) {
      throw std::runtime_error("two scores for " + key.first + "#" + key.second);
    }
  }
  return out;
}

inline double RelativeError(double got, double want) {
  return std::abs(got - want) / std::max(std::abs(want), 1e-300);
}

/// Sets a file's modification time `seconds_ago` seconds in the past (keeps its bytes).
inline void AgeFile(const std::filesystem::path& path, double seconds_ago) {
  namespace fs = std::filesystem;
  fs::last_write_time(path, fs::file_time_type::clock::now() -
                                std::chrono::duration_cast<fs::file_time_type::duration>(
                                    std::chrono::duration<double>(seconds_ago)));
}

/// Ages every file under `root` (a freshly generated sweep is otherwise "not ready" for a
/// failing file, which depends on modification times).
inline void AgeTree(const std::filesystem::path& root, double seconds_ago) {
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    if (entry.is_regular_file()) AgeFile(entry.path(), seconds_ago);
  }
}

}  // namespace rankme::testing
