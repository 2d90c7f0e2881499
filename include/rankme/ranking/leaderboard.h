#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rankme/core/records.h"
#include "rankme/ranking/checkpoint_policy.h"
#include "rankme/ranking/statistics.h"
#include "rankme/ranking/value_order.h"

namespace rankme::ranking {

/// One stored score of one tensor of one checkpoint, reduced to what ranking reads of it. The
/// scoring settings are an index into RankingInput::settings_keys: a sweep has a handful of
/// settings and 100,000 scores.
struct RankingScore {
  std::int64_t run_id = 0;
  std::int64_t checkpoint_id = 0;
  std::string checkpoint;  ///< checkpoint name
  std::optional<std::int64_t> step, epoch;
  std::int64_t position = 0;  ///< order within the run
  std::string tensor;
  std::optional<double> value;  ///< empty when the matrix was degenerate
  bool degenerate = false;      ///< stored with status "degenerate" (an all-zero matrix)
  std::int64_t rows_used = 0, cols = 0;
  std::size_t settings = 0;  ///< index into RankingInput::settings_keys
};

/// What ranking reads: every run, every score of one metric, every tensor without a score.
struct RankingInput {
  std::string metric = "rankme";  ///< a name of AllMetrics(); its direction orders the values
  std::vector<RunRecord> runs;
  /// The distinct scoring settings (canonical JSON) of `scores`, each once (see AddSettings).
  std::vector<std::string> settings_keys;
  std::vector<RankingScore> scores;  ///< of `metric`, any settings, any order
  std::vector<UnscoredTensor> unscored;
  /// Every tensor with scores of `metric` in the database, and how many each has; empty:
  /// counted from `scores`. Lets the caller load only the scores of the tensor being ranked (see
  /// ChooseTensor). The counts only decide between several tensors when none is asked for and
  /// none is embeddings: otherwise a caller may leave them 0 rather than count.
  std::map<std::string, std::int64_t> tensor_counts;

  /// The index of `settings_key` in settings_keys, appending it when new.
  std::size_t AddSettings(std::string_view settings_key);
};

/// How to rank. Defaults are what `rankme leaderboard` does without flags.
struct RankingOptions {
  /// Tensor to rank; empty: `embeddings` when any run has it (as the paper does), else the
  /// tensor with the most scores.
  std::string tensor;
  CheckpointPolicy checkpoint;  ///< default: last
  /// Hyperparameter whose values are ranked separately (e.g. method), by its name or as a
  /// config wrote it (see HyperparameterName); empty: one ranking.
  std::string within;
  /// A configuration is flagged collapsed when its mean RankMe is below this fraction of
  /// min(rows, D), the largest value RankMe can take. Only for rankme and rankme_centered (the
  /// other metrics have other ceilings, or none: alpha_req).
  double collapse_fraction = 0.01;
  /// The target of a closer-to-target metric (alpha_req; `--alpha-target`); empty: the
  /// metric's default (1). Ignored by the other metrics.
  std::optional<double> target;
  /// Keys (last dotted component) that name the training method, for the mixed-methods note.
  std::vector<std::string> method_keys = {"method", "algorithm", "ssl_method"};
};

/// One run's value under the policy.
struct RunValue {
  std::int64_t run_id = 0;
  std::string run;  ///< name
  std::string path;
  std::optional<std::string> seed;
  std::optional<double> value;  ///< set only when status is kOk
  ValueStatus status = ValueStatus::kNotScored;
  std::string reason;                    ///< why there is no value
  std::vector<SeriesPoint> checkpoints;  ///< the run's checkpoints for the tensor, in order
  std::vector<std::size_t> used;         ///< indices into checkpoints behind value (or status)
  /// Files of the used checkpoints (JSON lists as stored); filled by the caller on demand
  /// (app::FillFiles), since ranking needs none of them.
  std::vector<std::string> files;
  std::int64_t rows = 0, cols = 0;  ///< N and D of the used checkpoints (0 when none)
  bool any_failed = false;          ///< some checkpoint of the run could not be read or scored
  bool any_diverged = false;        ///< some checkpoint held NaN/Inf
};

/// Flags shown next to a configuration.
struct ConfigurationFlags {
  /// rankme, rankme_centered: mean below collapse_fraction × min(N, D); any metric: a seed's
  /// matrix was all-zero (no value)
  bool collapsed = false;
  bool diverged = false;    ///< a checkpoint held non-finite values
  bool incomplete = false;  ///< fewer seeds with a value than the most any sibling has
  bool failed = false;      ///< a checkpoint could not be read or scored
  bool mixed = false;       ///< its runs differ in D, or some were scored under other settings
  /// The names of the set flags, in the order above, e.g. {"collapsed", "incomplete"}.
  std::vector<std::string> Names() const;
};

/// One configuration (the seeds of one set of hyperparameters) and its aggregate.
struct ConfigurationRow {
  std::string config_id;
  std::map<std::string, std::string> hyperparameters;  ///< every key → JSON literal
  std::string group;  ///< value of the `within` key as JSON literal ("" without within)
  Summary summary;    ///< over the runs with a value
  /// Leaderboard::order's goodness of summary.mean (larger is better): what ranks and picks
  /// compare. The mean itself for higher-is-better metrics; 0 when n = 0.
  double goodness = 0;
  std::optional<int> rank;  ///< 1-based within its group; ties share the better rank; empty: n = 0
  ConfigurationFlags flags;
  std::vector<std::string> flag_reasons;  ///< one sentence per set flag
  std::vector<RunValue> runs;             ///< every run, in name order
  std::int64_t rows = 0, cols = 0;        ///< N and D (of its first run with a value)
};

/// The ranked configurations and what was assumed to rank them.
struct Leaderboard {
  std::string metric;
  std::string tensor;
  bool tensor_defaulted = false;     ///< the tensor was not asked for
  std::vector<std::string> tensors;  ///< every tensor with scores of the metric
  CheckpointPolicy checkpoint;
  std::string within;
  std::string settings_key;  ///< the scoring settings compared (see notes when several exist)
  std::int64_t rows = 0;     ///< the row count (N) compared
  /// Hyperparameters (names across the sweep) whose value differs within some group, any needed
  /// to tell two configurations of a group apart, and the `within` key when there are several
  /// groups (shown as the group): the columns shown.
  std::vector<std::string> varying_keys;
  /// Hyperparameters constant within each group wherever written but missing from some of its
  /// configurations (one layout writes them, another does not): not shown, named in the notes.
  std::vector<std::string> hidden_keys;
  /// Keys as the configs wrote them → their names, where the two differ ("optim.lr" → "lr").
  std::map<std::string, std::string> written_keys;
  std::vector<std::string> groups;               ///< values of `within`, in display order
  std::vector<ConfigurationRow> configurations;  ///< by group, then rank (unranked last)
  std::vector<std::string> notes;                ///< assumptions and guards, for stderr
  ValueOrder order;  ///< the metric's direction (and target): how configurations are ordered

