// `best`, `leaderboard`, `marginals` and `validate`: read the database once, rank in memory.
#include "rankme/app/selection.h"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "rankme/app/label_file.h"
#include "rankme/core/error.h"
#include "rankme/store/catalog.h"

namespace rankme::app {

namespace {

// Makes the scores of `tensor` the scores of `input` (replacing any others).
void LoadScores(store::Catalog& catalog, const std::string& tensor, ranking::RankingInput& input) {
  input.scores.clear();
  input.settings_keys.clear();
  // Room for the tensor's share of the tensor rows, one score each: growing 100,000 rows by
  // doubling would touch twice the memory (and pages cost more than the copies). Room reserved
  // but unused is never touched.
  const auto tensors = std::max<std::size_t>(1, input.tensor_counts.size());
  input.scores.reserve(static_cast<std::size_t>(catalog.TensorRowsBound()) / tensors + 16);
  catalog.VisitRankingScores(input.metric, tensor, [&](const store::RankingScoreView& view) {
    ranking::RankingScore& s = input.scores.emplace_back();
    s.run_id = view.run_id;
    s.checkpoint_id = view.checkpoint_id;
    s.checkpoint = view.checkpoint;
    s.step = view.step;
    s.epoch = view.epoch;
    s.position = view.position;
    s.tensor = tensor;
    s.value = view.value;
    s.degenerate = view.degenerate;
    s.rows_used = view.rows_used;
    s.cols = view.cols;
    s.settings = input.AddSettings(view.settings_key);
  });
}

// Everything ranking needs, with the scores of the tensor that will be ranked only.
ranking::RankingInput LoadInput(store::Database& db, const SelectionOptions& options) {
  store::Catalog catalog(db);
  ranking::RankingInput input;
  input.metric = options.metric;
  // Counting each tensor's scores reads every score; the counts matter only when several
  // tensors are scored, none is asked for and none is embeddings (the most scored is ranked).
  const std::vector<std::string> names = catalog.ScoredTensorNames(options.metric);
  if (names.empty()) {
    const std::vector<std::string> metrics = catalog.ScoredMetrics();
    if (!metrics.empty()) {
      throw UsageError(fmt::format("--metric {}: no such scores; the database has {}",
                                   options.metric, fmt::join(metrics, ", ")),
                       options.db_path);
    }
  }
  if (options.ranking.tensor.empty() && names.size() > 1 &&
      std::find(names.begin(), names.end(), "embeddings") == names.end()) {
    input.tensor_counts = catalog.ScoredTensors(options.metric);
  } else {
    for (const std::string& name : names) input.tensor_counts[name] = 0;
  }
  const std::string tensor =
      ranking::ChooseTensor(input.tensor_counts, options.ranking.tensor, options.metric);
  input.runs = catalog.Runs();
  if (!tensor.empty()) LoadScores(catalog, tensor, input);
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

  auto compare = [&](const std::string& what, const ranking::Leaderboard& other) {
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
  store::Catalog catalog(db);
  for (const std::string& tensor : report.board.tensors) {
    if (tensor == report.board.tensor) continue;
    ranking::RankingOptions variant = options.ranking;
    variant.tensor = tensor;
    LoadScores(catalog, tensor, input);  // the main tensor's scores are no longer needed
    compare("tensor " + tensor, ranking::BuildLeaderboard(input, variant));
  }
  if (!report.board.tensor.empty()) {
    for (std::size_t i = 1; i < policies.size(); ++i) {
      compare("checkpoint " + policies[i].ToString(), boards[i]);
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
