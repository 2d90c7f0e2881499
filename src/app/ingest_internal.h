#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rankme/app/ingest.h"
#include "rankme/store/catalog.h"

namespace rankme::app {

/// One file group of one checkpoint that must be read.
struct IngestWork {
  std::int64_t checkpoint_id = 0;
  std::string source;                         ///< JSON list of the paths
  std::vector<std::string> paths;             ///< shards in rank order
  std::string tensor_hint;                    ///< discovery's tensor name; "" = all inside
  std::string label;                          ///< "run/checkpoint" for progress lines
  std::vector<store::StoredTensor> previous;  ///< rows stored for this source before
};

/// What a worker found for one IngestWork; written by the single writer.
struct IngestOutcome {
  std::string kind;  ///< ok | touched | failed | not_ready
  std::vector<store::StoredTensor> tensors;
  std::vector<store::ScoreRow> scores;
  std::vector<store::SpectrumRow> spectra;
  std::int64_t reused = 0;  ///< tensors whose score already existed
  bool read = false;        ///< bytes were read
};

/// Canonical JSON of the settings that identify a RankMe score.
std::string RankmeSettingsKey(const metrics::RankmeOptions& options);
/// Canonical JSON of which rows a spectrum covers.
std::string SpectrumSampleKey(const metrics::RankmeOptions& options);
/// Canonical JSON of the settings that identify a score of `metric` (a catalog name): the rows,
/// the engine's version and the metric's own conventions (eps, centring, fit range, δ).
std::string MetricSettingsKey(std::string_view metric, const metrics::RankmeOptions& options);
/// The metrics computed from a matrix's spectra (every catalog metric but LiDAR).
std::vector<std::string_view> SpectrumMetricNames();
/// Whether every spectrum metric of (hash, tensor) is stored with the current settings.
bool SpectrumScoresStored(store::Catalog& catalog, const std::string& hash,
                          const std::string& tensor, const metrics::RankmeOptions& options);
/// A tensor named `<name>_views`: n × q × D views of n samples, scored by LiDAR (of `<name>`),
/// never as a plain matrix.
bool IsViewsTensor(std::string_view tensor);
/// Whether every score a tensor gets (its spectrum metrics, or LiDAR for a views tensor) is stored
/// for (hash, tensor) with the current settings.
bool ScoresStored(store::Catalog& catalog, const std::string& hash, const std::string& tensor,
                  const metrics::RankmeOptions& options);
/// The score rows of RankMe and its sister metrics of one scored matrix (`dtype`: the file's).
std::vector<store::ScoreRow> SpectrumScoreRows(const std::string& hash, const std::string& tensor,
                                               const metrics::RankmeResult& result, DType dtype,
                                               const metrics::RankmeOptions& options,
                                               double seconds);

/// Reads, hashes and scores one work item. `catalog` is the worker's own read connection, used
/// to skip tensors already scored for the same content and settings. Never throws for bad
/// input: failures come back as an outcome.
IngestOutcome ProcessWork(const IngestWork& work, const IngestOptions& options,
                          store::Catalog& catalog);

}  // namespace rankme::app
