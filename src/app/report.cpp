// `rankme report`: ranks the stored scores with the ranking layer and turns the leaderboard, its
// series, spectra, marginals and validation into report::ReportData, then HTML.
#include "rankme/app/report.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "app/json_text_internal.h"
#include "app/ranking_input_internal.h"
#include "app/report_internal.h"
#include "app/signals_internal.h"
#include "rankme/app/selection.h"
#include "rankme/core/error.h"
#include "rankme/ranking/marginals.h"
#include "rankme/ranking/validation.h"
#include "rankme/report/number_format.h"
#include "rankme/report/output_file.h"
#include "rankme/store/catalog.h"

namespace rankme::app {

std::string DisplayValue(const std::string& literal) {
  if (literal.size() >= 2 && literal.front() == '"') {
    const auto value = internal::StoredJson(literal);
    if (value.is_string()) return value.get<std::string>();
  }
  return ranking::DisplayValue(literal);
}

namespace {

// Training progress on the x axis: the step when every checkpoint names one, else the epoch,
// else the checkpoint's place in its run.
std::string XLabel(const ranking::Leaderboard& board) {
  bool steps = true, epochs = true, any = false;
  for (const auto& row : board.configurations) {
    for (const auto& run : row.runs) {
      for (const auto& p : run.checkpoints) {
        if (!p.value) continue;
        any = true;
        steps = steps && p.step.has_value();
        epochs = epochs && p.epoch.has_value();
      }
    }
  }
  if (!any || steps) return "step";
  return epochs ? "epoch" : "checkpoint";
}

double XOf(const ranking::SeriesPoint& p, const std::string& x_label) {
  if (x_label == "step" && p.step) return static_cast<double>(*p.step);
  if (x_label == "epoch" && p.epoch) return static_cast<double>(*p.epoch);
  return static_cast<double>(p.position);
}

report::ReportRun ToRun(const ranking::RunValue& run, const std::string& x_label) {
  report::ReportRun out;
  out.name = run.run;
  out.seed = run.seed.value_or("");
  out.value = run.value;
  out.status = std::string(ranking::ValueStatusName(run.status));
  out.reason = run.reason;
  if (!run.used.empty() && run.used.back() < run.checkpoints.size()) {
    out.checkpoint = run.checkpoints[run.used.back()].checkpoint;
  }
  for (const auto& p : run.checkpoints) {
    if (p.value) out.series.push_back({XOf(p, x_label), p.checkpoint, *p.value});
  }
  return out;
}

report::ReportConfiguration ToConfiguration(const ranking::ConfigurationRow& row,
                                            const std::string& x_label) {
  report::ReportConfiguration out;
  out.config_id = row.config_id;
  for (const auto& [key, literal] : row.hyperparameters) {
    out.hyperparameters.emplace_back(key, DisplayValue(literal));
  }
  out.group = row.group.empty() ? "" : DisplayValue(row.group);
  out.rank = row.rank;
  out.n = row.summary.n;
  out.mean = row.summary.mean;
  out.std = row.summary.std;
  out.flags = row.flags.Names();
  out.flag_reasons = row.flag_reasons;
  for (const auto& run : row.runs) out.runs.push_back(ToRun(run, x_label));
  return out;
}

std::vector<report::ReportMarginal> ToMarginals(const ranking::Leaderboard& board) {
  std::vector<report::ReportMarginal> out;
  for (const ranking::MarginalRow& row : ranking::Marginals(board)) {
    const std::string group = row.group.empty() ? "" : DisplayValue(row.group);
    if (out.empty() || out.back().key != row.key || out.back().group != group) {
      out.push_back({row.key, group, {}});
    }
    report::ReportMarginalLevel level;
    level.value = DisplayValue(row.value);
    char* end = nullptr;
    const double number = std::strtod(row.value.c_str(), &end);
    if (!row.value.empty() && *end == '\0') level.numeric = number;
    level.mean = row.mean;
    level.best = row.best;
    level.configurations = row.configurations;
    out.back().levels.push_back(std::move(level));
  }
  return out;
}

std::string Fixed(const std::optional<double>& v) {
  return v ? fmt::format("{:.3f}", *v) : std::string("n/a");
}

// The label-based numbers to compare with: the ones named, else the only name stored. Empty
// when none is stored, or several are and none is named (a note says so).
std::vector<LabelValue> ChosenLabels(store::Catalog& catalog, const ReportOptions& options,
                                     std::vector<std::string>& notes) {
  std::vector<LabelValue> labels = catalog.Labels(options.label);
  if (labels.empty()) {
    if (!options.label.empty()) {
      throw UsageError("no label-based number named '" + options.label + "' is stored");
    }
    return labels;
  }
  std::set<std::string> names;
  for (const LabelValue& l : labels) names.insert(l.name);
  if (names.size() > 1) {
    std::string listed;
    for (const auto& n : names) listed += (listed.empty() ? "" : ", ") + n;
    notes.push_back("several label-based numbers are stored (" + listed +
                    "): name one with --label to compare with it");
    return {};
  }
  return labels;
}

report::ReportValidation ToValidation(const ranking::Leaderboard& board,
                                      const std::vector<LabelValue>& labels,
                                      const std::vector<CheckpointRecord>& checkpoints) {
  const ranking::Validation v = ranking::Validate(board, labels, checkpoints);
  report::ReportValidation out;
  out.label = labels.front().name;
  for (const auto& c : v.configurations) {
    if (c.metric && c.label) out.points.push_back({c.config_id, *c.metric, *c.label});
  }
  out.spearman = v.overall.spearman;
  out.kendall = v.overall.kendall;
  out.regret = v.overall.regret;
  out.picked = v.overall.pick;
  out.best = v.overall.label_best;
  for (const ranking::Agreement& g : v.groups) {
    out.notes.push_back(fmt::format("{} = {}: ρ {}, τ {}, regret {} over {} configurations",
                                    board.within, DisplayValue(g.group), Fixed(g.spearman),
                                    Fixed(g.kendall),
                                    g.regret ? report::FormatScore(*g.regret) : "n/a", g.n));
  }
  for (const std::string& note : v.notes) out.notes.push_back(note);
  return out;
}

std::vector<std::pair<std::string, std::string>> Settings(
    const ranking::Leaderboard& board, const std::string& db_path,
    const std::optional<report::ReportValidation>& validation) {
  std::vector<std::pair<std::string, std::string>> out;
  out.emplace_back("metric", board.metric);
  out.emplace_back("tensor", board.tensor + (board.tensor_defaulted ? " (default)" : ""));
  out.emplace_back("checkpoint", board.checkpoint.ToString());
  out.emplace_back("within", board.within.empty() ? "(one ranking)" : board.within);
  if (!board.settings_key.empty()) {
    const auto settings = internal::StoredJson(board.settings_key);
    if (settings.is_object()) {
      for (const char* key : {"eps", "max_samples", "seed", "algorithm_version"}) {
        if (settings.contains(key)) {
          const std::string name = std::string(key) == "seed" ? "subsample seed" : key;
          out.emplace_back(name, settings[key].dump());
        }
      }
    }
  }
  out.emplace_back("rows", board.rows ? std::to_string(board.rows) : "-");
  if (board.tensors.size() > 1) {
    std::string all;
    for (const auto& t : board.tensors) all += (all.empty() ? "" : ", ") + t;
    out.emplace_back("tensors stored", all);
  }
  if (validation) out.emplace_back("label-based number", validation->label);
  out.emplace_back("tool version", std::string("rankme ") + RANKME_VERSION);
  out.emplace_back("database", std::filesystem::absolute(db_path).lexically_normal().string());
  out.emplace_back("generated", store::NowUtc());
  return out;
}

}  // namespace

report::ReportData BuildReport(const std::string& db_path, const ReportOptions& options) {
  // Ranked exactly as `rankme leaderboard` ranks: the same loader, the same options.
  SelectionOptions selection;
  selection.db_path = db_path;
  selection.metric = options.metric;
  selection.ranking.tensor = options.tensor;
  selection.ranking.checkpoint = ranking::CheckpointPolicy::Parse(options.checkpoint);
  selection.ranking.within = options.within;
  selection.ranking.target = options.alpha_target;
  store::Database db = OpenForReading(db_path);
  ranking::RankingInput input = LoadInput(db, selection);
  const ranking::Leaderboard board = ranking::BuildLeaderboard(input, selection.ranking);
  store::Catalog catalog(db);

  report::ReportData data;
  data.title = options.title;
  data.metric = board.metric;
  data.direction = board.order.Describe();
  data.tensor = board.tensor;
  data.within = board.within;
  data.x_label = XLabel(board);
  data.varying_keys = board.varying_keys;
  for (const auto& group : board.groups) data.groups.push_back(DisplayValue(group));
  for (const auto& row : board.configurations) {
    data.configurations.push_back(ToConfiguration(row, data.x_label));
  }
  data.spectra = ChosenSpectra(board, catalog, options.spectra_configurations);
  data.marginals = ToMarginals(board);
  data.notes = board.notes;
  const std::vector<LabelValue> labels = ChosenLabels(catalog, options, data.notes);
  const std::vector<CheckpointRecord> checkpoints =
      labels.empty() ? std::vector<CheckpointRecord>() : catalog.Checkpoints();
  if (!labels.empty()) data.validation = ToValidation(board, labels, checkpoints);
  const SignalLabels signal_labels{labels, checkpoints, true};
  const std::vector<SignalSummary> signals = SummarizeSignals(
      catalog, input, selection.ranking, board, labels.empty() ? nullptr : &signal_labels);
  data.signals = ToReportSignals(signals);
  data.signal_notes = ReportSignalNotes(signals, !labels.empty());
  for (const TensorFailure& f : catalog.Failures()) {
    data.failures.push_back({f.run, f.checkpoint, f.tensor, f.status, f.kind, f.message});
  }
  data.settings = Settings(board, db_path, data.validation);
  return data;
}

ReportFile WriteReport(const std::string& db_path, const std::string& out_path,
                       const ReportOptions& options) {
  const report::ReportData data = BuildReport(db_path, options);
  const std::string html = report::RenderHtmlReport(data);
  const std::filesystem::path target(out_path);
  if (out_path != "-" && target.has_parent_path()) {
    std::error_code error;
    std::filesystem::create_directories(target.parent_path(), error);
  }
  report::WriteOutputFile(out_path, html);
  ReportFile file;
  file.path = out_path;
  file.bytes = html.size();
  file.configurations = data.configurations.size();
  for (const auto& c : data.configurations) file.runs += c.runs.size();
  file.notes = data.notes;
  return file;
}

}  // namespace rankme::app
