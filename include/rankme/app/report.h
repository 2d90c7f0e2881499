#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "rankme/report/html_report.h"

namespace rankme::app {

/// What `rankme report` shows. Defaults are what it does without flags.
struct ReportOptions {
  std::string metric = "rankme";  ///< metric to rank by: a name of AllMetrics()
  /// Target of closer-to-target metrics (alpha_req), for the ranking and the signals panel;
  /// empty: the metric's default (1).
  std::optional<double> alpha_target;
  /// Tensor to rank; empty: `embeddings` when any run has it, else the most scored tensor.
  std::string tensor;
  /// Checkpoint policy text: last | best | step=S | epoch=E | mean-last=K.
  std::string checkpoint = "last";
  /// Hyperparameter whose values are ranked (and plotted) separately; empty: one ranking.
  std::string within;
  /// Name of the label-based number to validate against; empty: the only stored one (none is
  /// shown when no label-based number is stored, or when several are and none is named).
  std::string label;
  /// Configurations per group whose spectra are drawn (the best ones).
  std::size_t spectra_configurations = 5;
  std::string title = "RankMe report";
};

/// The report's data, read from the database at `db_path` (opened read-only, never migrated)
/// and ranked by the ranking layer exactly as `rankme leaderboard` ranks it, with every other
/// scored signal (metric × tensor) ranked alike beside it ("metrics side by side"). Throws
/// StoreError when the database cannot be read, UsageError for an unknown metric, tensor,
/// within key or label.
report::ReportData BuildReport(const std::string& db_path, const ReportOptions& options = {});

/// What WriteReport wrote.
struct ReportFile {
  std::string path;       ///< the HTML file
  std::size_t bytes = 0;  ///< its size
  std::size_t configurations = 0, runs = 0;
  std::vector<std::string> notes;  ///< the ranking's assumptions, for stderr
};

/// Builds the report of `db_path` and writes it as one self-contained HTML file at `out_path`
/// (replaced atomically: written beside it, then renamed). Throws IoError when it cannot write.
ReportFile WriteReport(const std::string& db_path, const std::string& out_path,
                       const ReportOptions& options = {});

}  // namespace rankme::app
