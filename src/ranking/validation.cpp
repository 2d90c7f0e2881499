#include "rankme/ranking/validation.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "rankme/ranking/statistics.h"

namespace rankme::ranking {

namespace {

struct RunLabels {
  std::optional<double> run_level;
  std::map<std::int64_t, double> by_checkpoint;
};

std::optional<double> RunLabel(const RunLabels& labels,
                               const std::vector<const CheckpointRecord*>& run_checkpoints,
                               const CheckpointPolicy& policy, const ValueOrder& order) {
  std::vector<SeriesPoint> points;
  for (const CheckpointRecord* c : run_checkpoints) {
    const auto it = labels.by_checkpoint.find(c->checkpoint_id);
    if (it == labels.by_checkpoint.end()) continue;
    points.push_back({c->checkpoint_id, c->name, c->step, c->epoch, c->position, it->second,
                      ValueStatus::kOk, ""});
  }
  if (points.empty()) return labels.run_level;
  return ApplyPolicy(policy, points, order).value;
}

// The pick is the configuration with the largest goodness, the first in board order among
// equals (the board's pick).
Agreement Agree(const std::vector<const LabelledConfiguration*>& configs, bool label_higher) {
  Agreement a;
  std::vector<double> x, y;
  const LabelledConfiguration* pick = nullptr;
  const LabelledConfiguration* best = nullptr;
  for (const LabelledConfiguration* c : configs) {
    if (c->goodness && (!pick || *c->goodness > *pick->goodness)) pick = c;
    if (c->label &&
        (!best || (label_higher ? *c->label > *best->label : *c->label < *best->label))) {
      best = c;
    }
    if (c->goodness && c->label) {
      x.push_back(*c->goodness);
      y.push_back(*c->label);
    }
  }
  a.n = x.size();
  a.spearman = SpearmanRho(x, y);
  a.kendall = KendallTauB(x, y);
  a.reversed = a.spearman && *a.spearman < kReversedRho && a.n >= kReversedMinConfigurations;
  if (pick) {
    a.pick = pick->config_id;
    a.pick_label = pick->label;
  }
  if (best) {
    a.label_best = best->config_id;
    a.label_best_value = best->label;
  }
  if (a.pick_label && a.label_best_value) {
    a.regret =
        label_higher ? *a.label_best_value - *a.pick_label : *a.pick_label - *a.label_best_value;
  }
  return a;
}

}  // namespace

Validation Validate(const Leaderboard& board, const std::vector<LabelValue>& labels,
                    const std::vector<CheckpointRecord>& checkpoints, bool label_higher_is_better) {
  Validation v;
  v.order = board.order;
  const ValueOrder label_order{
      label_higher_is_better ? ValueOrder::Kind::kHigher : ValueOrder::Kind::kLower, 0};
  std::map<std::int64_t, RunLabels> by_run;
  for (const LabelValue& l : labels) {
    if (v.label.empty()) v.label = l.name;
    if (l.checkpoint_id) {
      by_run[l.run_id].by_checkpoint[*l.checkpoint_id] = l.value;
    } else {
      by_run[l.run_id].run_level = l.value;
    }
  }
  std::map<std::int64_t, std::vector<const CheckpointRecord*>> run_checkpoints;
  for (const CheckpointRecord& c : checkpoints) run_checkpoints[c.run_id].push_back(&c);
  for (auto& [run, list] : run_checkpoints) {
    std::sort(list.begin(), list.end(), [](const CheckpointRecord* a, const CheckpointRecord* b) {
      return a->position < b->position;
    });
  }

  for (std::size_t i = 0; i < board.configurations.size(); ++i) {
    const ConfigurationRow& row = board.configurations[i];
    LabelledConfiguration c{i, row.config_id, row.group, std::nullopt, std::nullopt, std::nullopt,
                            0};
    if (row.summary.n > 0) {
      c.metric = row.summary.mean;
      c.goodness = row.goodness;
    }
    double sum = 0;
    for (const RunValue& run : row.runs) {
      const auto it = by_run.find(run.run_id);
      if (it == by_run.end()) continue;
      const auto value =
          RunLabel(it->second, run_checkpoints[run.run_id], board.checkpoint, label_order);
      if (!value) continue;
      sum += *value;
      c.label_runs += 1;
    }
    if (c.label_runs > 0) c.label = sum / static_cast<double>(c.label_runs);
    v.configurations.push_back(c);
  }

  std::vector<const LabelledConfiguration*> all;
  for (const auto& c : v.configurations) all.push_back(&c);
  v.overall = Agree(all, label_higher_is_better);
  if (!board.within.empty()) {
    for (const std::string& group : board.groups) {
      std::vector<const LabelledConfiguration*> members;
      for (const auto* c : all) {
        if (c->group == group) members.push_back(c);
      }
      v.groups.push_back(Agree(members, label_higher_is_better));
      v.groups.back().group = group;
    }
  }
  if (v.overall.n < 3) {
    v.notes.push_back(fmt::format(
        "only {} configurations have both a label-free and a label-based value: correlations "
        "over so few mean little",
        v.overall.n));
  }
  if (!v.overall.pick.empty() && !v.overall.pick_label) {
    v.notes.push_back("the label-free pick has no label-based value: regret unknown");
  }
  return v;
}

}  // namespace rankme::ranking
