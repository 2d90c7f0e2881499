#include "rankme/app/score_files.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <filesystem>

#include "app/metric_scores_internal.h"
#include "rankme/core/error.h"
#include "rankme/core/metric_catalog.h"
#include "rankme/io/tensor_stream.h"

#include "rankme/io/embedding_reader.h"
#include "rankme/io/tensor_listing.h"
#include "rankme/metrics/memory_estimate.h"

namespace rankme::app {

namespace {

// Resolves which tensor a spec means, recording the choice when the file holds several.
void ResolveTensor(FileScore& score) {
  const io::EmbeddingSpec spec = io::SplitEmbeddingSpec(score.spec);
  score.path = spec.path;
  score.tensor = spec.tensor;
  if (!spec.tensor.empty()) return;
  const std::vector<io::TensorEntry> entries = io::ListTensors(spec.path);
  if (entries.size() <= 1) {
    if (!entries.empty()) score.tensor = entries.front().name;
    return;
  }
  score.tensor = io::ChooseDefaultTensor(entries, spec.path);
  std::string names;
  for (const auto& entry : entries) names += (names.empty() ? "" : ", ") + entry.name;
  score.tensor_note = "used '" + score.tensor + "' of: " + names;
}

bool Wanted(const ScoreFilesOptions& options, std::string_view metric) {
  return options.metrics.empty() ||
         std::find(options.metrics.begin(), options.metrics.end(), metric) != options.metrics.end();
}

// A views tensor: named `<name>_views`, or a bare array in a file `<name>_views.npy`.
bool IsViewsSpec(const FileScore& score) {
  if (!score.tensor.empty()) return IsViewsTensor(score.tensor);
  return IsViewsTensor(std::filesystem::path(score.path).stem().string());
}

void ScoreViews(FileScore& score, const ScoreFilesOptions& options, const std::string& resolved) {
  io::StreamOptions stream_options = options.stream;
  stream_options.flatten = true;
  auto stream = io::OpenEmbeddings(resolved, stream_options);
  score.info = stream->info();
  if (score.info.shape.size() < 3) {
    throw DataError(fmt::format("named as a views tensor but has shape {}: expected n samples × "
                                "q views × D",
                                io::FormatShape(score.info.shape)),
                    resolved);
  }
  metrics::LidarOptions lidar;
  lidar.max_samples = options.rankme.max_samples;
  lidar.seed = options.rankme.seed;
  score.lidar = metrics::ComputeLidar(*stream, score.info.shape[1], lidar);
  score.lidar_settings = MetricSettingsKey("lidar", options.rankme);
}

}  // namespace

std::vector<FileScore> ScoreFiles(const std::vector<std::string>& specs,
                                  const ScoreFilesOptions& options) {
  std::vector<FileScore> scores;
  scores.reserve(specs.size());
  for (const std::string& spec : specs) {
    FileScore score;
    score.spec = spec;
    const auto start = std::chrono::steady_clock::now();
    try {
      ResolveTensor(score);
      const std::string resolved =
          score.tensor.empty() ? score.path : score.path + "#" + score.tensor;
      if (IsViewsSpec(score)) {
        ScoreViews(score, options, resolved);
        score.seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        scores.push_back(std::move(score));
        continue;
      }
      auto stream = io::OpenEmbeddings(resolved, options.stream);
      score.info = stream->info();
      metrics::RankmeOptions rankme = options.rankme;
      rankme.centered = false;
      for (const MetricInfo& metric : AllMetrics()) {
        if (metric.source == MetricSource::kCentered && Wanted(options, metric.name)) {
          rankme.centered = true;
        }
      }
      const std::size_t needed = metrics::EstimateRankmeMemory(score.info, rankme);
      const std::size_t budget =
          options.rankme.max_memory > 0 ? options.rankme.max_memory : metrics::DefaultMaxMemory();
      // Beyond the budget ComputeRankme refuses the file, with the estimate in its message.
      if (options.note && needed >= kMemoryNoteBytes && needed <= budget) {
        options.note(
            fmt::format("{}: {} x {} {}: scoring needs about {} of memory (it follows D² "
                        "and min(N, D), not the file size)",
                        resolved, score.info.rows, score.info.cols, DTypeName(score.info.dtype),
                        metrics::FormatBytes(needed)));
      }
      score.result = metrics::ComputeRankme(*stream, rankme);
      for (metrics::MetricValue& m : metrics::SpectrumMetrics(*score.result, rankme.eps)) {
        if (!Wanted(options, m.name)) continue;
        score.metrics.emplace_back(m, MetricSettingsKey(m.name, rankme));
      }
    } catch (const Error& e) {
      score.error = e.what();
      score.error_code = e.exit_code();
    }
    score.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    scores.push_back(std::move(score));
  }
  return scores;
}

}  // namespace rankme::app
