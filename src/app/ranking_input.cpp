// What the ranking commands read of a database: runs, failures and one signal's scores.
#include <fmt/format.h>

#include <algorithm>

#include "app/ranking_input_internal.h"
#include "rankme/core/error.h"
#include "rankme/core/metric_catalog.h"
#include "rankme/ranking/value_order.h"

namespace rankme::app {

store::Database OpenForReading(const std::string& path) {
  return store::Database::Open(path, {.create = false, .migrate = false, .read_only = true});
}

void LoadScores(store::Catalog& catalog, const std::string& tensor, ranking::RankingInput& input) {
  input.scores.clear();
  input.settings_keys.clear();
  // Room for the tensor's share of the tensor rows, one score each: growing 100,000 rows by
  // doubling would touch twice the memory (and pages cost more than the copies). Room reserved
  // but unused is never touched.
  const auto tensors = std::max<std::size_t>(1, input.tensor_counts.size());
  input.scores.reserve(static_cast<std::size_t>(catalog.TensorRowsBound()) / tensors + 16);
  catalog.VisitRankingScores(input.metric, tensor, [&](const store::RankingScoreView& view) {
    ranking::RankingScore& s = input.scores.emplace_back();
    s.run_id = view.run_id;
    s.checkpoint_id = view.checkpoint_id;
    s.checkpoint = view.checkpoint;
    s.step = view.step;
    s.epoch = view.epoch;
    s.position = view.position;
    s.tensor = tensor;
    s.value = view.value;
    s.degenerate = view.degenerate;
    s.rows_used = view.rows_used;
    s.cols = view.cols;
    s.settings = input.AddSettings(view.settings_key);
  });
}

ranking::RankingInput LoadInput(store::Database& db, const SelectionOptions& options) {
  ranking::ValueOrder::OfMetric(options.metric);  // an unknown name, before any query
  store::Catalog catalog(db);
  ranking::RankingInput input;
  input.metric = options.metric;
  // Counting each tensor's scores reads every score; the counts matter only when several
  // tensors are scored, none is asked for and none is embeddings (the most scored is ranked).
  const std::vector<std::string> names = catalog.ScoredTensorNames(options.metric);
  if (names.empty()) {
    const std::vector<std::string> metrics = catalog.ScoredMetrics();
    if (!metrics.empty()) {
      throw UsageError(fmt::format("--metric {}: no such scores; the database has {}",
                                   options.metric, fmt::join(metrics, ", ")),
                       options.db_path);
    }
  }
  if (options.ranking.tensor.empty() && names.size() > 1 &&
      std::find(names.begin(), names.end(), "embeddings") == names.end()) {
    input.tensor_counts = catalog.ScoredTensors(options.metric);
  } else {
    for (const std::string& name : names) input.tensor_counts[name] = 0;
  }
  const std::string tensor =
      ranking::ChooseTensor(input.tensor_counts, options.ranking.tensor, options.metric);
  input.runs = catalog.Runs();
  if (!tensor.empty()) LoadScores(catalog, tensor, input);
  input.unscored = catalog.UnscoredTensors();
  return input;
}

std::vector<Signal> ScoredSignals(store::Catalog& catalog) {
  const std::vector<std::string> scored = catalog.ScoredMetrics();
  std::vector<Signal> out;
  for (const MetricInfo& metric : AllMetrics()) {
    const std::string name(metric.name);
    if (std::find(scored.begin(), scored.end(), name) == scored.end()) continue;
    for (const std::string& tensor : catalog.ScoredTensorNames(name)) out.push_back({name, tensor});
  }
  return out;
}

}  // namespace rankme::app