  /// Rows of one group, in rank order.
  std::vector<const ConfigurationRow*> Group(const std::string& group) const;
  /// The name of a hyperparameter given by its name or as a config wrote it (`loss.temperature`
  /// → `temperature`); `key` itself when it is neither.
  std::string KeyName(const std::string& key) const;
};

/// The tensor to rank given how many scores each has: `asked` when given (UsageError when it
/// has none), else embeddings when present, else the most scored; "" when nothing is scored.
std::string ChooseTensor(const std::map<std::string, std::int64_t>& counts,
                         const std::string& asked, const std::string& metric = "rankme");

/// Ranks the configurations of `input`. Scores under more than one (settings, row count) are
/// never averaged together: the most common pair is compared, runs scored only under others are
/// shown as incomparable, and a note says so. Configurations are ordered by the goodness of
/// their mean under the metric's direction (ValueOrder::Of). Throws UsageError when the metric,
/// the tensor or the `within` key does not exist.
Leaderboard BuildLeaderboard(const RankingInput& input, const RankingOptions& options);

/// One leaderboard per checkpoint policy in `policies`, each equal to BuildLeaderboard(input,
/// options with that policy), but the tensor, the compared settings and every run's
/// checkpoints are worked out once for all of them. With `others_keep_used_only`, the boards
/// after the first keep in each RunValue only the checkpoints its value came from (`used` then
/// counts 0, 1, ...): enough to pick from and show the picks, without a copy of every run's
/// checkpoints per board.
std::vector<Leaderboard> BuildLeaderboards(const RankingInput& input, const RankingOptions& options,
                                           const std::vector<CheckpointPolicy>& policies,
                                           bool others_keep_used_only = false);

/// The name under which `key` is ranked: `key` itself when some run has a hyperparameter of that
/// name, else the name of the hyperparameter some config writes as `key` (`loss.temperature` →
/// `temperature`), else `key` unchanged.
std::string HyperparameterName(const std::vector<RunRecord>& runs, const std::string& key);

/// A JSON literal for people: strings lose their quotes ("vicreg" → vicreg), others stay.
std::string DisplayValue(const std::string& json_literal);

}  // namespace rankme::ranking
