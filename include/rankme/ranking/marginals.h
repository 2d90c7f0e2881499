#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "rankme/ranking/leaderboard.h"

namespace rankme::ranking {

/// The score of the configurations sharing one value of one hyperparameter: what a slice plot
/// shows, as numbers. Each configuration counts once (its mean over seeds), so configurations
/// with more seeds do not weigh more.
struct MarginalRow {
  std::string group;  ///< the `within` value (JSON literal), "" without
  std::string key;
  std::string value;               ///< JSON literal
  std::size_t configurations = 0;  ///< with a value
  std::size_t runs = 0;            ///< runs with a value, over those configurations
  double mean = 0;                 ///< mean of the configurations' means
  double best = 0;                 ///< the best configuration mean (by the metric's direction)
};

/// For each group, each varying key and each of its values (configurations lacking the key are
/// left out of that key's rows), in group, key and value order. Configurations without a value
/// are left out.
std::vector<MarginalRow> Marginals(const Leaderboard& board);

}  // namespace rankme::ranking
