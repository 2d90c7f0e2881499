#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "rankme/core/error.h"
#include "rankme/core/row_stream.h"
#include "rankme/io/tensor_stream.h"
#include "rankme/metrics/lidar.h"
#include "rankme/metrics/rankme.h"
#include "rankme/metrics/sister_metrics.h"

namespace rankme::app {

/// Settings of `rankme score`.
struct ScoreFilesOptions {
  metrics::RankmeOptions rankme;  ///< eps, max_samples, seed, method, max_memory
  io::StreamOptions stream;       ///< flatten, window size
  /// Called before scoring a file whose scoring needs at least kMemoryNoteBytes (one line, naming
  /// the file, its shape and the estimate), so that a long computation is announced.
  std::function<void(const std::string&)> note;
  /// The metrics to compute (catalog names); empty = every one. Without a centred metric the
  /// centred spectrum is not computed.
  std::vector<std::string> metrics;
};

/// Estimated memory from which ScoreFiles announces a file before scoring it.
constexpr std::size_t kMemoryNoteBytes = std::size_t{256} << 20;

/// The outcome for one FILE[#TENSOR] argument: a result, or the error that prevented one.
struct FileScore {
  std::string spec;    ///< as given
  std::string path;    ///< file part of spec
  std::string tensor;  ///< tensor scored ("" for a bare array)
  /// When the file holds several tensors and none was named: which one was used and which
  /// exist, e.g. "used 'embeddings' of: embeddings, representations".
  std::string tensor_note;
  MatrixInfo info;  ///< rows, cols, dtype, shape as stored (empty when opening failed)
  std::optional<metrics::RankmeResult> result;
  /// RankMe and the sister metrics of `result` asked for, each with the settings JSON that
  /// identifies it (as ingest stores it).
  std::vector<std::pair<metrics::MetricValue, std::string>> metrics;
  /// LiDAR, when the spec is a views tensor (`<name>_views`, n × q × D): then `result` is empty.
  std::optional<metrics::LidarResult> lidar;
  std::string lidar_settings;
  double seconds = 0;  ///< wall time of opening and scoring
  std::string error;   ///< one line, naming the file, when result is empty
  ExitCode error_code = ExitCode::kOk;
};

/// Scores each spec independently: a bad file yields an error entry and never stops the others.
/// Only internal invariant failures escape.
std::vector<FileScore> ScoreFiles(const std::vector<std::string>& specs,
                                  const ScoreFilesOptions& options);

}  // namespace rankme::app
