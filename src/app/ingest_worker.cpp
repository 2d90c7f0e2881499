// Reading, hashing and scoring one file group of one checkpoint: the work ingest's workers do.
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <ctime>

#include "app/ingest_internal.h"
#include "app/json_text_internal.h"
#include "rankme/core/error.h"
#include "rankme/io/content_hash.h"
#include "rankme/io/embedding_reader.h"
#include "rankme/io/row_chain.h"
#include "rankme/io/tensor_listing.h"
#include "rankme/metrics/lidar.h"

namespace rankme::app {

namespace {

// The tensors of a file group that can be scored: every entry of rank >= 2. Shards must list
// the same tensors with the same trailing dims; the shard's rows add up.
std::vector<io::TensorEntry> ListGroup(const std::vector<std::string>& paths) {
  std::vector<io::TensorEntry> entries = io::ListTensors(paths.front());
  for (std::size_t i = 1; i < paths.size(); ++i) {
    const auto more = io::ListTensors(paths[i]);
    for (auto& entry : entries) {
      const auto match = std::find_if(more.begin(), more.end(),
                                      [&](const auto& m) { return m.name == entry.name; });
      if (match == more.end() || match->shape.size() != entry.shape.size() ||
          !std::equal(match->shape.begin() + 1, match->shape.end(), entry.shape.begin() + 1)) {
        throw FormatError(
            "shard does not hold tensor '" + entry.name + "' with the shape of " + paths.front(),
            paths[i]);
      }
      entry.shape[0] += match->shape[0];
      entry.bytes += match->bytes;
    }
  }
  std::erase_if(entries, [](const io::TensorEntry& e) { return e.shape.size() < 2; });
  return entries;
}

// Opens one tensor of a file group: a single file, or its shards' rows one after another.
std::unique_ptr<RowStream> OpenGroupTensor(const std::vector<std::string>& paths,
                                           const io::TensorEntry& whole,
                                           const io::StreamOptions& options) {
  auto spec_of = [&](const std::string& path) {
    return whole.name.empty() ? path : path + "#" + whole.name;
  };
  if (paths.size() == 1) return io::OpenEmbeddings(spec_of(paths.front()), options);
  MatrixInfo info;
  info.rows = whole.shape[0];
  info.cols = 1;
  for (std::size_t i = 1; i < whole.shape.size(); ++i) info.cols *= whole.shape[i];
  info.dtype = whole.dtype;
  info.shape = whole.shape;
  info.source = spec_of(paths.front()) + " (+" + std::to_string(paths.size() - 1) + " shards)";
  std::vector<io::RowPart> parts;
  for (const auto& path : paths) {
    // Keep the listing alive: FindTensorEntry returns a reference into it.
    const std::vector<io::TensorEntry> listing = io::ListTensors(path);
    const auto& entry = io::FindTensorEntry(listing, whole.name, path);
    parts.push_back({entry.shape[0], [spec = spec_of(path), options] {
                       return io::OpenEmbeddings(spec, options);
                     }});
  }
  return io::ConcatenateRows(std::move(info), std::move(parts));
}

// LiDAR of a views tensor (n × q × D...) into `outcome`: one score, under the views tensor's
// own name (ranking reads it as LiDAR of `<name>`).
void ScoreViews(const IngestWork& work, const io::TensorEntry& entry, const std::string& hash,
                const std::string& tensor, const IngestOptions& options, IngestOutcome& outcome) {
  if (entry.shape.size() < 3) {
    throw DataError(fmt::format("'{}' is named as a views tensor but has shape {}: expected n "
                                "samples × q views × D",
                                tensor, io::FormatShape(entry.shape)),
                    work.paths.front());
  }
  const auto start = std::chrono::steady_clock::now();
  io::StreamOptions stream_options = options.stream;
  stream_options.flatten = true;  // a row per sample: its q views, one after the other
  auto stream = OpenGroupTensor(work.paths, entry, stream_options);
  metrics::LidarOptions lidar;
  lidar.max_samples = options.rankme.max_samples;
  lidar.seed = options.rankme.seed;
  lidar.block_bytes = options.rankme.block_bytes;
  const metrics::LidarResult result = metrics::ComputeLidar(*stream, entry.shape[1], lidar);
  for (const std::string& warning : result.warnings) {
    outcome.warnings.push_back(tensor + ": " + warning);
  }
  store::ScoreRow score;
  score.content_hash = hash;
  score.tensor = tensor;
  score.metric = "lidar";
  score.settings_key = MetricSettingsKey("lidar", options.rankme);
  if (std::isfinite(result.value)) score.value = result.value;
  score.status = score.value ? "ok" : "degenerate";
  score.method = result.method;
  score.rows_used = result.samples;
  score.rows_total = result.samples_total;
  score.cols = result.cols;
  score.dtype = std::string(DTypeName(stream->info().dtype));
  score.eps = lidar.eps;
  score.max_samples = lidar.max_samples;
  score.subsample_seed = lidar.seed;
  score.algorithm_version = metrics::kLidarAlgorithmVersion;
  score.tool_version = RANKME_VERSION;
  score.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  outcome.scores.push_back(std::move(score));
  outcome.spectra.push_back({hash, tensor, "lidar_eigenvalues",
                             SpectrumSampleKey(options.rankme), result.eigenvalues});
}

double NowSeconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

IngestOutcome ProcessWork(const IngestWork& work, const IngestOptions& options,
                          store::Catalog& catalog) {
  IngestOutcome outcome;
  std::string stat_before;
  store::StoredTensor base;
  base.checkpoint_id = work.checkpoint_id;
  base.source = work.source;
  base.files_json = work.source;
  std::int64_t previous_attempts = 0;
  for (const auto& p : work.previous) previous_attempts = std::max(previous_attempts, p.attempts);

  // Modified less than settle_seconds ago: possibly still being written.
  auto is_fresh = [&] {
    double newest = 0;
    try {
      newest = io::NewestMtimeSeconds(work.paths);
    } catch (const Error&) {
    }
    return NowSeconds() - newest < options.settle_seconds;
  };
  auto fail = [&](const Error& e, bool changed_while_reading) {
    const bool fresh = is_fresh();
    store::StoredTensor row = base;
    row.tensor = "";
    row.status = (changed_while_reading || fresh) ? "not_ready" : "failed";
    row.error_kind = row.status == "not_ready" ? "not_ready" : e.kind();
    row.error_message = e.what();
    row.attempts = previous_attempts + 1;
    outcome.kind = row.status;
    outcome.tensors = {row};
    outcome.scores.clear();
    outcome.spectra.clear();
    return outcome;
  };

  try {
    stat_before = io::StatKey(work.paths);
    base.stat_key = stat_before;
    // Shards with a piece missing would score part of the rows as if they were all of them.
    if (!work.incomplete.empty()) throw DataError(work.incomplete, work.paths.front());
    outcome.read = true;
    const std::string hash = io::HashFiles(work.paths);
    base.content_hash = hash;

    // Which tensors the group holds, and under which names they are stored.
    const std::vector<io::TensorEntry> entries = ListGroup(work.paths);
    if (entries.empty()) throw DataError("holds no 2-D (or larger) tensor", work.paths.front());
    const std::string sample_key = SpectrumSampleKey(options.rankme);
    bool any_scored = false;
    for (const io::TensorEntry& entry : entries) {
      store::StoredTensor row = base;
      // A bare array takes its name from the file (discovery's hint), else "embeddings".
      row.tensor = entry.name.empty() ? (work.tensor_hint.empty() ? "embeddings" : work.tensor_hint)
                                      : entry.name;
      if (entries.size() == 1 && !work.tensor_hint.empty() && !entry.name.empty() &&
          work.tensor_hint != entry.name && work.paths.size() == 1) {
        row.tensor = work.tensor_hint;  // embeddings.pt holding {"feats": ...} is "embeddings"
      }
      std::vector<std::string> files;
      for (const auto& path : work.paths)
        files.push_back(entry.name.empty() ? path : path + "#" + entry.name);
      row.files_json = internal::JsonNameList(files);
      row.rows = entry.shape[0];
      std::int64_t cols = 1;
      for (std::size_t i = 1; i < entry.shape.size(); ++i) cols *= entry.shape[i];
      row.cols = cols;
      row.dtype = std::string(DTypeName(entry.dtype));
      const bool selected = options.tensors.empty() ||
                            std::find(options.tensors.begin(), options.tensors.end(), row.tensor) !=
                                options.tensors.end();
      if (selected && !ScoresStored(catalog, hash, row.tensor, options.rankme)) {
        try {
          const auto start = std::chrono::steady_clock::now();
          if (IsViewsTensor(row.tensor)) {
            ScoreViews(work, entry, hash, row.tensor, options, outcome);
            any_scored = true;
            outcome.tensors.push_back(std::move(row));
            continue;
          }
          auto stream = OpenGroupTensor(work.paths, entry, options.stream);
          const metrics::RankmeResult result = metrics::ComputeRankme(*stream, options.rankme);
          for (const std::string& warning : result.warnings) {
            outcome.warnings.push_back(row.tensor + ": " + warning);
          }
          const double seconds =
              std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
          for (store::ScoreRow& score : SpectrumScoreRows(hash, row.tensor, result,
                                                          stream->info().dtype, options.rankme,
                                                          seconds)) {
            outcome.scores.push_back(std::move(score));
          }
          outcome.spectra.push_back(
              {hash, row.tensor, "singular_values", sample_key, result.singular_values});
          if (result.centered.computed) {
            outcome.spectra.push_back({hash, row.tensor, "centered_singular_values", sample_key,
                                       result.centered.singular_values});
          }
          any_scored = true;
        } catch (const StoreError&) {
          throw;  // the database's problem, not the file's: the ingest stops with exit 3
        } catch (const Error& e) {
          // A file still being written has a complete header but short data, so it fails
          // here, not above: while it is fresh the whole source is not ready, as there.
          if (is_fresh()) return fail(e, false);
          // One bad tensor (NaN, refused shape) fails alone; the file's others still count.
          row.status = "failed";
          row.error_kind = e.kind();
          row.error_message = e.what();
          row.attempts = previous_attempts + 1;
        }
      } else if (selected) {
        ++outcome.reused;
      }
      outcome.tensors.push_back(std::move(row));
    }
    if (io::StatKey(work.paths) != stat_before) {
      return fail(IoError("changed while being read", work.paths.front()), true);
    }
    const bool any_failed = std::any_of(outcome.tensors.begin(), outcome.tensors.end(),
                                        [](const auto& t) { return t.status != "ok"; });
    outcome.kind = any_failed ? "failed" : (any_scored ? "ok" : "touched");
    return outcome;
  } catch (const StoreError&) {
    throw;
  } catch (const Error& e) {
    bool changed = false;
    try {
      changed = !stat_before.empty() && io::StatKey(work.paths) != stat_before;
    } catch (const Error&) {
      changed = true;  // vanished while being read
    }
    return fail(e, changed);
  }
}

}  // namespace rankme::app
