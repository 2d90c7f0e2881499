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
  std::optional<double> margin;          ///< |best mean − runner-up mean|
  /// The margin is within the seed spread when the two mean ± std intervals overlap, i.e.
  /// margin <= std(best) + std(runner-up). Empty when either has fewer than two seeds.
  std::optional<bool> within_spread;
  /// The margin in seed-stds: margin / sqrt((std(best)² + std(runner-up)²) / 2). Empty when
  /// either has fewer than two seeds or both stds are 0.
  std::optional<double> margin_in_stds;
  bool tied = false;  ///< the runner-up has the same mean (the pick is by config_id order)
};

/// One pick per group of `board`, in group order. A group whose configurations have no value
/// gets a Pick without `best`.
std::vector<Pick> PickBest(const Leaderboard& board);

/// The picked config_id of `group` in `picks`, or "" when none.
std::string PickedConfig(const Leaderboard& board, const std::vector<Pick>& picks,
                         const std::string& group);

}  // namespace rankme::ranking
