#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "rankme/discovery/sweep.h"
#include "rankme/io/tensor_stream.h"
#include "rankme/metrics/rankme.h"

namespace rankme::app {

/// Settings of `rankme ingest`.
struct IngestOptions {
  std::vector<std::string> roots;  ///< sweep folders
  std::string db_path;             ///< database file (created when missing)
  discovery::DiscoveryOptions discovery;
  std::vector<std::string> tensors;  ///< tensor names to score; empty = every tensor found
  metrics::RankmeOptions rankme;     ///< eps, max_samples, seed (method stays auto)
  io::StreamOptions stream;          ///< flatten
  int jobs = 0;                      ///< scoring workers; 0 = one per core
  /// A file that fails to read and was modified less than this many seconds ago (or changes
  /// while being read) is "not ready" — still being written — rather than failed.
  double settle_seconds = 30;
};

/// What one ingest did, for the summary line and for tests.
struct IngestSummary {
  std::int64_t sweeps = 0, runs = 0, configurations = 0, checkpoints = 0;
  std::int64_t sources = 0;    ///< file groups (a file, or a checkpoint's shards)
  std::int64_t unchanged = 0;  ///< sources skipped without reading a byte
  std::int64_t touched = 0;    ///< sources read, found byte-identical, not rescored
  std::int64_t scored = 0;     ///< tensors scored now
  /// Of those, how many each tier scored ("gram32", "gram64", "qr"), in name order.
  std::map<std::string, std::int64_t> scored_by_method;
  std::int64_t reused = 0;  ///< tensors whose score for this content and settings existed
  std::int64_t failed = 0, not_ready = 0, missing = 0;
  std::int64_t files_read = 0;  ///< sources whose bytes were read
  double seconds = 0;
  std::vector<std::string> warnings;  ///< discovery warnings and failures, one line each
  std::vector<std::string> notes;     ///< how hyperparameters were named, where that needs saying
  /// The observer asked to stop (IngestObserver::StopRequested): the work in flight was
  /// finished and committed, the rest left for the next ingest.
  bool stopped = false;
};

/// Progress reports from Ingest, called on the calling thread.
class IngestObserver {
 public:
  virtual ~IngestObserver() = default;
  /// Discovery done: `total` sources need reading (the others are unchanged).
  virtual void OnPlan(const std::string& root, std::int64_t total, std::int64_t unchanged) = 0;
  /// One source finished; `outcome` is ok | touched | failed | not_ready.
  virtual void OnSource(std::int64_t done, std::int64_t total, const std::string& label,
                        const std::string& outcome) = 0;
  /// Polled on the calling thread while workers score (after each commit, and at least every
  /// 100 ms): true stops handing out work; what the workers are scoring is finished and
  /// committed, nothing more is read, and Ingest returns with IngestSummary::stopped (e.g.
  /// Ctrl-C in Python).
  virtual bool StopRequested() { return false; }
};

/// Discovers every sweep in options.roots, stores runs, configurations and checkpoints, and
/// scores every tensor whose content and settings have no score yet: with `jobs` workers (BLAS
/// single-threaded each when jobs > 1, so threads never exceed cores) and one writer committing
/// results in small transactions. Idempotent and resumable: an interrupted ingest leaves a
/// consistent database and the next one completes the work. One bad file never stops the
/// sweep; it is stored with its reason and retried next time. Throws only for a database
/// problem (StoreError), an unreadable root (IoError) or a bad layout file (ConfigError).
IngestSummary Ingest(const IngestOptions& options, IngestObserver* observer = nullptr);

/// `rankme ingest --json`: the summary's counts, scored_by_method, seconds and warnings, with
/// the database path, as one JSON document.
std::string RenderIngestJson(const IngestSummary& summary, const std::string& db_path);

}  // namespace rankme::app
