// Seeds grouped into configurations, aggregated, flagged and ranked (within groups).
#include "rankme/ranking/leaderboard.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "ranking/ranking_internal.h"
#include "rankme/core/error.h"

namespace rankme::ranking {

std::vector<std::string> ConfigurationFlags::Names() const {
  std::vector<std::string> names;
  if (collapsed) names.emplace_back("collapsed");
  if (diverged) names.emplace_back("diverged");
  if (incomplete) names.emplace_back("incomplete");
  if (failed) names.emplace_back("failed");
  if (mixed) names.emplace_back("mixed");
  return names;
}

std::vector<const ConfigurationRow*> Leaderboard::Group(const std::string& group) const {
  std::vector<const ConfigurationRow*> out;
  for (const auto& row : configurations) {
    if (row.group == group) out.push_back(&row);
  }
  return out;
}

std::string DisplayValue(const std::string& json_literal) {
  if (json_literal.size() >= 2 && json_literal.front() == '"' && json_literal.back() == '"' &&
      json_literal.find('\\') == std::string::npos) {
    return json_literal.substr(1, json_literal.size() - 2);
  }
  return json_literal;
}

namespace {

void Flag(ConfigurationRow& row, bool ConfigurationFlags::*flag, std::string reason) {
  row.flags.*flag = true;
  row.flag_reasons.push_back(std::move(reason));
}

// The metrics whose ceiling is min(rows, D) and whose small values mean collapse, as the paper
// reads RankMe: the collapse flag applies to them only.
bool FlagsCollapse(const std::string& metric) {
  return metric == "rankme" || metric == "rankme_centered";
}

void Aggregate(ConfigurationRow& row, const RankingOptions& options, const std::string& metric,
               const ValueOrder& order) {
  std::vector<double> values;
  std::set<std::int64_t> dims;
  for (const RunValue& run : row.runs) {
    if (run.value) {
      values.push_back(*run.value);
      if (row.cols == 0) {
        row.rows = run.rows;
        row.cols = run.cols;
      }
    }
    if (run.cols > 0) dims.insert(run.cols);
    if (run.any_diverged || run.status == ValueStatus::kDiverged) {
      if (!row.flags.diverged)
        Flag(row, &ConfigurationFlags::diverged, run.run + ": non-finite values");
    }
    if (run.any_failed || run.status == ValueStatus::kFailed) {
      if (!row.flags.failed)
        Flag(row, &ConfigurationFlags::failed, run.run + ": a checkpoint could not be scored");
    }
    if (run.status == ValueStatus::kDegenerate) {
      Flag(row, &ConfigurationFlags::collapsed, run.run + ": an all-zero matrix");
    }
    if (run.status == ValueStatus::kIncomparable && !row.flags.mixed) {
      Flag(row, &ConfigurationFlags::mixed, run.run + ": " + run.reason);
    }
  }
  row.summary = Summarize(values);
  if (row.summary.n > 0) row.goodness = order.Goodness(row.summary.mean);
  if (dims.size() > 1) {
    Flag(row, &ConfigurationFlags::mixed,
         fmt::format("its runs differ in D ({})", fmt::join(dims, ", ")));
  }
  const double ceiling = static_cast<double>(std::min(row.rows, row.cols));
  if (FlagsCollapse(metric) && row.summary.n > 0 && !row.flags.collapsed &&
      row.summary.mean < options.collapse_fraction * ceiling) {
    Flag(row, &ConfigurationFlags::collapsed,
         fmt::format("mean {} {:.4g} < {:g} × min(N, D) = {:g}",
                     metric == "rankme" ? "RankMe" : metric, row.summary.mean,
                     options.collapse_fraction, options.collapse_fraction * ceiling));
  }
}

// Competition ranking within each group ("1, 2, 2, 4"); configurations without a value last.
void RankGroups(Leaderboard& board) {
  auto better = [&](const ConfigurationRow& a, const ConfigurationRow& b) {
    if (a.group != b.group) return a.group < b.group;
    if ((a.summary.n > 0) != (b.summary.n > 0)) return a.summary.n > 0;
    if (a.summary.n > 0 && a.goodness != b.goodness) return a.goodness > b.goodness;
    return a.config_id < b.config_id;
  };
  std::sort(board.configurations.begin(), board.configurations.end(), better);
  std::size_t group_start = 0;
  for (std::size_t i = 0; i < board.configurations.size(); ++i) {
    ConfigurationRow& row = board.configurations[i];
    const ConfigurationRow* previous = i > 0 ? &board.configurations[i - 1] : nullptr;
    if (previous && previous->group != row.group) group_start = i;
    if (row.summary.n == 0) continue;
    const bool tied = previous && previous->group == row.group && previous->summary.n > 0 &&
                      previous->goodness == row.goodness;
    row.rank = tied ? previous->rank : std::optional<int>(static_cast<int>(i - group_start) + 1);
  }
}

// Different D within a group are ranked together (sweeping the projector width is legitimate),
// but the effective ranks (every higher-is-better metric) are bounded by min(N, D): say so.
// alpha_req, a decay exponent, has no such bound.
void NoteDimensions(Leaderboard& board) {
  if (board.order.kind != ValueOrder::Kind::kHigher) return;
  std::map<std::string, std::set<std::int64_t>> dims;
  for (const auto& row : board.configurations) {
    if (row.cols > 0) dims[row.group].insert(row.cols);
  }
  for (const auto& [group, seen] : dims) {
    if (seen.size() < 2) continue;
    board.notes.push_back(fmt::format(
        "{}configurations differ in D ({}): {} is at most min(N, D), so ranks also compare "
        "widths",
        group.empty() ? "" : DisplayValue(group) + ": ", fmt::join(seen, ", "),
        board.metric == "rankme" ? "RankMe" : board.metric));
  }
}

void MarkIncomplete(Leaderboard& board) {
  std::map<std::string, std::size_t> most_runs;
  for (const auto& row : board.configurations) {
    most_runs[row.group] = std::max(most_runs[row.group], row.runs.size());
  }
  for (auto& row : board.configurations) {
    const std::size_t most = most_runs[row.group];
    if (row.summary.n < most) {
      Flag(row, &ConfigurationFlags::incomplete,
           fmt::format("{} of {} seeds have a value (its siblings have up to {})", row.summary.n,
                       row.runs.size(), most));
    }
  }
}

void NoteMixedMethods(Leaderboard& board, const RankingOptions& options) {
  std::map<std::string, std::set<std::string>> methods;
  for (const auto& row : board.configurations) {
    for (const auto& [key, value] : row.hyperparameters) {
      const std::string last = key.substr(key.rfind('.') + 1);
      if (std::find(options.method_keys.begin(), options.method_keys.end(), last) !=
          options.method_keys.end()) {
        methods[key].insert(DisplayValue(value));
      }
    }
  }
  for (const auto& [key, values] : methods) {
    if (values.size() > 1 && options.within.empty()) {
      board.notes.push_back(fmt::format(
          "the sweep mixes {} = {}: {} compares runs of one method; rank with --within {}", key,
          fmt::join(values, ", "), board.metric == "rankme" ? "RankMe" : board.metric, key));
    }
  }
}

}  // namespace

std::size_t RankingInput::AddSettings(std::string_view settings_key) {
  for (std::size_t i = 0; i < settings_keys.size(); ++i) {
    if (settings_keys[i] == settings_key) return i;
  }
  settings_keys.emplace_back(settings_key);
  return settings_keys.size() - 1;
}

namespace {

// The policy-dependent half of a leaderboard: `board` already names the tensor and settings and
// holds their notes.
void Rank(Leaderboard& board, const RankingInput& input, std::vector<RunSeries>& series,
          const RankingOptions& options, PointsKept kept) {
  std::map<std::string, ConfigurationRow> by_config;
  bool within_found = board.within.empty();
  for (RunSeries& run_series : series) {
    const RunRecord& run = *run_series.run;
    ConfigurationRow& row = by_config[run.config_id];
    if (row.config_id.empty()) {
      row.config_id = run.config_id;
      row.hyperparameters = run.hyperparameters;
      if (auto it = run.hyperparameters.find(board.within); it != run.hyperparameters.end()) {
        row.group = it->second;
        within_found = true;
      }
    }
    row.runs.push_back(ValueOf(run_series, options.checkpoint, board.order, kept));
  }
  if (!within_found) {
    throw UsageError(
        fmt::format("--within {}: no configuration has that hyperparameter", options.within));
  }
  for (auto& [id, row] : by_config) {
    std::sort(row.runs.begin(), row.runs.end(),
              [](const RunValue& a, const RunValue& b) { return a.run < b.run; });
    Aggregate(row, options, input.metric, board.order);
    board.configurations.push_back(std::move(row));
  }
  MarkIncomplete(board);
  RankGroups(board);
  for (const auto& row : board.configurations) {
    if (board.groups.empty() || board.groups.back() != row.group) board.groups.push_back(row.group);
  }
  const ShownKeys shown = ChooseShownKeys(board.configurations);
  board.varying_keys = shown.varying;
  // The within key varies between groups by definition; renderers show it as the group.
  if (!board.within.empty() && board.groups.size() > 1) {
    board.varying_keys.insert(
        std::lower_bound(board.varying_keys.begin(), board.varying_keys.end(), board.within),
        board.within);
  }
  board.hidden_keys = shown.hidden;
  NoteMixedMethods(board, options);
  NoteDimensions(board);
  if (!board.within.empty()) {
    board.notes.push_back(fmt::format("ranked within {}", board.within));
  }
  if (!shown.hidden.empty()) board.notes.push_back(HiddenKeysNote(shown));
  board.notes.push_back(fmt::format("checkpoint: {}", options.checkpoint.ToString()));
}

}  // namespace

Leaderboard BuildLeaderboard(const RankingInput& input, const RankingOptions& options) {
  return std::move(BuildLeaderboards(input, options, {options.checkpoint}).front());
}

std::vector<Leaderboard> BuildLeaderboards(const RankingInput& input, const RankingOptions& options,
                                           const std::vector<CheckpointPolicy>& policies,
                                           bool others_keep_used_only) {
  Leaderboard common;
  common.metric = input.metric;
  common.order = ValueOrder::OfMetric(input.metric, options.target);
  // --within names a hyperparameter by its name across the sweep or as a config wrote it.
  common.within = HyperparameterName(input.runs, options.within);
  for (const RunRecord& run : input.runs) {
    common.written_keys.insert(run.written_keys.begin(), run.written_keys.end());
  }
  common.tensor = ResolveTensor(input, options, common);
  const Comparison comparison = ResolveComparison(input, common.tensor, common);
  common.settings_key = comparison.settings_key;
  common.rows = comparison.rows;
  std::vector<RunSeries> series = BuildSeries(input, common.tensor, comparison);
  if (common.order.kind == ValueOrder::Kind::kCloserToTarget) {
    common.notes.push_back(
        fmt::format("{}: {} (configurations ordered by |mean − {:g}|; --alpha-target to change)",
                    input.metric, common.order.Describe(), common.order.target));
  }

  // The first board takes the series' points, so the others (which copy them) come first.
  std::vector<Leaderboard> boards(policies.size());
  for (std::size_t i = policies.size(); i-- > 0;) {
    boards[i] = common;
    boards[i].checkpoint = policies[i];
    RankingOptions variant = options;
    variant.checkpoint = policies[i];
    const PointsKept kept = i == 0                  ? PointsKept::kTake
                            : others_keep_used_only ? PointsKept::kUsed
                                                    : PointsKept::kCopy;
    Rank(boards[i], input, series, variant, kept);
  }
  return boards;
}

}  // namespace rankme::ranking
