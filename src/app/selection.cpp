// `best`, `leaderboard`, `marginals` and `validate`: read the database once, rank in memory.
#include "rankme/app/selection.h"

#include <fmt/format.h>

#include <fstream>
#include <set>
#include <sstream>

#include "rankme/app/label_file.h"
#include "rankme/core/error.h"
#include "rankme/store/catalog.h"

namespace rankme::app {

namespace {

// Everything ranking needs, with the scores of the tensor that will be ranked only.
ranking::RankingInput LoadInput(store::Database& db, const SelectionOptions& options) {
  store::Catalog catalog(db);
  ranking::RankingInput input;
  input.metric = options.metric;
  input.tensor_counts = catalog.ScoredTensors(options.metric);
  const std::string tensor =
      ranking::ChooseTensor(input.tensor_counts, options.ranking.tensor, options.metric);
  input.runs = catalog.Runs();
  if (!tensor.empty()) input.scores = catalog.MetricScores(options.metric, tensor);
  input.unscored = catalog.UnscoredTensors();
  return input;
}

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

store::Database OpenForReading(const std::string& path) {
  return store::Database::Open(path, {.create = false, .migrate = false, .read_only = true});
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
  BestReport report;
  report.board = ranking::BuildLeaderboard(input, options.ranking);
  report.picks = ranking::PickBest(report.board);
  for (const ranking::Pick& pick : report.picks) {
    if (pick.best) FillFiles(db, report.board, report.board.configurations[*pick.best]);
    if (pick.runner_up) FillFiles(db, report.board, report.board.configurations[*pick.runner_up]);
  }

  auto compare = [&](const std::string& what, const ranking::RankingOptions& variant,
                     const ranking::RankingInput& variant_input) {
    const ranking::Leaderboard other = ranking::BuildLeaderboard(variant_input, variant);
    const auto picks = ranking::PickBest(other);
    for (const ranking::Pick& main : report.picks) {
      Alternative alt;
      alt.what = what;
      alt.group = main.group;
      alt.config_id = ranking::PickedConfig(other, picks, main.group);
      const std::string mine = ranking::PickedConfig(report.board, report.picks, main.group);
      alt.differs = alt.config_id != mine;
      for (const auto& row : other.configurations) {
        if (row.config_id == alt.config_id) alt.hyperparameters = row.hyperparameters;
      }
      report.alternatives.push_back(std::move(alt));
    }
  };
  for (const std::string& tensor : report.board.tensors) {
    if (tensor == report.board.tensor) continue;
    ranking::RankingOptions variant = options.ranking;
    variant.tensor = tensor;
    ranking::RankingInput other = input;
    other.scores = store::Catalog(db).MetricScores(options.metric, tensor);
    compare("tensor " + tensor, variant, other);
  }
  for (const char* policy : {"last", "best"}) {
    const auto parsed = ranking::CheckpointPolicy::Parse(policy);
    if (parsed == options.ranking.checkpoint || report.board.tensor.empty()) continue;
    ranking::RankingOptions variant = options.ranking;
    variant.tensor = report.board.tensor;
    variant.checkpoint = parsed;
    compare(std::string("checkpoint ") + policy, variant, input);
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
  report.board =
      ranking::BuildLeaderboard(LoadInput(db, options.selection), options.selection.ranking);
  report.validation = ranking::Validate(report.board, catalog.Labels(name), checkpoints,
                                        options.label_higher_is_better);
  report.validation.label = name;
  return report;
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
