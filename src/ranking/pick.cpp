#include "rankme/ranking/pick.h"

#include <cmath>

namespace rankme::ranking {

std::vector<Pick> PickBest(const Leaderboard& board) {
  std::vector<Pick> picks;
  for (const std::string& group : board.groups) {
    Pick pick;
    pick.group = group;
    for (std::size_t i = 0; i < board.configurations.size(); ++i) {
      const ConfigurationRow& row = board.configurations[i];
      if (row.group != group || row.summary.n == 0) continue;
      if (!pick.best) {
        pick.best = i;
      } else if (!pick.runner_up) {
        pick.runner_up = i;
      }
    }
    if (pick.best && pick.runner_up) {
      const ConfigurationRow& first = board.configurations[*pick.best];
      const ConfigurationRow& second = board.configurations[*pick.runner_up];
      const Summary& a = first.summary;
      const Summary& b = second.summary;
      // In goodness: for alpha_req, 1.02 against 0.97 is a margin of 0.01 towards the target.
      pick.margin = std::fabs(first.goodness - second.goodness);
      pick.tied = first.goodness == second.goodness;
      if (a.std && b.std) {
        pick.within_spread = *pick.margin <= *a.std + *b.std;
        const double pooled = std::sqrt((*a.std * *a.std + *b.std * *b.std) / 2);
        if (pooled > 0) pick.margin_in_stds = *pick.margin / pooled;
      }
    }
    picks.push_back(pick);
  }
  return picks;
}

std::string PickedConfig(const Leaderboard& board, const std::vector<Pick>& picks,
                         const std::string& group) {
  for (const Pick& pick : picks) {
    if (pick.group == group && pick.best) return board.configurations[*pick.best].config_id;
  }
  return "";
}

}  // namespace rankme::ranking
