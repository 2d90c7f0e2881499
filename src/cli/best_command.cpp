// `rankme best`: the configuration to pick, with the evidence.
#include <memory>

#include "cli/command_table.h"
#include "cli/common.h"
#include "cli/selection_flags.h"
#include "rankme/core/error.h"

namespace rankme::cli {

namespace {

struct BestCliOptions {
  SelectionFlags selection;
  OutputFlags output;
  bool json = false;
};

int Run(const BestCliOptions& o) {
  const app::BestReport report = app::FindBest(o.selection.Resolve());
  PrintNotes(report.board);
  o.output.Emit(o.json ? app::RenderBestJson(report) : app::RenderBestText(report));
  for (const auto& pick : report.picks) {
    if (pick.best) return 0;
  }
  return static_cast<int>(ExitCode::kBadInput);  // nothing could be ranked
}

}  // namespace

Command MakeBestCommand() {
  return {"best",
          "the configuration to pick: hyperparameters, score over seeds, margin, runs, and what "
          "every other metric and tensor would pick",
          [](CLI::App& sub) {
            auto o = std::make_shared<BestCliOptions>();
            o->selection.Add(sub);
            o->output.Add(sub, false);
            sub.add_flag("--json", o->json, "print JSON");
            return std::function<int()>([o] { return Run(*o); });
          }};
}

}  // namespace rankme::cli
