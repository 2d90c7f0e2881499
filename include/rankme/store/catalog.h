#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rankme/core/records.h"
#include "rankme/store/database.h"

namespace rankme::store {

/// A run as ingest writes it.
struct RunUpsert {
  std::string path;  ///< absolute run folder: the run's identity
  std::string name;  ///< relative to the sweep root
  std::string layout;
  std::string config_id;
  std::string config_key;
  std::optional<std::string> seed;
  std::string config_json;  ///< every flattened key → JSON literal, as one JSON object
  struct Param {
    std::string key;  ///< as the config wrote it, flattened
    std::string value_json;
    std::string role;    ///< hyperparameter | seed | bookkeeping, as discovery decided
    std::string name{};  ///< the hyperparameter's name across its sweep; empty: the key
    bool swept = false;  ///< named in the run's overrides
  };
  std::vector<Param> params;
};

/// One row of `tensors`: the state of one matrix of one checkpoint.
struct StoredTensor {
  std::int64_t tensor_id = 0;  ///< 0 until stored
  std::int64_t checkpoint_id = 0;
  std::string source;  ///< JSON list of the files of the group (shards in rank order)
  std::string tensor;  ///< '' when the source could not be read far enough to name it
  std::string files_json;
  std::string stat_key;
  std::optional<std::string> content_hash;
  std::optional<std::int64_t> rows, cols;
  std::optional<std::string> dtype;
  std::string status = "ok";  ///< ok | failed | not_ready | missing
  std::optional<std::string> error_kind, error_message;
  std::int64_t attempts = 0;
};

/// One row of `scores`.
struct ScoreRow {
  std::string content_hash, tensor, metric, settings_key;
  std::optional<double> value;
  std::string status;  ///< ok | degenerate
  std::string method;
  double error_bound = 0;
  std::int64_t rows_used = 0, rows_total = 0, cols = 0;
  std::string dtype;
  double eps = 0;
  std::int64_t max_samples = 0;
  std::uint64_t subsample_seed = 0;
  int algorithm_version = 0;
  std::string tool_version;
  double seconds = 0;
  std::optional<double> r_squared;  ///< α-ReQ's fit (schema 5 on)
};

/// Singular values (or another spectrum kind) of a scored matrix.
struct SpectrumRow {
  std::string content_hash, tensor, kind, sample_key;
  std::vector<double> values;
};

/// A current score of one tensor of one checkpoint, as ranking reads it. The views point into
/// the database's buffers and are valid during the call that receives them only.
struct RankingScoreView {
  std::int64_t run_id = 0;
  std::int64_t checkpoint_id = 0;
  std::string_view checkpoint;  ///< checkpoint name
  std::optional<std::int64_t> step, epoch;
  std::int64_t position = 0;
  std::optional<double> value;  ///< empty when degenerate (or NaN, which SQLite stores as NULL)
  /// Stored with status "degenerate". From schema 4 on read as "no value", which ranking treats
  /// alike.
  bool degenerate = false;
  std::int64_t rows_used = 0, cols = 0;
  std::string_view settings_key;
};

/// Reads and writes of sweeps, runs, checkpoints, tensors, scores and spectra. Writes must run
/// inside a WriteTransaction; every value is a bound parameter.
class Catalog {
 public:
  explicit Catalog(Database& database) : database_(database) {}

  std::int64_t UpsertSweep(const std::string& root);
  /// Inserts or updates the run at run.path (and its configuration and params); returns run_id.
  std::int64_t UpsertRun(std::int64_t sweep_id, const RunUpsert& run);
  /// Deletes the configurations no run refers to (left when runs are keyed anew); returns how
  /// many.
  std::int64_t DeleteUnusedConfigurations();
  std::int64_t UpsertCheckpoint(std::int64_t run_id, const std::string& name,
                                std::optional<std::int64_t> step, std::optional<std::int64_t> epoch,
                                std::int64_t position);
  /// Rows of one source (file group) of one checkpoint.
  std::vector<StoredTensor> TensorsOfSource(std::int64_t checkpoint_id, const std::string& source);
  /// Makes `tensors` the rows of (checkpoint_id, source): updates by tensor name, inserts new
  /// ones, deletes the source's other rows.
  void ReplaceTensors(std::int64_t checkpoint_id, const std::string& source,
                      const std::vector<StoredTensor>& tensors);
  /// Marks runs of `sweep_id` not in `seen_runs`, and tensor rows of the sweep whose
  /// (checkpoint, source) is not in `seen_sources`, as missing. Returns how many tensor rows.
  std::int64_t MarkMissing(std::int64_t sweep_id, const std::vector<std::int64_t>& seen_runs,
                           const std::vector<std::pair<std::int64_t, std::string>>& seen_sources);

