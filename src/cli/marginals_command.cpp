// `rankme marginals`: the mean score per value of each varying hyperparameter.
#include <memory>

#include "cli/command_table.h"
#include "cli/common.h"
#include "cli/selection_flags.h"

namespace rankme::cli {

namespace {

struct MarginalsCliOptions {
  SelectionFlags selection;
  OutputFlags output;
};

int Run(const MarginalsCliOptions& o) {
  const ranking::Leaderboard board = app::LoadLeaderboard(o.selection.Resolve());
  PrintNotes(board);
  o.output.Emit(app::RenderMarginals(board, ranking::Marginals(board),
                                     app::ParseExportFormat(o.output.format)));
  return 0;
}

}  // namespace

Command MakeMarginalsCommand() {
  return {"marginals", "mean score per value of each varying hyperparameter", [](CLI::App& sub) {
            auto o = std::make_shared<MarginalsCliOptions>();
            o->selection.Add(sub);
            o->output.Add(sub);
            return std::function<int()>([o] { return Run(*o); });
          }};
}

}  // namespace rankme::cli
