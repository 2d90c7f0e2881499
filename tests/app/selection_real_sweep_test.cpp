// `validate`, `best` and `leaderboard` on the real sweep in tests/data/real_sweep_small, against
// numbers computed from its ground_truth.json alone (scripts/validate_expected.py, scipy).
#include <SQLiteCpp/SQLiteCpp.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "app/real_sweep_support.h"
#include "rankme/app/ingest.h"
#include "rankme/app/selection.h"
#include "support/temp_dir.h"

using namespace rankme;
using nlohmann::json;
using rankme::testing::ConfigOf;
using rankme::testing::kRealSweep;
using rankme::testing::kRealSweepExpected;
using rankme::testing::ReadJson;

namespace {

// A labels CSV as a user would write it: run folder, then the checkpoint by its step as the
// file name writes it, else its epoch; linear-probe accuracy from ground_truth.json.
std::string LabelsCsv(const json& truth) {
  std::ostringstream csv;
  csv << "run,step,epoch,linear_probe_acc,knn_acc\n";
  for (const auto& r : truth) {
    csv << r["run_dir"].get<std::string>() << ",";
    if (!r["name_step"].is_null()) csv << r["name_step"].get<int>();
    csv << ",";
    if (r["name_step"].is_null()) csv << r["name_epoch"].get<int>();
    csv << "," << r["linear_probe_acc"].dump() << "," << r["knn_acc"].dump() << "\n";
  }
  return csv.str();
}

std::string Ingested(const rankme::testing::TempDir& dir) {
  app::IngestOptions ingest;
  ingest.roots = {kRealSweep};
  ingest.db_path = dir.File("sweep.db");
  ingest.jobs = 1;
  const auto summary = app::Ingest(ingest);
  REQUIRE(summary.failed == 0);
  return ingest.db_path;
}

}  // namespace

TEST_CASE("validate on the real sweep matches scipy's rho, tau-b and regret", "[ranking]") {
  rankme::testing::TempDir dir;
  const std::string db = Ingested(dir);
  const json truth = ReadJson(kRealSweep + "/ground_truth.json");
  const json expected = ReadJson(kRealSweepExpected);
  rankme::testing::WriteFile(dir.File("labels.csv"), LabelsCsv(truth));

  for (const std::string tensor : {"embeddings", "representations"}) {
    CAPTURE(tensor);
    app::ValidateOptions options;
    options.selection.db_path = db;
    options.selection.ranking.tensor = tensor;
    options.selection.ranking.within = "method";
    options.labels_file = dir.File("labels.csv");
    const app::ValidateReport report = app::ValidateWithLabels(options);
    CHECK(report.imported == truth.size());
    CHECK(report.unmatched.empty());
    CHECK(report.validation.label == "linear_probe_acc");

    const json& want = expected[tensor];
    auto check = [&](const ranking::Agreement& got, const json& w) {
      CHECK(got.n == w["n"].get<std::size_t>());
      REQUIRE(got.spearman.has_value());
      CHECK(*got.spearman == Approx(w["spearman"].get<double>()).margin(1e-9));
      REQUIRE(got.kendall.has_value());
      CHECK(*got.kendall == Approx(w["kendall_tau_b"].get<double>()).margin(1e-9));
      REQUIRE(got.regret.has_value());
      CHECK(*got.regret == Approx(w["regret"].get<double>()).margin(1e-12));
      CHECK(*got.pick_label == Approx(w["pick_label"].get<double>()).margin(1e-12));
      CHECK(got.pick == ConfigOf(report.board, w["pick_runs"][0].get<std::string>()));
    };
    check(report.validation.overall, want["all"]);
    REQUIRE(report.validation.groups.size() == 2);
    check(report.validation.groups[0], want["within_method"]["simclr"]);
    check(report.validation.groups[1], want["within_method"]["vicreg"]);

    // Configuration means against the float64 reference RankMe (accuracy contract 1e-6).
    for (const auto& c : want["configurations"]) {
      const std::string id = ConfigOf(report.board, c["runs"][0].get<std::string>());
      for (const auto& row : report.board.configurations) {
        if (row.config_id != id) continue;
        CHECK(row.summary.n == 2);
        CHECK(row.summary.mean == Approx(c["rankme"].get<double>()).epsilon(1e-6));
      }
    }
  }

  // Re-importing the same file replaces the values instead of adding rows.
  app::ValidateOptions again;
  again.selection.db_path = db;
  again.labels_file = dir.File("labels.csv");
  app::ValidateWithLabels(again);
  SQLite::Database raw(db, SQLite::OPEN_READONLY);
  CHECK(raw.execAndGet("SELECT count(*) FROM labels").getInt64() ==
        static_cast<std::int64_t>(truth.size()));
}

TEST_CASE("best on the real sweep says the VICReg pick changes with the tensor", "[ranking]") {
  rankme::testing::TempDir dir;
  app::SelectionOptions options;
  options.db_path = Ingested(dir);
  options.ranking.within = "method";
  const app::BestReport report = app::FindBest(options);
  REQUIRE(report.picks.size() == 2);
  const json expected = ReadJson(kRealSweepExpected);
  // The expected picks: highest mean reference RankMe per method and tensor.
  auto expected_pick = [&](const std::string& tensor, const std::string& method) {
    const json* best = nullptr;
    for (const auto& c : expected[tensor]["configurations"]) {
      if (c["method"] == method && (!best || c["rankme"] > (*best)["rankme"])) best = &c;
    }
    return ConfigOf(report.board, (*best)["runs"][0].get<std::string>());
  };
  const auto& vicreg = report.picks[1];
  CHECK(report.board.configurations[*vicreg.best].config_id ==
        expected_pick("embeddings", "vicreg"));
  bool tensor_alternative_seen = false;
  for (const auto& alt : report.alternatives) {
    if (alt.what != "tensor representations") continue;
    const bool is_vicreg = alt.group == "\"vicreg\"";
    CHECK(alt.config_id == expected_pick("representations", is_vicreg ? "vicreg" : "simclr"));
    CHECK(alt.differs == is_vicreg);
    tensor_alternative_seen = true;
  }
  CHECK(tensor_alternative_seen);
  const std::string text = app::RenderBestText(report);
  CHECK(text.find("with tensor representations: the pick CHANGES") != std::string::npos);
  const json parsed = json::parse(app::RenderBestJson(report));
  CHECK(parsed["picks"].size() == 2);
  CHECK(parsed["tensor"] == "embeddings");
}
