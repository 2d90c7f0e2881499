// Ingest stores RankMe, every sister metric and LiDAR of the shared real sweep's copy (three
// layouts, three formats, float16, views tensors) equal to its float64 references, with their
// settings, and never scores a views tensor as a plain matrix.
#include <catch2/catch.hpp>
#include <fstream>

#include "app/ingest_test_support.h"
#include "rankme/core/metric_catalog.h"

namespace rankme::app {
namespace {

using nlohmann::json;

TEST_CASE("Ingest stores every metric of the real sweep equal to its float64 references",
          "[app][sister]") {
  const std::string root = std::string(RANKME_TEST_DATA_DIR) + "/real_sweep_small";
  testing::TempDir dir;
  const std::string db = dir.File("rankme.db");
  const IngestSummary summary = Ingest(testing::IngestOptionsFor(root, db));
  CHECK(summary.failed == 0);
  CHECK(summary.scored == 96);  // 48 matrices and 48 views tensors
  std::ifstream truth_file(root + "/ground_truth.json");
  const json truth = json::parse(truth_file);
  int checked = 0;
  for (const MetricInfo& metric : AllMetrics()) {
    const std::string name(metric.name);
    const auto stored = testing::StoredScores(db, root, "", name);
    for (const json& record : truth) {
      for (const std::string tensor : {"embeddings", "representations"}) {
        // LiDAR is stored under the views tensor, `<tensor>_views`.
        const std::string scored = metric.source == MetricSource::kViews ? tensor + "_views" : tensor;
        std::string file = record["files"][scored].get<std::string>();
        file = file.substr(0, file.find('#'));
        const auto found = stored.find({file, scored});
        INFO(name << " of " << file << "#" << scored);
        REQUIRE(found != stored.end());
        REQUIRE(found->second.value);
        const double want = record["metrics_" + tensor][name].get<double>();
        if (name == "alpha_req") {
          CHECK(std::fabs(*found->second.value - want) <= 1e-6);
        } else {
          CHECK(testing::RelativeError(*found->second.value, want) <= 1e-6);
        }
        ++checked;
      }
    }
  }
  CHECK(checked == 7 * 48);
  // α-ReQ's R² beside it; the settings say what each metric is.
  CHECK(testing::QueryInt(db, "SELECT count(*) FROM scores WHERE metric = 'alpha_req' AND "
                              "r_squared BETWEEN 0.9 AND 1") == 48);
  CHECK(testing::QueryInt(db, "SELECT count(*) FROM scores WHERE metric = 'rankme_centered' AND "
                              "instr(settings_key, '\"centered\":true') > 0") == 48);
  CHECK(testing::QueryInt(db, "SELECT count(*) FROM scores WHERE metric = 'lidar' AND "
                              "instr(settings_key, '\"delta\":1e-04') > 0") == 48);
  // Views tensors have only LiDAR; both spectra of every matrix are kept.
  CHECK(testing::QueryInt(db, "SELECT count(*) FROM scores WHERE tensor LIKE '%\\_views' "
                              "ESCAPE '\\' AND metric <> 'lidar'") == 0);
  CHECK(testing::QueryInt(db, "SELECT count(*) FROM spectra WHERE kind = "
                              "'centered_singular_values'") == 48);
  // A second ingest reads nothing: every metric is there.
  const IngestSummary again = Ingest(testing::IngestOptionsFor(root, db));
  CHECK(again.scored == 0);
  CHECK(again.files_read == 0);
}

}  // namespace
}  // namespace rankme::app
