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
  /// The board's goodness of `metric` (the value itself for higher-is-better metrics): what the
  /// correlations and the pick use.
  std::optional<double> goodness;
  std::optional<double> label;  ///< label-based mean over the seeds that have one
  std::size_t label_runs = 0;   ///< how many seeds the label mean is over
};

/// The rule that flags a signal as reversed in a group: Spearman's rho below kReversedRho over at
/// least kReversedMinConfigurations configurations. It describes these configurations, it does
/// not test a hypothesis: with 5 configurations whose ranks have nothing to do with the labels,
/// rho < -0.3 happens about one time in four; below 5, rho takes so few values (n = 3: -1, -0.5,
/// 0.5, 1) that any one ordering says little.
inline constexpr double kReversedRho = -0.3;
inline constexpr std::size_t kReversedMinConfigurations = 5;

/// How well the label-free ranking of a set of configurations agrees with the labels.
struct Agreement {
  std::string group;  ///< the `within` value (JSON literal); "" for the overall line
  std::size_t n = 0;  ///< configurations with both values
  /// rho of the label-free goodness and the label over those configurations (average ranks for
  /// ties): positive when the metric's notion of better agrees with the labels.
  std::optional<double> spearman;
  std::optional<double> kendall;  ///< tau-b of the same pairs
  /// rho < kReversedRho over n >= kReversedMinConfigurations: the metric's assumed direction
  /// disagrees with the labels here.
  bool reversed = false;
  std::string pick;                  ///< config_id with the best label-free mean (by goodness)
  std::optional<double> pick_label;  ///< its label-based value (empty when it has none)
  std::string label_best;            ///< config_id with the best label-based value
  std::optional<double> label_best_value;
  /// label_best_value − pick_label (for a label where higher is better): what choosing without
  /// labels costs. Empty when the pick has no label-based value.
  std::optional<double> regret;
};

struct Validation {
  std::string label;  ///< name of the label-based number, e.g. linear_probe_acc
  ValueOrder order;   ///< the board's: how its values became goodness
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
/// regret is pick − best). The label-free side is the goodness of each configuration's mean
/// under the board's order (for alpha_req −|mean − target|), so that correlations and the pick
/// follow the metric's direction.
Validation Validate(const Leaderboard& board, const std::vector<LabelValue>& labels,
                    const std::vector<CheckpointRecord>& checkpoints,
                    bool label_higher_is_better = true);

}  // namespace rankme::ranking
