// `rankme demo`: the built-in default job. Shows what RankMe measures on matrices with known
// spectra, then runs the whole pipeline on a small synthetic sweep.
#include <fmt/format.h>

#include <memory>

#include "cli/command_table.h"
#include "cli/common.h"
#include "cli/option_checks.h"
#include "rankme/app/demo.h"
#include "rankme/app/selection.h"
#include "rankme/report/number_format.h"
#include "rankme/report/table.h"

namespace rankme::cli {

namespace {

int Run(const app::DemoOptions& options) {
  PrintNote("writing synthetic data (a few seconds)...");
  const app::DemoResult demo = app::RunDemo(options);
  std::string out;
  out += fmt::format(
      "1. What RankMe measures: four 2048 x 256 float32 matrices with prescribed singular "
      "values,\n   written as .npy to {}/spectra and scored like any embedding file.\n\n",
      demo.dir);
  report::Table table;
  table.headers = {"matrix", "expected", "rankme", "path", "what it is"};
  using A = report::Table::Align;
  table.align = {A::kLeft, A::kRight, A::kRight, A::kLeft, A::kLeft};
  int failures = 0;
  for (const auto& m : demo.matrices) {
    const bool ok = m.score.result.has_value();
    if (!ok) ++failures;
    table.rows.push_back({m.name, report::FormatScore(m.expected),
                          ok ? report::FormatScore(m.score.result->value) : m.score.error,
                          ok ? m.score.result->method_used : "-", m.description});
  }
  out += report::RenderText(table);
  out +=
      "\n   expected = RankMe of the prescribed spectrum by the formula (eps = 1e-7 after L1\n"
      "   normalisation); rankme = what the tool measured in the file. They differ where the\n"
      "   file's float32 rounding gives the exact zeros of the low-rank matrices tiny nonzero\n"
      "   singular values. path: gram32 / gram64 = the float32 / float64 Gram tiers, each used\n"
      "   where its error bound is certified; qr = the exact path, for spectra whose small values\n"
      "   neither Gram can resolve.\n\n";
  const auto& s = demo.ingest;
  out += fmt::format(
      "2. A synthetic sweep (method x learning rate x 2 seeds, Hydra multirun layout) at\n"
      "   {}\n   ingested into {}:\n   {} runs in {} configurations, {} checkpoints, {} tensors "
      "scored, {} failed ({:.2f} s).\n\n",
      demo.sweep_dir, demo.db_path, s.runs, s.configurations, s.checkpoints, s.scored, s.failed,
      s.seconds);
  out += "3. Which configuration to pick, without labels (`rankme best --within method`):\n\n";
  out += app::RenderBestText(demo.best);
  out += "\n4. The leaderboard (`rankme leaderboard --within method`):\n\n";
  out += app::RenderLeaderboard(demo.leaderboard, app::ExportFormat::kTable);
  out += fmt::format(
      "\n5. The report, one self-contained page with the leaderboard and plots:\n   {} "
      "({} KB; open it in any browser)\n",
      demo.report.path, (demo.report.bytes + 1023) / 1024);
  out += fmt::format(
      "\nExplore it:\n  rankme runs --db {0}\n  rankme leaderboard --db {0} --within method "
      "--format md\n  sqlite3 {0} 'SELECT run, checkpoint, value FROM checkpoint_scores'\n",
      demo.db_path);
  PrintOut(out);
  return failures == 0 && s.failed == 0 ? 0 : static_cast<int>(ExitCode::kBadInput);
}

}  // namespace

Command MakeDemoCommand() {
  return {"demo", "score matrices with known spectra, then ingest a small synthetic sweep",
          [](CLI::App& sub) {
            auto o = std::make_shared<app::DemoOptions>();
            sub.add_option("--dir", o->dir, "where to write (default: a new temporary folder)")
                ->check(CLI::Validator(
                    [](std::string& path) {
                      return path.empty() ? std::string("'' is not a folder name") : "";
                    },
                    "DIR"));
            sub.add_option("-j,--jobs", o->jobs, "ingest workers (default: one per core)")
                ->check(WholeNumber(0, 1024));
            return std::function<int()>([o] { return Run(*o); });
          },
          /*scores=*/true};
}

}  // namespace rankme::cli
