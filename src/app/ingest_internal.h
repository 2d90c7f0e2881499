#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/metric_scores_internal.h"
#include "rankme/app/ingest.h"
#include "rankme/store/catalog.h"

namespace rankme::app {

/// One file group of one checkpoint that must be read.
struct IngestWork {
  std::int64_t checkpoint_id = 0;
  std::string source;              ///< JSON list of the paths
  std::vector<std::string> paths;  ///< shards in rank order
  std::string tensor_hint;         ///< discovery's tensor name; "" = all inside
  std::string label;               ///< "run/checkpoint" for progress lines
  std::string incomplete;  ///< discovery's reason the shards are not whole; "" when they are
  std::vector<store::StoredTensor> previous;  ///< rows stored for this source before
};

/// What a worker found for one IngestWork; written by the single writer.
struct IngestOutcome {
  std::string kind;  ///< ok | touched | failed | not_ready
  std::vector<store::StoredTensor> tensors;
  std::vector<store::ScoreRow> scores;
  std::vector<store::SpectrumRow> spectra;
  std::vector<std::string> warnings;  ///< "tensor: message" from the engine, never fatal
  std::int64_t reused = 0;            ///< tensors whose score already existed
  bool read = false;                  ///< bytes were read
};

/// Reads, hashes and scores one work item. `catalog` is the worker's own read connection, used
/// to skip tensors already scored for the same content and settings. Never throws for bad
/// input: failures come back as an outcome.
IngestOutcome ProcessWork(const IngestWork& work, const IngestOptions& options,
                          store::Catalog& catalog);

}  // namespace rankme::app
