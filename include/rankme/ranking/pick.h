#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "rankme/ranking/leaderboard.h"

namespace rankme::ranking {

/// The configuration to pick in one group of a leaderboard, and how clear the choice is.
struct Pick {
  std::string group;                     ///< the `within` value (JSON literal), "" without
  std::optional<std::size_t> best;       ///< index into Leaderboard::configurations
  std::optional<std::size_t> runner_up;  ///< the next configuration with a value
  /// |goodness(best mean) − goodness(runner-up mean)| (ConfigurationRow::goodness): the
  /// difference of the means for higher-is-better metrics, of their distances to the target
  /// for closer-to-target ones.
  std::optional<double> margin;
  /// The margin is within the seed spread when margin <= std(best) + std(runner-up) (for
  /// higher-is-better metrics: the two mean ± std intervals overlap; goodness moves at most as
  /// fast as the value, so the seeds' std bounds its spread too). Empty when either has fewer
  /// than two seeds.
  std::optional<bool> within_spread;
  /// The margin in seed-stds: margin / sqrt((std(best)² + std(runner-up)²) / 2). Empty when
  /// either has fewer than two seeds or both stds are 0.
  std::optional<double> margin_in_stds;
  bool tied = false;  ///< the runner-up is as good (the pick is by config_id order)
};

/// One pick per group of `board`, in group order. A group whose configurations have no value
/// gets a Pick without `best`.
std::vector<Pick> PickBest(const Leaderboard& board);

/// The picked config_id of `group` in `picks`, or "" when none.
std::string PickedConfig(const Leaderboard& board, const std::vector<Pick>& picks,
                         const std::string& group);

}  // namespace rankme::ranking