  bool HasScore(const std::string& content_hash, const std::string& tensor,
                const std::string& metric, const std::string& settings_key);
  /// Stores a score unless one with the same identity exists (never a duplicate).
  void SaveScore(const ScoreRow& score);
  void SaveSpectrum(const SpectrumRow& spectrum);
  std::optional<std::vector<double>> Spectrum(const std::string& content_hash,
                                              const std::string& tensor, const std::string& kind,
                                              const std::string& sample_key);

  /// Every run, ordered by configuration then name, with its hyperparameters as params holds
  /// them (by name; before schema 6, by key as written).
  std::vector<RunRecord> Runs();
  /// Every current score of `metric` (all metrics when empty), ordered by run and position.
  std::vector<CheckpointScore> Scores(const std::string& metric = "");
  /// Tensors whose status is not ok.
  std::vector<TensorFailure> Failures();

  // Reads for ranking and validation (src/store/catalog_ranking.cpp). One query each, no
  // ordering: ranking sorts in memory.

  /// Scores of `metric` per tensor name (how many), for choosing the tensor to rank. Reads every
  /// score of the metric.
  std::map<std::string, std::int64_t> ScoredTensors(const std::string& metric);
  /// The tensors with scores of `metric`, sorted: one index search per name from schema 3 on
  /// (before, the same as the keys of ScoredTensors()).
  std::vector<std::string> ScoredTensorNames(const std::string& metric);
  /// The metrics that have at least one score, in alphabetical order.
  std::vector<std::string> ScoredMetrics();
  /// Calls `visit` for every current score of `metric` and `tensor`: each ok row of `tensors`
  /// naming that tensor, with its checkpoint, once per score of its content. From schema 4 on
  /// one pass over ranking_points, ordered by run and position; before, tensors (with their
  /// checkpoints) and scores each read in one pass in content order and merged (ordered by
  /// content hash, checkpoint and settings), so that no score is searched for row by row.
  void VisitRankingScores(const std::string& metric, const std::string& tensor,
                          const std::function<void(const RankingScoreView&)>& visit);
  /// An upper bound of the number of rows of `tensors` (its largest tensor_id), found in one
  /// index search: a size hint for reading one row per tensor, such as VisitRankingScores.
  std::int64_t TensorRowsBound();
  /// The files (JSON list as stored) of `tensor` of each checkpoint in `checkpoint_ids`.
  std::map<std::int64_t, std::string> TensorFiles(const std::string& tensor,
                                                  const std::vector<std::int64_t>& checkpoint_ids);
  /// Every tensor of a checkpoint whose status is not ok, with the checkpoint's place in its run.
  std::vector<UnscoredTensor> UnscoredTensors();
  /// Every checkpoint of every run.
  std::vector<CheckpointRecord> Checkpoints();
  /// Stores label-based numbers, replacing a stored value with the same (run, checkpoint, name).
  /// Must run inside a WriteTransaction. Needs schema version 2.
  void SaveLabels(const std::vector<LabelValue>& labels);
  /// Stored label-based numbers called `name` (every name when empty). Empty when the schema
  /// predates labels.
  std::vector<LabelValue> Labels(const std::string& name = "");
  /// The flattened config of one run: key, JSON value, role, name and swept, by key (before
  /// schema 6 the name is the key and nothing is swept).
  std::vector<RunUpsert::Param> Params(std::int64_t run_id);
  /// Number of checkpoints of each run, by run_id.
  std::map<std::int64_t, std::int64_t> CheckpointCounts();

 private:
  Database& database_;
};

/// Current UTC time as ISO 8601 with milliseconds, e.g. 2026-11-26T09:30:00.123Z.
std::string NowUtc();

}  // namespace rankme::store
