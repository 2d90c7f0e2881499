// validate's table of signals and best's second opinions on the real sweep's reference values:
// a database whose scores are every metric's float64 value from ground_truth.json, checked
// against the numbers scripts/validate_expected.py computed with scipy.stats.
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "app/real_sweep_support.h"
#include "rankme/app/selection.h"
#include "support/score_database.h"
#include "support/temp_dir.h"

using namespace rankme;
using nlohmann::json;
using rankme::testing::ConfigOf;
using rankme::testing::kRealSweep;
using rankme::testing::kRealSweepExpected;
using rankme::testing::ReadJson;

namespace {

// Runs named by their folders, configurations by method and hyperparameters, checkpoints by
// step; every metric of both tensors scored with its reference value. Writes labels.csv (the
// linear-probe accuracy of each checkpoint) beside the database.
std::string WriteReferenceDatabase(const rankme::testing::TempDir& dir, const json& truth) {
  const std::string path = dir.File("reference.db");
  rankme::testing::ScoreDatabase db(path);
  std::map<std::string, std::int64_t> runs;
  std::map<std::string, std::set<std::int64_t>> steps;  // each run's, for its positions
  for (const json& r : truth) steps[r["run_dir"]].insert(r["step"].get<std::int64_t>());
  std::string labels = "run,step,linear_probe_acc\n";
  for (const json& r : truth) {
    const std::string name = r["run_dir"].get<std::string>();
    if (!runs.count(name)) {
      std::map<std::string, std::string> params = {{"method", r["method"].dump()}};
      for (const auto& [key, value] : r["hparams"].items()) params[key] = value.dump();
      const std::string config = r["method"].get<std::string>() + r["hparams"].dump();
      runs[name] = db.AddRun(name, config, params, std::to_string(r["seed"].get<int>()));
    }
    const std::int64_t step = r["step"].get<std::int64_t>();
    const auto position = std::distance(steps[name].begin(), steps[name].find(step));
    const auto checkpoint = db.AddCheckpoint(runs[name], fmt::format("step_{:06}", step), step,
                                             r["epoch"].get<std::int64_t>(), position);
    for (const std::string tensor : {"embeddings", "representations"}) {
      for (const auto& [metric, value] : r["metrics_" + tensor].items()) {
        if (metric == "alpha_req_r2") continue;
        // LiDAR is stored under the views tensor, as ingest stores it.
        db.AddScore(checkpoint, metric == "lidar" ? tensor + "_views" : tensor, metric,
                    value.get<double>());
      }
    }
    labels += fmt::format("{},{},{}\n", name, step, r["linear_probe_acc"].dump());
  }
  db.Close();
  rankme::testing::WriteFile(dir.File("labels.csv"), labels);
  return path;
}

void CheckAgreement(const ranking::Leaderboard& board, const ranking::Agreement& got,
                    const json& want) {
  CHECK(got.n == want["n"].get<std::size_t>());
  REQUIRE(got.spearman.has_value());
  CHECK(*got.spearman == Approx(want["spearman"].get<double>()).margin(1e-9));
  REQUIRE(got.kendall.has_value());
  CHECK(*got.kendall == Approx(want["kendall_tau_b"].get<double>()).margin(1e-9));
  REQUIRE(got.regret.has_value());
  CHECK(*got.regret == Approx(want["regret"].get<double>()).margin(1e-12));
  CHECK(got.pick == ConfigOf(board, want["pick_runs"][0].get<std::string>()));
}

// Every signal of `report` against `expected` (tensor → metric → agreements), and only those.
void CheckSignals(const app::ValidateReport& report, const json& expected,
                  const std::string& only_metric = "") {
  std::size_t checked = 0;
  for (const app::SignalSummary& signal : report.signals) {
    const std::string& metric = signal.signal.metric;
    if (!only_metric.empty() && metric != only_metric) continue;
    CAPTURE(metric, signal.signal.tensor);
    const json& want = expected.at(signal.signal.tensor).at(metric);
    REQUIRE(signal.validation);
    CheckAgreement(report.board, signal.validation->overall, want["all"]);
    REQUIRE(signal.validation->groups.size() == 2);
    CheckAgreement(report.board, signal.validation->groups[0], want["within_method"]["simclr"]);
    CheckAgreement(report.board, signal.validation->groups[1], want["within_method"]["vicreg"]);
    CHECK_FALSE(signal.validation->overall.reversed);  // 4 configurations: too few to say
    ++checked;
  }
  CHECK(checked == (only_metric.empty() ? 14 : 2));
}

}  // namespace

TEST_CASE("validate's signals on the real sweep's reference values match scipy", "[app]") {
  rankme::testing::TempDir dir;
  const json truth = ReadJson(kRealSweep + "/ground_truth.json");
  const json expected = ReadJson(kRealSweepExpected);
  app::ValidateOptions options;
  options.selection.db_path = WriteReferenceDatabase(dir, truth);
  options.selection.ranking.within = "method";
  options.labels_file = dir.File("labels.csv");
  const app::ValidateReport report = app::ValidateWithLabels(options);
  CHECK(report.imported == truth.size());
  REQUIRE(report.signals.size() == 14);
  CHECK(report.signals[0].ranked);
  CheckSignals(report, expected["signals"]);
  // The ranked signal's own table says the same as its line among the signals.
  CheckAgreement(report.board, report.validation.overall, expected["embeddings"]["all"]);

  // alpha_req's target moves its goodness, hence rho, tau-b and its pick.
  options.labels_file.clear();
  options.selection.ranking.target = 4.0;
  const app::ValidateReport moved = app::ValidateWithLabels(options);
  json at_four;
  for (const std::string tensor : {"embeddings", "representations"}) {
    at_four[tensor]["alpha_req"] = expected["alpha_req_at_target"][tensor]["4"];
  }
  CheckSignals(moved, at_four, "alpha_req");
}

TEST_CASE("best's second opinions on the real sweep pick what scipy's goodness picks", "[app]") {
  rankme::testing::TempDir dir;
  const json expected = ReadJson(kRealSweepExpected)["signals"];
  app::SelectionOptions options;
  options.db_path = WriteReferenceDatabase(dir, ReadJson(kRealSweep + "/ground_truth.json"));
  options.ranking.within = "method";
  const app::BestReport report = app::FindBest(options);
  REQUIRE(report.picks.size() == 2);
  REQUIRE(report.second_opinions.size() == 13);
  std::size_t disagreements = 0;
  for (const app::SignalSummary& opinion : report.second_opinions) {
    CAPTURE(opinion.signal.metric, opinion.signal.tensor);
    REQUIRE(opinion.picks.size() == 2);
    for (const app::SignalPick& pick : opinion.picks) {
      const std::string method = pick.group == "\"simclr\"" ? "simclr" : "vicreg";
      const json& want =
          expected[opinion.signal.tensor][opinion.signal.metric]["within_method"][method];
      CHECK(pick.config_id == ConfigOf(report.board, want["pick_runs"][0].get<std::string>()));
      const json& main = expected["embeddings"]["rankme"]["within_method"][method];
      const std::string main_run = main["pick_runs"][0].get<std::string>();
      CHECK(pick.agrees == (pick.config_id == ConfigOf(report.board, main_run)));
      disagreements += pick.agrees ? 0 : 1;
    }
  }
  CHECK(disagreements > 0);
}
