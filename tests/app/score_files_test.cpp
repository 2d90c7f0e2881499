#include "rankme/app/score_files.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

namespace {

nlohmann::json GroundTruth() {
  std::ifstream in(std::string(RANKME_TEST_DATA_DIR) + "/real_sweep_small/ground_truth.json");
  return nlohmann::json::parse(in);
}

double RelativeError(double got, double want) { return std::abs(got - want) / std::abs(want); }

}  // namespace

TEST_CASE("score matches the real sweep's float64 SVD references in all three formats", "[app]") {
  const std::string root = std::string(RANKME_TEST_DATA_DIR) + "/real_sweep_small/";
  int checked = 0;
  for (const auto& record : GroundTruth()) {
    for (const std::string tensor : {"embeddings", "representations"}) {
      // .npy files hold one tensor each; .safetensors and .pt files hold both: name it.
      std::string spec = root + record["files"][tensor].get<std::string>();
      if (spec.find('#') == std::string::npos && spec.find(".npy") == std::string::npos) {
        spec += "#" + tensor;
      }
      const auto scores = rankme::app::ScoreFiles({spec}, {});
      REQUIRE(scores.size() == 1);
      INFO(spec << ": " << scores[0].error);
      REQUIRE(scores[0].result.has_value());
      const auto& result = *scores[0].result;
      CHECK(result.rows_used == 512);
      CHECK(result.cols == 64);
      CHECK(scores[0].info.dtype == rankme::DType::kFloat16);
      CHECK(RelativeError(result.value, record["rankme_" + tensor].get<double>()) <= 1e-6);
      ++checked;
    }
  }
  CHECK(checked == 48);
}

TEST_CASE("score reports which tensor it chose when a file holds several", "[app]") {
  const std::string file = std::string(RANKME_TEST_DATA_DIR) +
                           "/real_sweep_small/lightning_logs/version_2/embeddings/"
                           "epoch=0-step=31.safetensors";
  const auto scores = rankme::app::ScoreFiles({file}, {});
  REQUIRE(scores[0].result.has_value());
  CHECK(scores[0].tensor == "embeddings");
  CHECK(scores[0].tensor_note ==
        "used 'embeddings' of: embeddings, representations, embeddings_views, "
        "representations_views");
}

TEST_CASE("score keeps going after a bad file and names it", "[app]") {
  const std::string good = std::string(RANKME_TEST_DATA_DIR) +
                           "/real_sweep_small/multirun/2026-11-20/10-00-00/0/checkpoints/"
                           "epoch_001/embeddings.npy";
  const auto scores = rankme::app::ScoreFiles({"/no/such/file.npy", good, "x.unknown"}, {});
  REQUIRE(scores.size() == 3);
  CHECK_FALSE(scores[0].result.has_value());
  CHECK(scores[0].error.find("/no/such/file.npy") != std::string::npos);
  CHECK(scores[0].error_code == rankme::ExitCode::kBadInput);
  CHECK(scores[1].result.has_value());
  CHECK_FALSE(scores[2].result.has_value());
}
