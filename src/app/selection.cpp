// `best`, `leaderboard`, `marginals` and `validate`: read the database once, rank in memory.
#include "rankme/app/selection.h"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "app/ranking_input_internal.h"
#include "app/signals_internal.h"
#include "rankme/app/label_file.h"
#include "rankme/core/error.h"
#include "rankme/store/catalog.h"

namespace rankme::app {

namespace {

void FillFiles(store::Database& db, ranking::Leaderboard& board, ranking::ConfigurationRow& row) {
  store::Catalog catalog(db);
  for (ranking::RunValue& run : row.runs) {
    std::vector<std::int64_t> ids;
    for (std::size_t i : run.used) ids.push_back(run.checkpoints[i].checkpoint_id);
    run.files.clear();
    for (const auto& [id, files] : catalog.TensorFiles(board.tensor, ids))
      run.files.push_back(files);
  }
}

std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError("cannot open the label file", path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

ranking::Leaderboard LoadLeaderboard(const SelectionOptions& options) {
  auto db = OpenForReading(options.db_path);
  ranking::Leaderboard board = ranking::BuildLeaderboard(LoadInput(db, options), options.ranking);
  if (options.with_files) {
    for (auto& row : board.configurations) FillFiles(db, board, row);
  }
  return board;
}

BestReport FindBest(const SelectionOptions& options) {
  auto db = OpenForReading(options.db_path);
  ranking::RankingInput input = LoadInput(db, options);
  // The asked policy, then last and best where they differ from it: one pass over the scores.
  // Of the latter only the picks are compared, so they keep no run's other checkpoints.
  std::vector<ranking::CheckpointPolicy> policies = {options.ranking.checkpoint};
  for (const char* policy : {"last", "best"}) {
    const auto parsed = ranking::CheckpointPolicy::Parse(policy);
    if (parsed != options.ranking.checkpoint) policies.push_back(parsed);
  }
  std::vector<ranking::Leaderboard> boards =
      ranking::BuildLeaderboards(input, options.ranking, policies, true);
  BestReport report;
  report.board = std::move(boards.front());
  report.picks = ranking::PickBest(report.board);
  for (const ranking::Pick& pick : report.picks) {
    if (pick.best) FillFiles(db, report.board, report.board.configurations[*pick.best]);
    if (pick.runner_up) FillFiles(db, report.board, report.board.configurations[*pick.runner_up]);
  }

  auto compare = [&](const std::string& what, const std::vector<SignalPick>& picks) {
    for (const ranking::Pick& main : report.picks) {
      Alternative alt;
      alt.what = what;
      alt.group = main.group;
      for (const SignalPick& pick : picks) {
        if (pick.group != main.group) continue;
        alt.config_id = pick.config_id;
        alt.hyperparameters = pick.hyperparameters;
      }
      alt.differs = alt.config_id != ranking::PickedConfig(report.board, report.picks, main.group);
      report.alternatives.push_back(std::move(alt));
    }
  };
  // Every other signal: the metric's other tensors are also the alternatives "tensor X".
  store::Catalog catalog(db);
  for (SignalSummary& summary : SummarizeSignals(catalog, input, options.ranking, report.board)) {
    if (summary.ranked) continue;
    if (summary.signal.metric == report.board.metric) {
      compare("tensor " + summary.signal.tensor, summary.picks);
    }
    report.second_opinions.push_back(std::move(summary));
  }
  if (!report.board.tensor.empty()) {
    for (std::size_t i = 1; i < policies.size(); ++i) {
      compare("checkpoint " + policies[i].ToString(), SignalPicks(boards[i], report.board));
    }
  }
  return report;
}

ValidateReport ValidateWithLabels(const ValidateOptions& options) {
  auto db = store::Database::Open(options.selection.db_path, {.create = false});
  store::Catalog catalog(db);
  ValidateReport report;
  std::string name = options.label_name;
  const auto checkpoints = catalog.Checkpoints();
  if (!options.labels_file.empty()) {
    const LabelFile file =
        ParseLabelFile(ReadText(options.labels_file), options.labels_file, options.label_column);
    const LabelMatch match = MatchLabels(file, options.labels_file, catalog.Runs(), checkpoints);
    if (match.labels.empty()) {
      throw DataError(fmt::format("no entry of the label file matches a stored run ({} entries; "
                                  "first: {})",
                                  file.entries.size(),
                                  match.unmatched.empty() ? "none" : match.unmatched.front()),
                      options.labels_file);
    }
    store::WriteTransaction transaction(db);
    catalog.SaveLabels(match.labels);
    transaction.Commit();
    report.imported = match.labels.size();
    report.unmatched = match.unmatched;
    name = file.column;
  }
  if (name.empty()) {
    std::set<std::string> names;
    for (const auto& label : catalog.Labels()) names.insert(label.name);
    if (names.size() != 1) {
      throw UsageError(names.empty() ? "no labels stored: give --labels FILE"
                                     : fmt::format("several labels stored ({}): pick one with "
                                                   "--label-column",
                                                   fmt::join(names, ", ")));
    }
    name = *names.begin();
  }
  ranking::RankingInput input = LoadInput(db, options.selection);
  report.board = ranking::BuildLeaderboard(input, options.selection.ranking);
  const std::vector<LabelValue> labels = catalog.Labels(name);
  report.validation =
      ranking::Validate(report.board, labels, checkpoints, options.label_higher_is_better);
  report.validation.label = name;
  const SignalLabels signal_labels{labels, checkpoints, options.label_higher_is_better};
  report.signals =
      SummarizeSignals(catalog, input, options.selection.ranking, report.board, &signal_labels);
  for (SignalSummary& signal : report.signals) signal.validation->label = name;
  return report;
}

std::vector<ranking::MarginalRow> MarginalsOf(const ranking::Leaderboard& board,
                                              const std::string& key) {
  auto rows = ranking::Marginals(board);
  if (key.empty()) return rows;
  const std::string name = board.KeyName(key);  // its name, or as a config wrote it
  std::erase_if(rows, [&](const ranking::MarginalRow& m) { return m.key != name; });
  if (rows.empty()) {
    throw UsageError(fmt::format("--by {}: not a hyperparameter that varies; varying: {}", key,
                                 board.varying_keys.empty()
                                     ? std::string("none")
                                     : fmt::format("{}", fmt::join(board.varying_keys, ", "))));
  }
  return rows;
}

ExportFormat ParseExportFormat(const std::string& name) {
  if (name == "table" || name == "text") return ExportFormat::kTable;
  if (name == "md" || name == "markdown") return ExportFormat::kMarkdown;
  if (name == "csv") return ExportFormat::kCsv;
  if (name == "json") return ExportFormat::kJson;
  if (name == "latex" || name == "tex") return ExportFormat::kLatex;
  throw UsageError(fmt::format("unknown format '{}': table, md, csv, json or latex", name));
}

}  // namespace rankme::app
