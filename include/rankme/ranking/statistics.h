#pragma once

#include <cstddef>
#include <optional>
#include <vector>

namespace rankme::ranking {

/// Mean, spread and extremes of the values of one configuration's seeds.
struct Summary {
  std::size_t n = 0;  ///< how many values
  double mean = 0;    ///< 0 when n = 0
  /// Sample standard deviation (divides by n - 1); empty when n < 2.
  std::optional<double> std;
  double min = 0, max = 0;  ///< 0 when n = 0
};

/// Summary of `values` (every value must be finite).
Summary Summarize(const std::vector<double>& values);

/// 1-based ranks of `values` in ascending order, tied values sharing the mean of their ranks
/// (e.g. {10, 20, 20, 30} → {1, 2.5, 2.5, 4}).
std::vector<double> AverageRanks(const std::vector<double>& values);

/// Spearman's rank correlation of paired samples: the Pearson correlation of their average
/// ranks. Empty when fewer than two pairs or when either side has no spread.
std::optional<double> SpearmanRho(const std::vector<double>& x, const std::vector<double>& y);

/// Kendall's tau-b of paired samples: (concordant - discordant) / sqrt((n0 - n1)(n0 - n2)),
/// n0 = n(n-1)/2, n1 and n2 the pairs tied in x and in y. Empty when fewer than two pairs or
/// when either side is all ties. O(n^2): meant for configurations, not for millions of points.
std::optional<double> KendallTauB(const std::vector<double>& x, const std::vector<double>& y);

}  // namespace rankme::ranking
