// The Gram path's two lanes (metrics/gram_path.cpp): many small blocks, so that both lanes get
// rows, on two threads and on one, against numpy's float64 SVD of the same values; blocks whose
// scalings differ between the lanes; subsampled rows; a NaN in either lane's block.
#include <catch2/catch.hpp>
#include <cmath>
#include <string>
#include <vector>

#include "metrics/metrics_internal.h"
#include "rankme/core/error.h"
#include "rankme/metrics/blas_runtime.h"
#include "rankme/metrics/rankme.h"
#include "support/blas_threads_guard.h"
#include "support/rankme_reference.h"

namespace rankme::metrics {
namespace {

using nlohmann::json;
using testing::BlasThreadsGuard;
using testing::GenerateReference;
using testing::ReferenceMatrix;

constexpr std::int64_t kBlockRows = 100;

json Case(const std::string& name, int rows, int cols, const std::string& spectrum,
          const std::string& dtype, int seed = 11) {
  return {{"name", name},   {"rows", rows}, {"cols", cols}, {"spectrum", spectrum},
          {"dtype", dtype}, {"scale", 1.0}, {"seed", seed}};
}

RankmeOptions LaneOptions(const ReferenceMatrix& m) {
  RankmeOptions options;
  options.method = RankmeOptions::Method::kGram32;
  // kBlockRows rows a block (two copies of each value when rows are subsampled).
  const std::size_t value_bytes = m.dtype == DType::kFloat64 ? 8 : 4;
  options.block_bytes =
      static_cast<std::size_t>(m.cols) * value_bytes * kBlockRows * (m.selected ? 2 : 1);
  return options;
}

}  // namespace

TEST_CASE("The Gram path sums in two lanes for many blocks of a small Gram only", "[metrics]") {
  using internal::GramLanes;
  CHECK(GramLanes(256, 2'000'000, 8192) == 2);   // 245 blocks
  CHECK(GramLanes(64, 3000, kBlockRows) == 2);   // 30 blocks
  CHECK(GramLanes(2048, 25600, 4096) == 1);      // 7 blocks
  CHECK(GramLanes(64, 1500, kBlockRows) == 1);   // 15 blocks
  CHECK(GramLanes(8192, 2'000'000, 512) == 1);   // a Gram of 512 MB is not held twice
  CHECK(GramLanes(2896, 1'000'000, 1000) == 2);  // 64 MB
}

TEST_CASE("The Gram path's two lanes agree with numpy on one thread and on two", "[metrics]") {
  BlasThreadsGuard guard;
  json big_then_small = Case("lanes_scaled_f32", 3000, 64, "gaussian", "float32", 12);
  // Blocks around 2^32 and 2^-32 in both lanes: the lanes reach different scale exponents and
  // are rescaled when summed.
  big_then_small["row_scales"] =
      json::array({json::array({0, 1e-11}), json::array({1050, 3e9}), json::array({1710, 2e-10})});
  json wide_f64 = Case("lanes_wide_f64", 2600, 48, "power:0.5", "float64", 13);
  wide_f64["row_scales"] = json::array({json::array({0, 1e150}), json::array({1300, 3e-150})});
  json subsampled = Case("lanes_subsample", 5000, 32, "power:0.5", "float32", 14);
  subsampled["max_samples"] = 3700;
  subsampled["sample_seed"] = 5;
  const json cases = json::array({
      Case("lanes_gauss", 3000, 64, "gaussian", "float32"),
      Case("lanes_odd_blocks", 3150, 40, "power:0.25", "float16"),
      big_then_small,
      wide_f64,
      subsampled,
  });
  for (const ReferenceMatrix& m : GenerateReference(cases)) {
    INFO(m.name);
    REQUIRE(m.rankme.has_value());
    const std::int64_t rows = m.selected ? static_cast<std::int64_t>(m.selected->size()) : m.rows;
    REQUIRE(internal::GramLanes(m.cols, rows, kBlockRows) == 2);
    std::vector<double> values;
    for (int threads : {1, 2}) {
      INFO("threads " << threads);
      SetBlasThreads(threads);
      MemoryRowStream stream = m.Stream();
      RankmeOptions options = LaneOptions(m);
      options.seed = 5;
      options.max_samples = m.selected ? 3700 : 0;
      const RankmeResult result = ComputeRankme(stream, options);
      CHECK(BlasThreads() == threads);  // restored after the lanes
      REQUIRE(result.status == RankmeResult::Status::kOk);
      CHECK(result.method_used == (m.dtype == DType::kFloat64 ? "gram64" : "gram32"));
      CHECK(result.rows_used == rows);
      const double contract = m.dtype == DType::kFloat64 ? 1e-9 : 1e-6;
      CHECK(std::fabs(result.value - *m.rankme) <= contract * *m.rankme);
      CHECK(std::fabs(result.value - *m.rankme) <= std::max(result.error_bound, 1e-12) * *m.rankme);
      REQUIRE(result.singular_values.size() == m.sigma.size());
      CHECK(std::fabs(result.singular_values[0] - m.sigma[0]) <= 1e-6 * m.sigma[0]);
      values.push_back(result.value);
    }
    // The same blocks in the same lanes on one thread and two: the same sums (the eigensolver
    // alone may round differently with another thread count).
    CHECK(std::fabs(values[0] - values[1]) <= 1e-13 * values[0]);
  }
}

TEST_CASE("The Gram path's lanes name the first NaN whichever lane reads it", "[metrics]") {
  BlasThreadsGuard guard;
  // Row 1537 is in block 15 (lane 1), row 1412 in block 14 (lane 0); with max_samples 50 the
  // NaN row is outside the subsample and found while every row is checked.
  for (const std::int64_t nan_row : {1537, 1412}) {
    json with_nan = Case("lanes_nan", 3000, 16, "gaussian", "float32");
    with_nan["nan_at"] = {nan_row, 3};
    const ReferenceMatrix m = GenerateReference(json::array({with_nan})).at(0);
    for (int threads : {1, 2}) {
      for (std::int64_t max_samples : {0, 2900}) {
        INFO("NaN at row " << nan_row << ", threads " << threads << ", max_samples "
                           << max_samples);
        SetBlasThreads(threads);
        MemoryRowStream stream = m.Stream();
        RankmeOptions options = LaneOptions(m);
        options.max_samples = max_samples;
        if (max_samples > 0) options.block_bytes *= 2;
        try {
          ComputeRankme(stream, options);
          FAIL("no error for a NaN");
        } catch (const DataError& e) {
          CHECK(e.message().find("row " + std::to_string(nan_row) + ", column 3") !=
                std::string::npos);
        }
        CHECK(BlasThreads() == threads);
      }
    }
  }
}

}  // namespace rankme::metrics
