// `rankme runs` and `rankme show RUN`: what the database holds, run by run.
#include <fmt/format.h>

#include <memory>
#include <nlohmann/json.hpp>

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

nlohmann::json ScoreJson(const CheckpointScore& s) {
  return {{"checkpoint", s.checkpoint},
          {"step", s.step ? nlohmann::json(*s.step) : nullptr},
          {"epoch", s.epoch ? nlohmann::json(*s.epoch) : nullptr},
          {"tensor", s.tensor},
          {"metric", s.metric},
          {"value", s.value ? nlohmann::json(*s.value) : nullptr},
          {"status", s.status},
          {"method", s.method},
          {"rows_used", s.rows_used},
          {"cols", s.cols},
          {"dtype", s.dtype},
          {"settings", nlohmann::json::parse(s.settings_key)},
          {"files", nlohmann::json::parse(s.files)}};
}

int RunList(const RunsOptions& options) {
  const auto runs = app::ListRuns(app::ResolveDatabasePath(options.db));
  if (options.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& r : runs) {
      out.push_back({{"run", r.run.name},
                     {"path", r.run.path},
                     {"config_id", r.run.config_id},
                     {"hyperparameters", nlohmann::json::parse(r.run.config_key)},
                     {"seed", r.run.seed ? nlohmann::json(*r.run.seed) : nullptr},
                     {"layout", r.run.layout},
                     {"status", r.run.status},
                     {"checkpoints", r.checkpoints},
                     {"failures", r.failures},
                     {"latest", r.latest ? ScoreJson(*r.latest) : nullptr}});
    }
    PrintOut(out.dump(2) + "\n");
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
    nlohmann::json params = nlohmann::json::object();
    for (const auto& p : d.params)
      params[p.key] = {{"value", nlohmann::json::parse(p.value_json)}, {"role", p.role}};
    nlohmann::json scores = nlohmann::json::array();
    for (const auto& s : d.scores) scores.push_back(ScoreJson(s));
    nlohmann::json failures = nlohmann::json::array();
    for (const auto& f : d.failures) {
      failures.push_back({{"checkpoint", f.checkpoint},
                          {"tensor", f.tensor},
                          {"status", f.status},
                          {"kind", f.kind},
                          {"message", f.message},
                          {"attempts", f.attempts}});
    }
    PrintOut(nlohmann::json{{"run", d.run.name},
                            {"path", d.run.path},
                            {"layout", d.run.layout},
                            {"config_id", d.run.config_id},
                            {"seed", d.run.seed ? nlohmann::json(*d.run.seed) : nullptr},
                            {"status", d.run.status},
                            {"config", params},
                            {"scores", scores},
                            {"failures", failures}}
                 .dump(2) +
             "\n");
    return 0;
  }
  std::string out =
      fmt::format("run      {}\npath     {}\nlayout   {}\nconfig   {}\nseed     {}\n", d.run.name,
                  d.run.path, d.run.layout, d.run.config_id, d.run.seed.value_or("-"));
  if (d.run.status == "missing") out += "status   missing: its folder is no longer present\n";
  out += "\nconfig (hyperparameters decide the configuration; seed and bookkeeping do not):\n";
  report::Table params;
  params.headers = {"key", "value", "role"};
  for (const auto& p : d.params) params.rows.push_back({p.key, p.value_json, p.role});
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
