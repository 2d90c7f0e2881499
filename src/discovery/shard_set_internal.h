#pragma once

// Module-private: whether the per-rank shards found for one tensor of one checkpoint are all
// there. A checkpoint scored on some of its shards would be a number for part of the data, so a
// set with a piece missing is refused by name instead (DiscoveredTensorFile::incomplete).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace rankme::discovery::internal {

/// The files of one tensor of one checkpoint that share a path once their shard token is
/// removed.
struct ShardSet {
  std::string group;                                ///< that path, relative to the run
  std::vector<std::string> paths;                   ///< relative, in rank order
  std::vector<std::optional<std::int64_t>> ranks;   ///< per path; nullopt: no shard token
  std::vector<std::optional<std::int64_t>> counts;  ///< per path: the `-of-N` count, if any
};

/// The first rank of a complete set: 1 when the names count `-of-N` and none is rank 0
/// (`00001-of-00004`, as Hugging Face numbers them), else 0.
std::int64_t FirstShardRank(const ShardSet& set);

/// How many shards the set spans, from FirstShardRank to its highest rank (0 when no file of the
/// set has a rank).
std::int64_t ShardSpan(const ShardSet& set);

/// "" when the set is complete, else one line naming what is wrong: a rank missing, a rank
/// found twice, a file without a rank among shards, ranks beyond a declared count, counts that
/// disagree. The expected count is the `-of-N` one when the names declare it, else
/// `widest_in_run` (the largest ShardSpan of the same tensor over the run's checkpoints: a
/// checkpoint missing its last shard has fewer than the others) when larger than the set's own.
std::string ShardSetProblem(const ShardSet& set, std::int64_t widest_in_run);

}  // namespace rankme::discovery::internal
