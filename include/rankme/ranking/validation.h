#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "rankme/core/records.h"
#include "rankme/ranking/leaderboard.h"

namespace rankme::ranking {

/// A configuration's label-free mean beside its label-based value.
struct LabelledConfiguration {
  std::size_t index = 0;  ///< into Leaderboard::configurations
  std::string config_id;
  std::string group;
  std::optional<double> metric;  ///< label-free mean over seeds (empty when no seed has one)
  std::optional<double> label;   ///< label-based mean over the seeds that have one
  std::size_t label_runs = 0;    ///< how many seeds the label mean is over
};

/// How well the label-free ranking of a set of configurations agrees with the labels.
struct Agreement {
  std::string group;                 ///< the `within` value (JSON literal); "" for the overall line
  std::size_t n = 0;                 ///< configurations with both values
  std::optional<double> spearman;    ///< rho over those configurations (average ranks for ties)
  std::optional<double> kendall;     ///< tau-b over those configurations
  std::string pick;                  ///< config_id with the best label-free mean
  std::optional<double> pick_label;  ///< its label-based value (empty when it has none)
  std::string label_best;            ///< config_id with the best label-based value
  std::optional<double> label_best_value;
  /// label_best_value − pick_label (for a label where higher is better): what choosing without
  /// labels costs. Empty when the pick has no label-based value.
  std::optional<double> regret;
};

struct Validation {
  std::string label;  ///< name of the label-based number, e.g. linear_probe_acc
  std::vector<LabelledConfiguration> configurations;
  Agreement overall;              ///< every configuration, ignoring `within`
  std::vector<Agreement> groups;  ///< one per `within` group (empty without within)
  std::vector<std::string> notes;
};

/// Compares `board` with the label-based numbers `labels` (all of one name). A run's
/// label-based value follows the board's checkpoint policy applied to its labelled checkpoints
/// (`checkpoints` gives their order); a run-level label is used as is when the run has no
/// labelled checkpoint. A configuration's value is the mean over its seeds that have one.
/// Labels are taken as higher-is-better unless `label_higher_is_better` is false (then the
/// regret is pick − best).
Validation Validate(const Leaderboard& board, const std::vector<LabelValue>& labels,
                    const std::vector<CheckpointRecord>& checkpoints,
                    bool label_higher_is_better = true);

}  // namespace rankme::ranking
