#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "rankme/ranking/leaderboard.h"

namespace rankme::ranking {

/// The scoring settings and row count under which scores are compared.
struct Comparison {
  std::string settings_key;
  std::int64_t rows = 0;
  auto operator<=>(const Comparison&) const = default;
};

/// The tensor to rank: the asked one (UsageError when no score has it), else embeddings when
/// present, else the most scored. Adds a note saying which.
std::string ResolveTensor(const RankingInput& input, const RankingOptions& options,
                          Leaderboard& board);

/// The most common (settings, rows) among the scores of `tensor`; a note when there are several.
Comparison ResolveComparison(const RankingInput& input, const std::string& tensor,
                             Leaderboard& board);

/// One present run's checkpoints for the ranked tensor, in position order, one point per
/// checkpoint (the surest when several rows exist): what every checkpoint policy starts from.
struct RunSeries {
  const RunRecord* run = nullptr;  ///< into RankingInput::runs
  std::vector<SeriesPoint> points;
  /// N and D behind each point (0 for a checkpoint without a score).
  std::vector<std::pair<std::int64_t, std::int64_t>> dims;
};

/// The series of every present run of input.runs, in that order.
std::vector<RunSeries> BuildSeries(const RankingInput& input, const std::string& tensor,
                                   const Comparison& comparison);

/// Which of its series' points a RunValue keeps as its checkpoints.
enum class PointsKept {
  kCopy,  ///< a copy of every point
  kTake,  ///< every point, moved out of the series (which is then spent)
  kUsed,  ///< a copy of the points behind the value only; `used` renumbered 0, 1, ...
};

/// A run's value under `policy`, with the checkpoints `kept` says.
RunValue ValueOf(RunSeries& series, const CheckpointPolicy& policy, const ValueOrder& order,
                 PointsKept kept);

/// The hyperparameters a leaderboard shows, and those it hides.
struct ShownKeys {
  /// Keys with more than one value within some group, plus hidden ones needed to tell two
  /// configurations of a group apart; sorted.
  std::vector<std::string> varying;
  /// Keys constant within each group wherever written but missing from some configurations of
  /// a group (and not varying anywhere); sorted.
  std::vector<std::string> hidden;
  std::vector<std::string> hidden_values;  ///< the value of each hidden key, as displayed
};

/// The shown and hidden keys of `rows` (grouped by ConfigurationRow::group).
ShownKeys ChooseShownKeys(const std::vector<ConfigurationRow>& rows);

/// The note naming the hidden keys and their values; "" when none.
std::string HiddenKeysNote(const ShownKeys& keys);

}  // namespace rankme::ranking
