#include <algorithm>
#include <utility>

#include "discovery/shard_set_internal.h"

namespace rankme::discovery::internal {
namespace {

/// At most this many rank ranges are written in a message (a hostile name can claim rank 10^12).
constexpr std::size_t kShownRanges = 8;

using Range = std::pair<std::int64_t, std::int64_t>;  // [first, last]

std::string RangeText(const std::vector<Range>& ranges) {
  std::string out;
  for (std::size_t i = 0; i < ranges.size() && i < kShownRanges; ++i) {
    if (!out.empty()) out += ", ";
    out += std::to_string(ranges[i].first);
    if (ranges[i].second > ranges[i].first) {
      out +=
          (ranges[i].second == ranges[i].first + 1 ? ", " : "-") + std::to_string(ranges[i].second);
    }
  }
  if (ranges.size() > kShownRanges) out += ", ...";
  return out;
}

/// Sorted, distinct ranks as ranges of consecutive values.
std::vector<Range> ToRanges(const std::vector<std::int64_t>& ranks) {
  std::vector<Range> ranges;
  for (const std::int64_t rank : ranks) {
    if (!ranges.empty() && ranges.back().second < INT64_MAX && rank == ranges.back().second + 1) {
      ranges.back().second = rank;
    } else {
      ranges.emplace_back(rank, rank);
    }
  }
  return ranges;
}

/// The ranks of [first, first + count) that `found` (sorted, distinct) lacks.
std::vector<Range> MissingRanks(const std::vector<std::int64_t>& found, std::int64_t first,
                                std::int64_t count) {
  std::vector<Range> missing;
  if (count <= 0) return missing;
  const std::int64_t last = count - 1 > INT64_MAX - first ? INT64_MAX : first + count - 1;
  std::int64_t next = first;  // the lowest rank not yet accounted for
  for (const std::int64_t rank : found) {
    if (rank < next) continue;
    if (rank > last) break;
    if (rank > next) missing.emplace_back(next, rank - 1);
    if (rank == last) return missing;
    next = rank + 1;
  }
  missing.emplace_back(next, last);
  return missing;
}

std::string Plural(std::size_t count, const char* one, const char* many) {
  return count == 1 ? one : many;
}

}  // namespace

std::int64_t FirstShardRank(const ShardSet& set) {
  bool counted = false;
  for (std::size_t i = 0; i < set.ranks.size(); ++i) {
    if (set.ranks[i] == 0) return 0;
    counted |= set.counts[i].has_value();
  }
  return counted ? 1 : 0;
}

std::int64_t ShardSpan(const ShardSet& set) {
  std::optional<std::int64_t> highest;
  for (const auto& rank : set.ranks) {
    if (rank && (!highest || *rank > *highest)) highest = rank;
  }
  if (!highest) return 0;
  const std::int64_t first = FirstShardRank(set);
  if (*highest < first) return 0;
  return *highest - first == INT64_MAX ? INT64_MAX : *highest - first + 1;
}

std::string ShardSetProblem(const ShardSet& set, std::int64_t widest_in_run) {
  const std::string& group = set.group;
  // A file without a shard token beside files with one: not a piece of the same set, or a
  // piece whose rank is unknown; either way its rows cannot be placed.
  for (std::size_t i = 0; i < set.paths.size(); ++i) {
    if (set.ranks[i]) continue;
    for (std::size_t j = 0; j < set.paths.size(); ++j) {
      if (set.ranks[j]) {
        return "shards of " + group + ": " + set.paths[i] + " has no shard rank beside " +
               set.paths[j];
      }
    }
  }
  std::optional<std::int64_t> declared;
  for (std::size_t i = 0; i < set.paths.size(); ++i) {
    if (!set.counts[i]) continue;
    if (declared && *declared != *set.counts[i]) {
      return "shards of " + group + " declare different counts (" + std::to_string(*declared) +
             " and " + std::to_string(*set.counts[i]) + ", at " + set.paths[i] + ")";
    }
    declared = set.counts[i];
  }
  // Sorted by rank, a repeat is next to its twin.
  std::vector<std::pair<std::int64_t, std::size_t>> by_rank;
  for (std::size_t i = 0; i < set.paths.size(); ++i) {
    if (set.ranks[i]) by_rank.emplace_back(*set.ranks[i], i);
  }
  std::sort(by_rank.begin(), by_rank.end());
  std::vector<std::int64_t> found;
  for (std::size_t k = 0; k < by_rank.size(); ++k) {
    if (k > 0 && by_rank[k].first == by_rank[k - 1].first) {
      return "shard rank " + std::to_string(by_rank[k].first) + " of " + group +
             " appears twice (" + set.paths[by_rank[k - 1].second] + " and " +
             set.paths[by_rank[k].second] + ")";
    }
    found.push_back(by_rank[k].first);
  }
  if (found.empty()) return "";
  const std::int64_t first = FirstShardRank(set);
  std::string expected;
  std::int64_t count = ShardSpan(set);
  if (declared) {
    const std::int64_t last = *declared - 1 + first;
    if (found.front() < first || found.back() > last) {
      const std::int64_t beyond = found.front() < first ? found.front() : found.back();
      return "shard rank " + std::to_string(beyond) + " of " + group + " is outside the " +
             std::to_string(*declared) + " shards its names declare (-of-" +
             std::to_string(*declared) + ")";
    }
    count = *declared;
    expected = "its names declare " + std::to_string(*declared);
  } else if (widest_in_run > count) {
    count = widest_in_run;
    expected = "another checkpoint of this run has " + std::to_string(widest_in_run);
  }
  const std::vector<Range> missing = MissingRanks(found, first, count);
  if (missing.empty()) return "";
  const bool one = missing.size() == 1 && missing[0].first == missing[0].second;
  std::string out = std::string(one ? "shard rank " : "shard ranks ") + RangeText(missing) +
                    " of " + group + (one ? " is" : " are") + " missing (found " +
                    Plural(found.size(), "rank ", "ranks ") + RangeText(ToRanges(found));
  if (!expected.empty()) out += "; " + expected;
  return out + "): the checkpoint is not scored on part of its rows";
}

}  // namespace rankme::discovery::internal
