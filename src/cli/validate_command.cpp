// `rankme validate --labels FILE`: how the label-free ranking agrees with label-based numbers.
#include <fmt/format.h>

#include <memory>

#include "cli/command_table.h"
#include "cli/common.h"
#include "cli/selection_flags.h"

namespace rankme::cli {

namespace {

struct ValidateCliOptions {
  SelectionFlags selection;
  OutputFlags output;
  app::ValidateOptions validate;
  bool lower_is_better = false;
  bool signals_only = false;
};

int Run(const ValidateCliOptions& o) {
  app::ValidateOptions options = o.validate;
  options.selection = o.selection.Resolve();
  options.label_higher_is_better = !o.lower_is_better;
  const app::ValidateReport report = app::ValidateWithLabels(options);
  PrintNotes(report.board);
  if (!options.labels_file.empty()) {
    PrintNote(fmt::format("{} {} values imported from {}", report.imported, report.validation.label,
                          options.labels_file));
  }
  for (const auto& line : report.unmatched) PrintNote("not matched: " + line);
  for (const auto& note : report.validation.notes) PrintNote(note);
  const app::ExportFormat format = app::ParseExportFormat(o.output.format);
  if (format == app::ExportFormat::kCsv) {
    // A CSV document holds one table: the other one's existence, or the table's footnotes, here.
    if (o.signals_only) {
      for (const auto& note : app::SignalFootnotes(report)) PrintNote(note);
    } else if (!report.signals.empty()) {
      PrintNote("every signal's table (metric x tensor), by regret: --signals");
    }
  }
  o.output.Emit(app::RenderValidation(
      report, format,
      o.signals_only ? app::ValidationTables::kSignalsOnly : app::ValidationTables::kBoth));
  return 0;
}

}  // namespace

Command MakeValidateCommand() {
  return {"validate",
          "rank correlation and regret of the label-free pick against labels, for every signal",
          [](CLI::App& sub) {
            auto o = std::make_shared<ValidateCliOptions>();
            o->selection.Add(sub);
            o->output.Add(sub);
            sub.add_option("--labels", o->validate.labels_file,
                           "CSV or JSON: run [, checkpoint | step | epoch], value columns")
                ->check(CLI::ExistingFile);
            sub.add_option("--label-column", o->validate.label_column,
                           "value column of the file, or stored label name (default: the first "
                           "numeric column)");
            sub.add_flag("--lower-is-better", o->lower_is_better,
                         "the label-based number is an error, not an accuracy");
            sub.add_flag("--signals", o->signals_only,
                         "print only the table of every signal (metric x tensor): rho, tau-b and "
                         "regret per group, lowest regret first; 'reversed' when rho < -0.3 over "
                         ">= 5 configurations (without it, CSV holds the ranked signal's table)");
            return std::function<int()>([o] { return Run(*o); });
          }};
}

}  // namespace rankme::cli
