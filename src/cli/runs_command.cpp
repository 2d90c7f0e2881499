// `rankme runs` and `rankme show RUN`: what the database holds, run by run.
#include <fmt/format.h>

#include <memory>

#include "cli/command_table.h"
#include "cli/common.h"
#include "rankme/app/database_admin.h"
#include "rankme/app/run_listing.h"
#include "rankme/report/number_format.h"
#include "rankme/report/table.h"

namespace rankme::cli {

namespace {

struct RunsOptions {
  std::string db;
  std::string run;
  bool json = false;
};

std::string StepText(const CheckpointScore& s) {
  if (s.step) return std::to_string(*s.step);
  return "-";
}

std::string ValueText(const std::optional<double>& value) {
  return value ? report::FormatScore(*value) : "degenerate";
}

int RunList(const RunsOptions& options) {
  const auto runs = app::ListRuns(app::ResolveDatabasePath(options.db));
  if (options.json) {
    PrintOut(app::RenderRunsJson(runs));
    return 0;
  }
  report::Table table;
  table.headers = {"run",  "config", "seed",   "layout",  "checkpoints",
                   "last", "tensor", "rankme", "problems"};
  using A = report::Table::Align;
  table.align = {A::kLeft, A::kLeft, A::kRight, A::kLeft, A::kRight,
                 A::kLeft, A::kLeft, A::kRight, A::kRight};
  for (const auto& r : runs) {
    table.rows.push_back({r.run.name + (r.run.status == "missing" ? " (missing)" : ""),
                          r.run.config_id, r.run.seed.value_or("-"), r.run.layout,
                          std::to_string(r.checkpoints), r.latest ? r.latest->checkpoint : "-",
                          r.latest ? r.latest->tensor : "-",
                          r.latest ? ValueText(r.latest->value) : "-",
                          r.failures ? std::to_string(r.failures) : ""});
  }
  PrintOut(report::RenderText(table));
  return 0;
}

int RunShow(const RunsOptions& options) {
  const auto d = app::ShowRun(app::ResolveDatabasePath(options.db), options.run);
  if (options.json) {
    PrintOut(app::RenderRunJson(d));
    return 0;
  }
  std::string out = fmt::format("run      {}\npath     {}\nlayout   {}\nconfig   {}\nseed     {}\n",
                                report::VisibleText(d.run.name), report::VisibleText(d.run.path),
                                report::VisibleText(d.run.layout), d.run.config_id,
                                report::VisibleText(d.run.seed.value_or("-")));
  if (d.run.status == "missing") out += "status   missing: its folder is no longer present\n";
  out += "\nconfig (hyperparameters decide the configuration; seed and bookkeeping do not):\n";
  report::Table params;
  params.headers = {"key", "name", "value", "role"};
  for (const auto& p : d.params) {
    // The hyperparameter's name across the sweep, where it differs from the key as written.
    const std::string name = p.name.empty() || p.name == p.key ? "" : p.name;
    params.rows.push_back({p.key, name, p.value_json, p.role + (p.swept ? ", swept" : "")});
  }
  out += report::RenderText(params);
  out += "\ncheckpoints:\n";
  report::Table scores;
  scores.headers = {"checkpoint", "step", "epoch", "tensor", "rankme",
                    "path",       "rows", "D",     "dtype"};
  using A = report::Table::Align;
  scores.align = {A::kLeft, A::kRight, A::kRight, A::kLeft, A::kRight,
                  A::kLeft, A::kRight, A::kRight, A::kLeft};
  for (const auto& s : d.scores) {
    scores.rows.push_back({s.checkpoint, StepText(s), s.epoch ? std::to_string(*s.epoch) : "-",
                           s.tensor, ValueText(s.value), s.method, std::to_string(s.rows_used),
                           std::to_string(s.cols), s.dtype});
  }
  out += report::RenderText(scores);
  if (!d.failures.empty()) {
    out += "\nproblems:\n";
    report::Table failures;
    failures.headers = {"checkpoint", "tensor", "status", "attempts", "reason"};
    for (const auto& f : d.failures) {
      failures.rows.push_back({f.checkpoint, f.tensor.empty() ? "-" : f.tensor, f.status,
                               std::to_string(f.attempts), f.message});
    }
    out += report::RenderText(failures);
  }
  PrintOut(out);
  return 0;
}

}  // namespace

Command MakeRunsCommand() {
  return {"runs", "list the stored runs with their configuration, seed and latest RankMe",
          [](CLI::App& sub) {
            auto o = std::make_shared<RunsOptions>();
            AddDatabaseOption(sub, o->db);
            sub.add_flag("--json", o->json, "print JSON");
            return std::function<int()>([o] { return RunList(*o); });
          }};
}

Command MakeShowCommand() {
  return {"show", "one run: its config, every checkpoint's scores, its failures",
          [](CLI::App& sub) {
            auto o = std::make_shared<RunsOptions>();
            sub.add_option("run", o->run, "run name (as `rankme runs` lists it), path or id")
                ->required();
            AddDatabaseOption(sub, o->db);
            sub.add_flag("--json", o->json, "print JSON");
            return std::function<int()>([o] { return RunShow(*o); });
          }};
}

}  // namespace rankme::cli
