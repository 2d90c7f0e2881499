#pragma once
// Rows for catalog tests of ranking reads: a score, a tensor row and a run, with what the test
// varies as arguments and plausible values for the rest.
#include <cstdint>
#include <optional>
#include <string>

#include "rankme/store/catalog.h"

namespace rankme::testing {

inline store::ScoreRow RankmeScore(const std::string& hash, const std::string& tensor,
                                   std::optional<double> value, const std::string& settings,
                                   std::int64_t rows = 512, const std::string& metric = "rankme") {
  store::ScoreRow s;
  s.content_hash = hash;
  s.tensor = tensor;
  s.metric = metric;
  s.settings_key = settings;
  s.value = value;
  s.status = value ? "ok" : "degenerate";
  s.method = "gram";
  s.rows_used = s.rows_total = rows;
  s.cols = 64;
  s.dtype = "float32";
  s.max_samples = 25600;
  s.algorithm_version = 1;
  s.tool_version = "test";
  return s;
}

/// The row of `tensor` read from `file` of `checkpoint`: ok with content `hash`, or failed or not
/// ready (then `hash` may be empty).
inline store::StoredTensor TensorRow(std::int64_t checkpoint, const std::string& file,
                                     const std::string& tensor, std::optional<std::string> hash,
                                     const std::string& status = "ok") {
  store::StoredTensor t;
  t.checkpoint_id = checkpoint;
  t.source = "[\"" + file + "\"]";
  t.tensor = tensor;
  t.files_json = "[\"" + file + "#" + tensor + "\"]";
  t.stat_key = "1:1";
  t.content_hash = std::move(hash);
  t.status = status;
  if (status != "ok") t.error_kind = "io";
  return t;
}

/// A run of configuration "cfg" at `path` (its name the last path component).
inline store::RunUpsert RunAt(const std::string& path, const std::string& seed) {
  store::RunUpsert run;
  run.path = path;
  run.name = path.substr(path.rfind('/') + 1);
  run.layout = "plain";
  run.config_id = "cfg";
  run.config_key = R"({"lr":0.1})";
  run.seed = seed;
  run.config_json = R"({"lr":0.1})";
  run.params = {{"lr", "0.1", "hyperparameter"}};
  return run;
}

}  // namespace rankme::testing
