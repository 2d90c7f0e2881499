// `rankme report -o report.html`: one self-contained HTML page with the leaderboard and plots.
#include <fmt/format.h>

#include <memory>

#include "cli/command_table.h"
#include "cli/common.h"
#include "cli/option_checks.h"
#include "cli/selection_flags.h"
#include "rankme/app/database_admin.h"
#include "rankme/app/report.h"

namespace rankme::cli {

namespace {

struct ReportCommandOptions {
  std::string db;
  std::string output = "report.html";
  app::ReportOptions report;
  double alpha_target = 1.0;
};

int Run(const ReportCommandOptions& options) {
  app::ReportOptions report = options.report;
  report.alpha_target = options.alpha_target;
  const app::ReportFile file =
      app::WriteReport(app::ResolveDatabasePath(options.db), options.output, report);
  for (const std::string& note : file.notes) PrintNote(note);
  PrintNote(fmt::format("wrote {} ({:.1f} KB: {} configurations, {} runs)", file.path,
                        static_cast<double>(file.bytes) / 1024.0, file.configurations, file.runs));
  return 0;
}

}  // namespace

Command MakeReportCommand() {
  return {"report",
          "write a self-contained HTML report: leaderboard, training curves, spectra, every "
          "metric side by side",
          [](CLI::App& sub) {
            auto o = std::make_shared<ReportCommandOptions>();
            sub.add_option("-o,--output", o->output, "HTML file to write")
                ->capture_default_str()
                ->check(OutputPath());
            AddDatabaseOption(sub, o->db);
            SelectionFlags::AddMetric(sub, o->report.metric, o->alpha_target);
            sub.add_option("--tensor", o->report.tensor,
                           "tensor to rank (default: embeddings, else the most scored)");
            sub.add_option("--checkpoint", o->report.checkpoint,
                           "checkpoint of each run: last | best | step=S | epoch=E | mean-last=K")
                ->capture_default_str();
            sub.add_option("--within", o->report.within,
                           "hyperparameter whose values are ranked separately (e.g. method)");
            sub.add_option("--label", o->report.label,
                           "label-based number to compare with (default: the only one stored)");
            sub.add_option("--spectra", o->report.spectra_configurations,
                           "configurations per group whose spectra are drawn")
                ->capture_default_str()
                ->check(WholeNumber(0, 1000));
            sub.add_option("--title", o->report.title, "page title")->capture_default_str();
            return std::function<int()>([o] { return Run(*o); });
          }};
}

}  // namespace rankme::cli
