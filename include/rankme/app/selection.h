#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "rankme/ranking/leaderboard.h"
#include "rankme/ranking/marginals.h"
#include "rankme/ranking/pick.h"
#include "rankme/ranking/validation.h"

namespace rankme::app {

/// What `best`, `leaderboard`, `marginals` and `validate` rank.
struct SelectionOptions {
  std::string db_path;            ///< an existing database (resolve with ResolveDatabasePath)
  std::string metric = "rankme";  ///< metric to rank by: a name of AllMetrics()
  /// Tensor, checkpoint policy, within, collapse threshold, the target of closer-to-target
  /// metrics (alpha_req).
  ranking::RankingOptions ranking;
  /// Also read the files behind every run's value (RunValue::files); `best` reads them only
  /// for its picks and runners-up. Costs one indexed lookup per run.
  bool with_files = false;
};

/// Reads the database (one query each for runs, the scores of the ranked tensor and failures;
/// opened read-only, never migrated) and ranks its configurations. Throws StoreError when the file
/// is not a rankme database, UsageError for an unknown tensor or `within` key.
ranking::Leaderboard LoadLeaderboard(const SelectionOptions& options);

/// The marginals of the leaderboard (the mean value per value of each varying
/// hyperparameter), of `key` alone when it is not empty (`leaderboard --by KEY`). Throws
/// UsageError naming the varying keys when `key` is not one of them.
std::vector<ranking::MarginalRow> MarginalsOf(const ranking::Leaderboard& board,
                                              const std::string& key = "");

/// What the pick would be with another tensor or checkpoint policy.
struct Alternative {
  std::string what;       ///< e.g. "tensor representations", "checkpoint best"
  std::string group;      ///< the `within` value (JSON literal), "" without
  std::string config_id;  ///< its pick ("" when it has none)
  bool differs = false;   ///< not the pick of the main ranking
  std::map<std::string, std::string> hyperparameters;  ///< of its pick
};

/// A label-free signal: one metric of one tensor.
struct Signal {
  std::string metric;
  std::string tensor;
  bool operator==(const Signal&) const = default;
};

/// What a signal picks in one group.
struct SignalPick {
  std::string group;         ///< the `within` value (JSON literal), "" without
  std::string config_id;     ///< "" when no configuration of the group has a value
  ranking::Summary summary;  ///< the pick's value of the signal's metric over seeds
  std::map<std::string, std::string> hyperparameters;  ///< of the pick
  bool agrees = false;  ///< the same configuration as the main ranking's pick of the group
};

/// One signal ranked like the main ranking (same checkpoint policy, within, target): its picks
/// and, when labels are compared, its agreement with them.
struct SignalSummary {
  Signal signal;
  ranking::ValueOrder order;
  bool ranked = false;            ///< the signal the command ranks by (--metric, --tensor)
  std::vector<SignalPick> picks;  ///< one per group, in group order
  std::optional<ranking::Validation> validation;  ///< with labels only
};

/// `rankme best`: the leaderboard, its picks, the picks under every other scored tensor and
/// under the checkpoint policies last and best (those that differ from the asked one), and
/// the second opinions: what every other scored signal (metric × tensor) picks.
struct BestReport {
  ranking::Leaderboard board;
  std::vector<ranking::Pick> picks;
  std::vector<Alternative> alternatives;
  std::vector<SignalSummary> second_opinions;  ///< every scored signal but the ranked one
};
BestReport FindBest(const SelectionOptions& options);

/// Settings of `rankme validate`.
struct ValidateOptions {
  SelectionOptions selection;
  std::string labels_file;   ///< CSV or JSON (see ParseLabelFile); empty: use stored labels
  std::string label_column;  ///< value column; empty: the first numeric one
  std::string label_name;    ///< stored label to use without a file (default: the only one)
  bool label_higher_is_better = true;
};

/// `rankme validate`: imports the label file into the database (replacing earlier values of
/// the same run, checkpoint and name; migrating the database to schema 2 when needed), then
/// compares the ranking with the labels, and every scored signal (metric × tensor) too.
struct ValidateReport {
  ranking::Leaderboard board;
  ranking::Validation validation;
  /// Every scored signal (the ranked one included, marked), in catalog order: which to trust.
  std::vector<SignalSummary> signals;
  std::size_t imported = 0;            ///< label values stored from the file
  std::vector<std::string> unmatched;  ///< entries of the file matching no run or checkpoint
};
ValidateReport ValidateWithLabels(const ValidateOptions& options);

/// Export formats of the leaderboard, marginals and validation tables.
enum class ExportFormat { kTable, kMarkdown, kCsv, kJson, kLatex };
/// "table", "md" (or "markdown"), "csv", "json", "latex"; throws UsageError otherwise.
ExportFormat ParseExportFormat(const std::string& name);

/// The leaderboard in `format`: rank, group, the varying hyperparameters, mean, std, n, min,
/// max, flags; at most `top` configurations per group (0 = all).
std::string RenderLeaderboard(const ranking::Leaderboard& board, ExportFormat format,
                              std::size_t top = 0);
/// Marginals in `format`.
std::string RenderMarginals(const ranking::Leaderboard& board,
                            const std::vector<ranking::MarginalRow>& rows, ExportFormat format);
/// `rankme best` for people: per group the pick, its hyperparameters, mean ± std over n seeds,
/// the margin to the runner-up, its runs and checkpoint files, and the alternatives.
std::string RenderBestText(const BestReport& report);
/// `rankme best --json`.
std::string RenderBestJson(const BestReport& report);
/// What RenderValidation prints.
enum class ValidationTables {
  kBoth,         ///< the ranked signal's table, then every signal's (CSV: the first only)
  kSignalsOnly,  ///< every signal's table only (`--signals`)
};
/// `rankme validate` in `format`: the ranked signal's agreement (overall line first, then one
/// per group) and the table of every signal (metric × tensor), per group (overall first) by
/// regret ascending, with its footnotes. A CSV document holds one table: the first, or with
/// kSignalsOnly the second. JSON holds both ("agreement", "signals").
std::string RenderValidation(const ValidateReport& report, ExportFormat format,
                             ValidationTables tables = ValidationTables::kBoth);
/// What the flags and the order of the table of signals mean (the lines RenderValidation
/// prints under it), e.g. for stderr beside a CSV file.
std::vector<std::string> SignalFootnotes(const ValidateReport& report);

}  // namespace rankme::app
