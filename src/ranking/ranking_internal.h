#pragma once

#include <map>
#include <string>
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

/// Every present run's checkpoints for `tensor` and the policy's value, keyed by run_id.
std::map<std::int64_t, RunValue> RunValues(const RankingInput& input, const std::string& tensor,
                                           const Comparison& comparison,
                                           const CheckpointPolicy& policy, bool higher_is_better);

}  // namespace rankme::ranking
