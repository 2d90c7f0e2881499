// From stored scores and failures to one value per run: which tensor and which scoring
// settings are compared, each run's checkpoints in order, and the checkpoint policy.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <unordered_map>

#include "ranking/ranking_internal.h"
#include "rankme/core/error.h"

namespace rankme::ranking {

std::string ChooseTensor(const std::map<std::string, std::int64_t>& counts,
                         const std::string& asked, const std::string& metric) {
  if (!asked.empty()) {
    if (counts.count(asked)) return asked;
    std::vector<std::string> names;
    for (const auto& [tensor, count] : counts) names.push_back(tensor);
    throw UsageError(
        fmt::format("no {} score of tensor '{}' (tensors scored: {})", metric, asked,
                    names.empty() ? "none" : fmt::format("{}", fmt::join(names, ", "))));
  }
  if (counts.empty()) return "";
  if (counts.count("embeddings")) return "embeddings";
  return std::max_element(counts.begin(), counts.end(),
                          [](const auto& a, const auto& b) { return a.second < b.second; })
      ->first;
}

std::string ResolveTensor(const RankingInput& input, const RankingOptions& options,
                          Leaderboard& board) {
  std::map<std::string, std::int64_t> counts = input.tensor_counts;
  if (counts.empty()) {
    for (const auto& s : input.scores) ++counts[s.tensor];
  }
  for (const auto& [tensor, count] : counts) board.tensors.push_back(tensor);
  const std::string chosen = ChooseTensor(counts, options.tensor, input.metric);
  if (!options.tensor.empty()) {
    board.notes.push_back(fmt::format("tensor: {}", chosen));
  } else if (chosen.empty()) {
    board.notes.push_back(fmt::format("no {} scores in the database", input.metric));
  } else {
    board.tensor_defaulted = true;
    board.notes.push_back(fmt::format(
        "tensor: {} (default{}; --tensor to change)", chosen,
        counts.size() > 1 ? fmt::format("; scored tensors: {}", fmt::join(board.tensors, ", "))
                          : ""));
  }
  return chosen;
}

Comparison ResolveComparison(const RankingInput& input, const std::string& tensor,
                             Leaderboard& board) {
  // Counted by settings index first (a sweep has a handful of (settings, rows) pairs and up to
  // 100,000 scores), then by settings text, so that equal keys stored twice count as one.
  struct Tally {
    std::size_t settings;
    std::int64_t rows;
    std::size_t count;
  };
  std::vector<Tally> tallies;
  for (const auto& s : input.scores) {
    if (s.tensor != tensor) continue;
    auto it = std::find_if(tallies.begin(), tallies.end(), [&](const Tally& t) {
      return t.settings == s.settings && t.rows == s.rows_used;
    });
    if (it == tallies.end()) {
      tallies.push_back({s.settings, s.rows_used, 1});
    } else {
      ++it->count;
    }
  }
  std::map<Comparison, std::size_t> counts;
  for (const Tally& t : tallies) counts[{input.settings_keys.at(t.settings), t.rows}] += t.count;
  if (counts.empty()) return {};
  const auto chosen =
      std::max_element(counts.begin(), counts.end(), [](const auto& a, const auto& b) {
        return a.second < b.second;
      })->first;
  if (counts.size() > 1) {
    std::vector<std::string> others;
    for (const auto& [c, n] : counts) {
      if (!(c == chosen))
        others.push_back(fmt::format("{} scores of {} rows with {}", n, c.rows, c.settings_key));
    }
    board.notes.push_back(fmt::format(
        "scores of '{}' were computed under {} different settings or row counts; only those of "
        "the most common ({} rows with {}) are compared, never averaged with: {}",
        tensor, counts.size(), chosen.rows, chosen.settings_key, fmt::join(others, "; ")));
  }
  return chosen;
}

namespace {

// How sure a point is, when a checkpoint has several rows for the tensor: a comparable score
// wins over a failure, a failure over a score under other settings, that over a pending file.
int Priority(ValueStatus status) {
  switch (status) {
    case ValueStatus::kOk:
    case ValueStatus::kDegenerate:
      return 0;
    case ValueStatus::kDiverged:
    case ValueStatus::kFailed:
      return 1;
    case ValueStatus::kIncomparable:
      return 2;
    default:
      return 3;
  }
}

// A row of the input that may become a point of its run: what ordering needs, and where the
// rest is. Points are only built (names and reasons copied) for the rows that win.
struct Candidate {
  std::int64_t position = 0;
  std::int64_t checkpoint_id = 0;
  std::uint32_t index = 0;  // into input.scores, or input.unscored when `unscored`
  ValueStatus status = ValueStatus::kOk;
  bool unscored = false;
};

ValueStatus StatusOfScore(const RankingScore& s, const std::vector<bool>& comparable_settings,
                          std::int64_t rows) {
  if (!comparable_settings.at(s.settings) || s.rows_used != rows) return ValueStatus::kIncomparable;
  if (s.degenerate || !s.value) return ValueStatus::kDegenerate;
  if (!std::isfinite(*s.value)) return ValueStatus::kDiverged;
  return ValueStatus::kOk;
}

ValueStatus StatusOfUnscored(const UnscoredTensor& u) {
  if (u.status != "failed") return ValueStatus::kPending;
  if (u.kind == "data" && u.message.find("non-finite") != std::string::npos) {
    return ValueStatus::kDiverged;
  }
  return ValueStatus::kFailed;
}

SeriesPoint PointOfScore(const RankingScore& s, ValueStatus status,
                         const std::vector<std::string>& settings_keys) {
  SeriesPoint p{s.checkpoint_id, s.checkpoint, s.step, s.epoch,
                s.position,      std::nullopt, status, ""};
  switch (status) {
    case ValueStatus::kIncomparable:
      p.reason = fmt::format("scored only with {} rows and settings {}", s.rows_used,
                             settings_keys.at(s.settings));
      break;
    case ValueStatus::kDegenerate:
      p.reason = "every value is zero: RankMe undefined";
      break;
    case ValueStatus::kDiverged:
      p.reason = "non-finite score";
      break;
    default:
      p.value = s.value;
  }
  return p;
}

SeriesPoint PointOfUnscored(const UnscoredTensor& u, ValueStatus status) {
  SeriesPoint p{u.checkpoint_id, u.checkpoint, u.step, u.epoch,
                u.position,      std::nullopt, status, u.message};
  if (status == ValueStatus::kPending) {
    p.reason = u.status == "missing" ? "file no longer present" : "file not ready";
  }
  if (p.reason.empty()) p.reason = u.status;
  return p;
}

// The run's points in position order, one per checkpoint (the surest when several).
void Order(const RankingInput& input, Candidate* first, Candidate* last, RunSeries& series) {
  std::sort(first, last, [](const Candidate& a, const Candidate& b) {
    if (a.position != b.position) return a.position < b.position;
    if (a.checkpoint_id != b.checkpoint_id) return a.checkpoint_id < b.checkpoint_id;
    return Priority(a.status) < Priority(b.status);
  });
  for (const Candidate* c = first; c != last; ++c) {
    if (!series.points.empty() && series.points.back().checkpoint_id == c->checkpoint_id) continue;
    if (c->unscored) {
      series.points.push_back(PointOfUnscored(input.unscored[c->index], c->status));
      series.dims.emplace_back(0, 0);
    } else {
      const RankingScore& s = input.scores[c->index];
      series.points.push_back(PointOfScore(s, c->status, input.settings_keys));
      series.dims.emplace_back(s.rows_used, s.cols);
    }
  }
}

}  // namespace

std::vector<RunSeries> BuildSeries(const RankingInput& input, const std::string& tensor,
                                   const Comparison& comparison) {
  std::vector<RunSeries> series;
  std::unordered_map<std::int64_t, std::size_t> slot_of_run;
  for (const RunRecord& run : input.runs) {
    if (run.status == "missing") continue;
    if (slot_of_run.emplace(run.run_id, series.size()).second) series.push_back({&run, {}, {}});
  }
  std::vector<bool> comparable_settings;
  for (const auto& key : input.settings_keys) {
    comparable_settings.push_back(key == comparison.settings_key);
  }

  // Candidates grouped by run in one flat array, each run's in input order (scores, then
  // unscored tensors), as the ordering's tie-breaks have always seen them: a first pass finds
  // each row's run, a second places the rows.
  constexpr std::uint32_t kNoRun = ~std::uint32_t{0};
  std::vector<std::uint32_t> slots(input.scores.size() + input.unscored.size(), kNoRun);
  std::vector<std::size_t> starts(series.size() + 1, 0);
  auto find_slot = [&](std::int64_t run_id, std::size_t row) {
    const auto slot = slot_of_run.find(run_id);
    if (slot == slot_of_run.end()) return;
    slots[row] = static_cast<std::uint32_t>(slot->second);
    ++starts[slot->second + 1];
  };
  for (std::size_t i = 0; i < input.scores.size(); ++i) {
    if (input.scores[i].tensor == tensor) find_slot(input.scores[i].run_id, i);
  }
  for (std::size_t i = 0; i < input.unscored.size(); ++i) {
    const UnscoredTensor& u = input.unscored[i];
    if (u.tensor == tensor || u.tensor.empty()) find_slot(u.run_id, input.scores.size() + i);
  }
  for (std::size_t slot = 1; slot < starts.size(); ++slot) starts[slot] += starts[slot - 1];
  std::vector<Candidate> by_run(starts.back());
  std::vector<std::size_t> next(starts.begin(), starts.end() - 1);
  for (std::size_t i = 0; i < input.scores.size(); ++i) {
    if (slots[i] == kNoRun) continue;
    const RankingScore& s = input.scores[i];
    by_run[next[slots[i]]++] = {s.position, s.checkpoint_id, static_cast<std::uint32_t>(i),
                                StatusOfScore(s, comparable_settings, comparison.rows), false};
  }
  for (std::size_t i = 0; i < input.unscored.size(); ++i) {
    const std::uint32_t slot = slots[input.scores.size() + i];
    if (slot == kNoRun) continue;
    const UnscoredTensor& u = input.unscored[i];
    by_run[next[slot]++] = {u.position, u.checkpoint_id, static_cast<std::uint32_t>(i),
                            StatusOfUnscored(u), true};
  }
  slots = {};

  for (std::size_t slot = 0; slot < series.size(); ++slot) {
    Candidate* first = by_run.data() + starts[slot];
    Candidate* last = by_run.data() + starts[slot + 1];
    series[slot].points.reserve(static_cast<std::size_t>(last - first));
    series[slot].dims.reserve(static_cast<std::size_t>(last - first));
    Order(input, first, last, series[slot]);
  }
  return series;
}

RunValue ValueOf(RunSeries& series, const CheckpointPolicy& policy, const ValueOrder& order,
                 PointsKept kept) {
  const RunRecord& run = *series.run;
  RunValue v;
  v.run_id = run.run_id;
  v.run = run.name;
  v.path = run.path;
  v.seed = run.seed;
  for (const SeriesPoint& point : series.points) {
    v.any_failed |= point.status == ValueStatus::kFailed;
    v.any_diverged |= point.status == ValueStatus::kDiverged;
  }
  if (series.points.empty()) {
    v.reason = "no checkpoint with this tensor";
    return v;
  }
  PolicyOutcome outcome = ApplyPolicy(policy, series.points, order);
  v.value = outcome.value;
  v.status = outcome.status;
  v.reason = std::move(outcome.reason);
  v.used = std::move(outcome.used);
  for (std::size_t i : v.used) {
    if (series.dims[i].second > 0) {
      v.rows = series.dims[i].first;
      v.cols = series.dims[i].second;
    }
  }
  switch (kept) {
    case PointsKept::kCopy:
      v.checkpoints = series.points;
      break;
    case PointsKept::kTake:
      v.checkpoints = std::move(series.points);
      break;
    case PointsKept::kUsed:
      for (std::size_t& i : v.used) {
        v.checkpoints.push_back(series.points[i]);
        i = v.checkpoints.size() - 1;
      }
      break;
  }
  return v;
}

}  // namespace rankme::ranking
