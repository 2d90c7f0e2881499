#include "cli/selection_flags.h"

#include <fmt/format.h>

#include "cli/common.h"
#include "cli/option_checks.h"
#include "rankme/app/database_admin.h"
#include "rankme/core/metric_catalog.h"
#include "rankme/report/output_file.h"

namespace rankme::cli {

void SelectionFlags::AddMetric(CLI::App& sub, std::string& metric, double& alpha_target) {
  sub.add_option("--metric", metric,
                 fmt::format("metric to rank by: {} (higher is better; alpha_req: closer to "
                             "--alpha-target)",
                             MetricNameList()))
      ->capture_default_str()
      ->check(MetricName());
  sub.add_option("--alpha-target", alpha_target,
                 "alpha_req ranks configurations by |mean alpha - this target| (closer is better); "
                 "also in second opinions and signal tables")
      ->capture_default_str()
      ->check(FiniteNumber(-1e6, 1e6));
}

void SelectionFlags::Add(CLI::App& sub) {
  AddDatabaseOption(sub, db);
  AddMetric(sub, metric, alpha_target);
  sub.add_option("--tensor", tensor,
                 "tensor to rank (default: embeddings when present, as the paper does)");
  sub.add_option("--checkpoint", checkpoint,
                 "a run's value: last, best, step=S, epoch=E or mean-last=K")
      ->capture_default_str();
  sub.add_option("--within", within,
                 "rank separately per value of this hyperparameter (e.g. method)");
  sub.add_option("--collapse-fraction", collapse_fraction,
                 "rankme and rankme_centered only: flag 'collapsed' when the mean is below this "
                 "fraction of min(N, D) (the other metrics have other ceilings, or none)")
      ->capture_default_str()
      ->check(FiniteNumber(0, 1));
}

app::SelectionOptions SelectionFlags::Resolve() const {
  app::SelectionOptions options;
  options.db_path = app::ResolveDatabasePath(db);
  options.metric = metric;
  options.ranking.target = alpha_target;
  options.ranking.tensor = tensor;
  options.ranking.checkpoint = ranking::CheckpointPolicy::Parse(checkpoint);
  options.ranking.within = within;
  options.ranking.collapse_fraction = collapse_fraction;
  return options;
}

void OutputFlags::Add(CLI::App& sub, bool with_format) {
  if (with_format) {
    sub.add_option("--format", format, "table, md, csv, json or latex")
        ->capture_default_str()
        ->check(CLI::IsMember({"table", "text", "md", "markdown", "csv", "json", "latex", "tex"}));
  }
  sub.add_option(
      "-o,--output", output,
      "write to this file instead of stdout (a regular file is replaced atomically; - is stdout)")
      ->check(OutputPath());
}

void OutputFlags::Emit(const std::string& text) const {
  if (output.empty()) {
    PrintOut(text);
  } else if (report::WriteOutputFile(output, text) != report::OutputTarget::kStdout) {
    PrintNote("wrote " + output);
  }
}

void PrintNotes(const ranking::Leaderboard& board) {
  for (const auto& note : board.notes) PrintNote(note);
}

}  // namespace rankme::cli
