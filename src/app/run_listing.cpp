#include "rankme/app/run_listing.h"

#include <algorithm>
#include <map>
#include <set>

#include "app/json_text_internal.h"
#include "rankme/core/error.h"
#include "rankme/core/utf8_text.h"
#include "rankme/report/table.h"

namespace rankme::app {

namespace {

store::Database OpenForReading(const std::string& db_path) {
  return store::Database::Open(db_path, {.create = false, .migrate = false, .read_only = true});
}

nlohmann::json OptionalJson(const std::optional<std::int64_t>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

nlohmann::json ScoreJson(const CheckpointScore& s) {
  return {{"checkpoint", s.checkpoint},
          {"step", OptionalJson(s.step)},
          {"epoch", OptionalJson(s.epoch)},
          {"tensor", s.tensor},
          {"metric", s.metric},
          {"value", s.value ? nlohmann::json(*s.value) : nullptr},
          {"status", s.status},
          {"method", s.method},
          {"rows_used", s.rows_used},
          {"cols", s.cols},
          {"dtype", s.dtype},
          {"settings", internal::StoredJson(s.settings_key)},
          {"files", internal::StoredJson(s.files)}};
}

nlohmann::json SeedJson(const RunRecord& run) {
  return run.seed ? nlohmann::json(*run.seed) : nlohmann::json(nullptr);
}

}  // namespace

std::string PreferredTensor(const std::vector<std::string>& names) {
  if (names.empty()) return "";
  if (std::find(names.begin(), names.end(), "embeddings") != names.end()) return "embeddings";
  return *std::min_element(names.begin(), names.end());
}

std::vector<RunOverview> ListRuns(const std::string& db_path) {
  store::Database db = OpenForReading(db_path);
  store::Catalog catalog(db);
  const auto counts = catalog.CheckpointCounts();
  std::map<std::int64_t, std::vector<CheckpointScore>> scores_by_run;
  for (auto& score : catalog.Scores("rankme")) scores_by_run[score.run_id].push_back(score);
  std::map<std::int64_t, std::int64_t> failures;
  for (const auto& failure : catalog.Failures()) ++failures[failure.run_id];

  std::vector<RunOverview> out;
  for (auto& run : catalog.Runs()) {
    RunOverview overview;
    overview.checkpoints = counts.count(run.run_id) ? counts.at(run.run_id) : 0;
    overview.failures = failures.count(run.run_id) ? failures.at(run.run_id) : 0;
    const auto& scores = scores_by_run[run.run_id];
    std::set<std::string> names;
    for (const auto& s : scores) names.insert(s.tensor);
    const std::string tensor = PreferredTensor({names.begin(), names.end()});
    for (const auto& s : scores) {  // ordered by position: keep the last of the tensor
      if (s.tensor == tensor && (!overview.latest || s.position >= overview.latest->position)) {
        overview.latest = s;
      }
    }
    overview.run = std::move(run);
    out.push_back(std::move(overview));
  }
  return out;
}

RunDetail ShowRun(const std::string& db_path, const std::string& which) {
  store::Database db = OpenForReading(db_path);
  store::Catalog catalog(db);
  std::vector<RunRecord> matches;
  std::vector<std::string> names;
  // Stored names hold invalid bytes escaped: the name a folder has on disk is escaped alike.
  const std::string stored = EscapeInvalidUtf8(which);
  for (auto& run : catalog.Runs()) {
    names.push_back(run.name);
    if (run.name == stored || run.path == stored || std::to_string(run.run_id) == which) {
      matches.push_back(std::move(run));
    }
  }
  if (matches.size() != 1) {
    // Names as tables show them: a run folder named with control characters cannot break the
    // message or drive the terminal.
    std::string listed;
    for (std::size_t i = 0; i < names.size() && i < 20; ++i) {
      listed += "\n  " + report::VisibleText(names[i]);
    }
    if (names.size() > 20) listed += "\n  ... and " + std::to_string(names.size() - 20) + " more";
    const std::string asked = report::VisibleText(which);
    throw UsageError(matches.empty() ? "no run named '" + asked + "'; runs:" + listed
                                     : "several runs match '" + asked + "'; use the path",
                     db_path);
  }
  RunDetail detail;
  detail.run = std::move(matches.front());
  detail.params = catalog.Params(detail.run.run_id);
  for (auto& s : catalog.Scores("")) {
    if (s.run_id == detail.run.run_id) detail.scores.push_back(std::move(s));
  }
  for (auto& f : catalog.Failures()) {
    if (f.run_id == detail.run.run_id) detail.failures.push_back(std::move(f));
  }
  return detail;
}

std::vector<CheckpointScore> ListScores(const std::string& db_path, const ScoreFilter& filter) {
  store::Database db = OpenForReading(db_path);
  store::Catalog catalog(db);
  std::map<std::int64_t, std::vector<CheckpointScore>> by_run;  // each in ShowRun's order
  for (auto& s : catalog.Scores(filter.metric)) {
    if (filter.tensor.empty() || s.tensor == filter.tensor)
      by_run[s.run_id].push_back(std::move(s));
  }
  std::vector<CheckpointScore> out;
  for (const auto& run : catalog.Runs()) {
    auto found = by_run.find(run.run_id);
    if (found == by_run.end()) continue;
    for (auto& s : found->second) out.push_back(std::move(s));
  }
  return out;
}

std::string RenderScoresJson(const std::vector<CheckpointScore>& scores) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& s : scores) {
    nlohmann::json row = ScoreJson(s);
    row["run"] = s.run;
    row["config_id"] = s.config_id;
    row["seed"] = s.seed ? nlohmann::json(*s.seed) : nlohmann::json(nullptr);
    out.push_back(std::move(row));
  }
  return internal::JsonDocument(out);
}

std::string RenderRunsJson(const std::vector<RunOverview>& runs) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& r : runs) {
    out.push_back({{"run", r.run.name},
                   {"path", r.run.path},
                   {"config_id", r.run.config_id},
                   {"hyperparameters", internal::StoredJson(r.run.config_key)},
                   {"seed", SeedJson(r.run)},
                   {"layout", r.run.layout},
                   {"status", r.run.status},
                   {"checkpoints", r.checkpoints},
                   {"failures", r.failures},
                   {"latest", r.latest ? ScoreJson(*r.latest) : nullptr}});
  }
  return internal::JsonDocument(out);
}

std::string RenderRunJson(const RunDetail& d) {
  nlohmann::json params = nlohmann::json::object();
  for (const auto& p : d.params) {
    params[p.key] = {{"value", internal::StoredJson(p.value_json)},
                     {"role", p.role},
                     {"name", p.name.empty() ? p.key : p.name},
                     {"swept", p.swept}};
  }
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
  return internal::JsonDocument({{"run", d.run.name},
                                 {"path", d.run.path},
                                 {"layout", d.run.layout},
                                 {"config_id", d.run.config_id},
                                 {"seed", SeedJson(d.run)},
                                 {"status", d.run.status},
                                 {"config", params},
                                 {"scores", scores},
                                 {"failures", failures}});
}

}  // namespace rankme::app
