#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "rankme/app/selection.h"

namespace rankme::cli {

/// The flags every ranking command shares (--db, --metric, --alpha-target, --tensor,
/// --checkpoint, --within, --collapse-fraction), bound to this struct.
struct SelectionFlags {
  std::string db;
  std::string metric = "rankme";
  double alpha_target = 1.0;
  std::string tensor;
  std::string checkpoint = "last";
  std::string within;
  double collapse_fraction = 0.01;

  void Add(CLI::App& sub);
  /// --metric and --alpha-target alone (for `report`, which has its own other flags).
  static void AddMetric(CLI::App& sub, std::string& metric, double& alpha_target);
  /// The options these flags ask for; throws UsageError for a bad --checkpoint.
  app::SelectionOptions Resolve() const;
};

/// Output flags of the exporting commands: --format, -o.
struct OutputFlags {
  std::string format = "table";
  std::string output;  ///< empty: stdout

  void Add(CLI::App& sub, bool with_format = true);
  /// Writes `text` to -o FILE atomically, else to stdout.
  void Emit(const std::string& text) const;
};

/// Prints the leaderboard's notes ("tensor: embeddings (default)", guards) to stderr.
void PrintNotes(const ranking::Leaderboard& board);

}  // namespace rankme::cli
