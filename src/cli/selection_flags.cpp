#include "cli/selection_flags.h"

#include "cli/common.h"
#include "cli/option_checks.h"
#include "rankme/app/database_admin.h"
#include "rankme/report/output_file.h"

namespace rankme::cli {

void SelectionFlags::Add(CLI::App& sub) {
  AddDatabaseOption(sub, db);
  sub.add_option("--metric", metric, "metric to rank by")->capture_default_str();
  sub.add_option("--tensor", tensor,
                 "tensor to rank (default: embeddings when present, as the paper does)");
  sub.add_option("--checkpoint", checkpoint,
                 "a run's value: last, best, step=S, epoch=E or mean-last=K")
      ->capture_default_str();
  sub.add_option("--within", within,
                 "rank separately per value of this hyperparameter (e.g. method)");
  sub.add_option("--collapse-fraction", collapse_fraction,
                 "flag 'collapsed' when mean RankMe < this fraction of min(N, D)")
      ->capture_default_str()
      ->check(FiniteNumber(0, 1));
}

app::SelectionOptions SelectionFlags::Resolve() const {
  app::SelectionOptions options;
  options.db_path = app::ResolveDatabasePath(db);
  options.metric = metric;
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
      "write to this file instead of stdout (a regular file is replaced atomically; - is stdout)");
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
