// The score rows of one scored matrix: RankMe and every sister metric, each with the settings
// that identify it (a changed convention adds scores beside the old ones, as eps does).
#include "rankme/app/metric_scores.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>

#include "app/metric_scores_internal.h"
#include "rankme/core/error.h"
#include "rankme/core/metric_catalog.h"
#include "rankme/metrics/lidar.h"
#include "rankme/metrics/sister_metrics.h"

namespace rankme::app {

namespace {

std::string Shortest(double value) {
  char buffer[32];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, result.ptr);
}

// What every metric of a subsampled matrix shares: the rows (max_samples, seed) and the engine.
std::string CommonSettings(const metrics::RankmeOptions& options) {
  return fmt::format(R"("algorithm_version":{},"max_samples":{},"seed":{})",
                     metrics::kRankmeAlgorithmVersion, options.max_samples, options.seed);
}

}  // namespace

std::string RankmeSettingsKey(const metrics::RankmeOptions& options) {
  return fmt::format(R"({{"algorithm_version":{},"eps":{},"max_samples":{},"seed":{}}})",
                     metrics::kRankmeAlgorithmVersion, Shortest(options.eps), options.max_samples,
                     options.seed);
}

std::string SpectrumSampleKey(const metrics::RankmeOptions& options) {
  return fmt::format(R"({{"max_samples":{},"seed":{}}})", options.max_samples, options.seed);
}

std::string MetricSettingsKey(std::string_view metric, const metrics::RankmeOptions& options) {
  const std::string common = CommonSettings(options);
  if (metric == "rankme") return RankmeSettingsKey(options);
  if (metric == "rankme_centered") {
    return fmt::format(R"({{{},"centered":true,"eps":{}}})", common, Shortest(options.eps));
  }
  if (metric == "stable_rank") return fmt::format(R"({{{},"centered":false}})", common);
  if (metric == "nesum" || metric == "participation_ratio") {
    return fmt::format(R"({{{},"centered":true}})", common);
  }
  if (metric == "alpha_req") {
    return fmt::format(R"({{{},"centered":true,"cutoff":1e-12,"ranks":[11,100],"weights":"1/i"}})",
                       common);
  }
  if (metric == "lidar") {
    const metrics::LidarOptions lidar;
    return fmt::format(
        R"({{"algorithm_version":{},"delta":{},"eps":{},"max_samples":{},"seed":{}}})",
        metrics::kLidarAlgorithmVersion, Shortest(lidar.delta), Shortest(lidar.eps),
        options.max_samples, options.seed);
  }
  throw Error(fmt::format("no settings for metric '{}'", metric));
}

std::vector<std::string_view> SpectrumMetricNames() {
  std::vector<std::string_view> names;
  for (const MetricInfo& m : AllMetrics()) {
    if (m.source != MetricSource::kViews) names.push_back(m.name);
  }
  return names;
}

bool SpectrumScoresStored(store::Catalog& catalog, const std::string& hash,
                          const std::string& tensor, const metrics::RankmeOptions& options) {
  for (std::string_view metric : SpectrumMetricNames()) {
    const std::string name(metric);
    if (!catalog.HasScore(hash, tensor, name, MetricSettingsKey(name, options))) return false;
  }
  return true;
}

bool IsViewsTensor(std::string_view tensor) {
  constexpr std::string_view kSuffix = "_views";
  return tensor.size() > kSuffix.size() && tensor.ends_with(kSuffix);
}

bool ScoresStored(store::Catalog& catalog, const std::string& hash, const std::string& tensor,
                  const metrics::RankmeOptions& options) {
  if (IsViewsTensor(tensor)) {
    return catalog.HasScore(hash, tensor, "lidar", MetricSettingsKey("lidar", options));
  }
  return SpectrumScoresStored(catalog, hash, tensor, options);
}

std::vector<store::ScoreRow> SpectrumScoreRows(const std::string& hash, const std::string& tensor,
                                               const metrics::RankmeResult& result, DType dtype,
                                               const metrics::RankmeOptions& options,
                                               double seconds) {
  std::vector<store::ScoreRow> rows;
  for (const metrics::MetricValue& m : metrics::SpectrumMetrics(result, options.eps)) {
    store::ScoreRow score;
    score.content_hash = hash;
    score.tensor = tensor;
    score.metric = std::string(m.name);
    score.settings_key = MetricSettingsKey(m.name, options);
    if (!m.degenerate && std::isfinite(m.value)) score.value = m.value;
    // Degenerate: the matrix (or its centred version) is zero. α-ReQ without enough ranks above
    // its cut-off has no value either and is stored the same way: "no value, and why" is the
    // status; the message is in the tools that print it.
    score.status = score.value ? "ok" : "degenerate";
    score.r_squared = m.r_squared;
    score.method = m.method;
    score.error_bound = m.error_bound;
    score.rows_used = result.rows_used;
    score.rows_total = result.rows_total;
    score.cols = result.cols;
    score.dtype = std::string(DTypeName(dtype));
    score.eps = m.name == "rankme" || m.name == "rankme_centered" ? options.eps : 0.0;
    score.max_samples = options.max_samples;
    score.subsample_seed = options.seed;
    score.algorithm_version = metrics::kRankmeAlgorithmVersion;
    score.tool_version = RANKME_VERSION;
    score.seconds = seconds;
    rows.push_back(std::move(score));
  }
  return rows;
}

}  // namespace rankme::app
