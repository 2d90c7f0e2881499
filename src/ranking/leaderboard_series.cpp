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
  std::map<Comparison, std::size_t> counts;
  for (const auto& s : input.scores) {
    if (s.tensor == tensor) ++counts[{s.settings_key, s.rows_used}];
  }
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

struct PointInfo {
  SeriesPoint point;
  std::int64_t rows = 0, cols = 0;
};

PointInfo FromScore(const CheckpointScore& s, const Comparison& comparison) {
  PointInfo info{{s.checkpoint_id, s.checkpoint, s.step, s.epoch, s.position, std::nullopt,
                  ValueStatus::kOk, ""},
                 s.rows_used,
                 s.cols};
  SeriesPoint& p = info.point;
  if (s.settings_key != comparison.settings_key || s.rows_used != comparison.rows) {
    p.status = ValueStatus::kIncomparable;
    p.reason = fmt::format("scored only with {} rows and settings {}", s.rows_used, s.settings_key);
  } else if (s.status == "degenerate" || !s.value) {
    p.status = ValueStatus::kDegenerate;
    p.reason = "every value is zero: RankMe undefined";
  } else if (!std::isfinite(*s.value)) {
    p.status = ValueStatus::kDiverged;
    p.reason = "non-finite score";
  } else {
    p.value = s.value;
  }
  return info;
}

PointInfo FromUnscored(const UnscoredTensor& u) {
  PointInfo info{{u.checkpoint_id, u.checkpoint, u.step, u.epoch, u.position, std::nullopt,
                  ValueStatus::kFailed, u.message},
                 0,
                 0};
  SeriesPoint& p = info.point;
  if (u.status != "failed") {
    p.status = ValueStatus::kPending;
    p.reason = u.status == "missing" ? "file no longer present" : "file not ready";
  } else if (u.kind == "data" && u.message.find("non-finite") != std::string::npos) {
    p.status = ValueStatus::kDiverged;
  }
  if (p.reason.empty()) p.reason = u.status;
  return info;
}

// The run's points in position order, one per checkpoint (the surest when several).
std::vector<PointInfo> Ordered(std::vector<PointInfo> points) {
  std::sort(points.begin(), points.end(), [](const PointInfo& a, const PointInfo& b) {
    if (a.point.position != b.point.position) return a.point.position < b.point.position;
    if (a.point.checkpoint_id != b.point.checkpoint_id) {
      return a.point.checkpoint_id < b.point.checkpoint_id;
    }
    return Priority(a.point.status) < Priority(b.point.status);
  });
  std::vector<PointInfo> out;
  for (auto& p : points) {
    if (!out.empty() && out.back().point.checkpoint_id == p.point.checkpoint_id) continue;
    out.push_back(std::move(p));
  }
  return out;
}

RunValue ValueOf(const RunRecord& run, std::vector<PointInfo> points,
                 const CheckpointPolicy& policy, bool higher_is_better) {
  RunValue v;
  v.run_id = run.run_id;
  v.run = run.name;
  v.path = run.path;
  v.seed = run.seed;
  const std::vector<PointInfo> ordered = Ordered(std::move(points));
  for (const PointInfo& info : ordered) {
    v.checkpoints.push_back(info.point);
    v.any_failed |= info.point.status == ValueStatus::kFailed;
    v.any_diverged |= info.point.status == ValueStatus::kDiverged;
  }
  if (ordered.empty()) {
    v.reason = "no checkpoint with this tensor";
    return v;
  }
  PolicyOutcome outcome = ApplyPolicy(policy, v.checkpoints, higher_is_better);
  v.value = outcome.value;
  v.status = outcome.status;
  v.reason = std::move(outcome.reason);
  v.used = std::move(outcome.used);
  for (std::size_t i : v.used) {
    if (ordered[i].cols > 0) {
      v.rows = ordered[i].rows;
      v.cols = ordered[i].cols;
    }
  }
  return v;
}

}  // namespace

std::map<std::int64_t, RunValue> RunValues(const RankingInput& input, const std::string& tensor,
                                           const Comparison& comparison,
                                           const CheckpointPolicy& policy, bool higher_is_better) {
  std::unordered_map<std::int64_t, std::vector<PointInfo>> points;  // by run
  for (const auto& s : input.scores) {
    if (s.tensor == tensor) points[s.run_id].push_back(FromScore(s, comparison));
  }
  for (const auto& u : input.unscored) {
    if (u.tensor == tensor || u.tensor.empty()) points[u.run_id].push_back(FromUnscored(u));
  }
  std::map<std::int64_t, RunValue> out;
  for (const RunRecord& run : input.runs) {
    if (run.status == "missing") continue;
    auto it = points.find(run.run_id);
    out.emplace(run.run_id,
                ValueOf(run, it == points.end() ? std::vector<PointInfo>{} : std::move(it->second),
                        policy, higher_is_better));
  }
  return out;
}

}  // namespace rankme::ranking
