// `rankme leaderboard`: ranked configurations, seeds aggregated, in the formats people paste.
#include <memory>

#include "cli/command_table.h"
#include "cli/common.h"
#include "cli/option_checks.h"
#include "cli/selection_flags.h"

namespace rankme::cli {

namespace {

struct LeaderboardCliOptions {
  SelectionFlags selection;
  OutputFlags output;
  std::size_t top = 0;
  std::string by;
};

int Run(const LeaderboardCliOptions& o) {
  const app::ExportFormat format = app::ParseExportFormat(o.output.format);
  app::SelectionOptions options = o.selection.Resolve();
  options.with_files = format == app::ExportFormat::kJson && o.by.empty();
  const ranking::Leaderboard board = app::LoadLeaderboard(options);
  PrintNotes(board);
  if (!o.by.empty()) {
    const auto rows = app::MarginalsOf(board, o.by);
    o.output.Emit(app::RenderMarginals(board, rows, format));
    return 0;
  }
  o.output.Emit(app::RenderLeaderboard(board, format, o.top));
  return 0;
}

}  // namespace

Command MakeLeaderboardCommand() {
  return {
      "leaderboard", "ranked configurations with seeds aggregated (table, md, csv, json, latex)",
      [](CLI::App& sub) {
        auto o = std::make_shared<LeaderboardCliOptions>();
        o->selection.Add(sub);
        o->output.Add(sub);
        sub.add_option("--top", o->top, "at most this many configurations per group (default: all)")
            ->check(WholeNumber(1));
        sub.add_option("--by", o->by, "instead: the mean score per value of this hyperparameter");
        return std::function<int()>([o] { return Run(*o); });
      }};
}

}  // namespace rankme::cli
