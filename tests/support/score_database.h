#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "rankme/store/catalog.h"
#include "rankme/store/database.h"

namespace rankme::testing {

/// A rankme database written through the store score by score, without ingesting files: for
/// tests of the ranking commands on several metrics and tensors. Every score is ok, computed on
/// 512 × 64 rows under one set of settings (the rows of tests/store/catalog_rows.h); each
/// (checkpoint, tensor) gets its own tensor row (and content) the first time it is scored. Nothing
/// is visible until Close().
class ScoreDatabase {
 public:
  explicit ScoreDatabase(const std::string& path);
  ~ScoreDatabase();
  ScoreDatabase(const ScoreDatabase&) = delete;
  ScoreDatabase& operator=(const ScoreDatabase&) = delete;

  /// A run at /sweep/`name` of configuration `config_id`: `params` (key → JSON literal) are its
  /// hyperparameters, `seed` its seed. Returns its run_id.
  std::int64_t AddRun(const std::string& name, const std::string& config_id,
                      const std::map<std::string, std::string>& params, const std::string& seed);
  /// A checkpoint of the run; returns its checkpoint_id.
  std::int64_t AddCheckpoint(std::int64_t run_id, const std::string& name,
                             std::optional<std::int64_t> step, std::optional<std::int64_t> epoch,
                             std::int64_t position);
  /// A score of `metric` of `tensor` of the checkpoint.
  void AddScore(std::int64_t checkpoint_id, const std::string& tensor, const std::string& metric,
                double value);
  /// Commits everything and closes the database.
  void Close();

 private:
  store::Database db_;
  store::Catalog catalog_;
  std::unique_ptr<store::WriteTransaction> transaction_;
  std::int64_t sweep_id_ = 0;
  std::set<std::pair<std::int64_t, std::string>> tensors_;  // (checkpoint, tensor) with a row
};

}  // namespace rankme::testing
