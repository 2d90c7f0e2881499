// The exact path's two TSQR streams: both streams fed (small blocks), on two threads and on
// one, against numpy's float64 SVD of the same values.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <string>
#include <vector>

#include "rankme/metrics/blas_runtime.h"
#include "rankme/metrics/rankme.h"
#include "support/blas_threads_guard.h"
#include "support/rankme_reference.h"

namespace rankme::metrics {
namespace {

using nlohmann::json;
using testing::GenerateReference;
using testing::ReferenceMatrix;

using testing::BlasThreadsGuard;

json Case(const std::string& name, int rows, int cols, const std::string& spectrum,
          const std::string& dtype) {
  return {{"name", name},   {"rows", rows}, {"cols", cols}, {"spectrum", spectrum},
          {"dtype", dtype}, {"scale", 1.0}, {"seed", 3}};
}

RankmeResult ScoreExact(const ReferenceMatrix& m, int threads) {
  SetBlasThreads(threads);
  MemoryRowStream stream = m.Stream();
  RankmeOptions options;
  options.method = RankmeOptions::Method::kExact;
  // About 40 rows a block: every matrix below takes many blocks, so both streams get rows and
  // an odd count of blocks leaves them unequal.
  options.block_bytes = static_cast<std::size_t>(m.cols) * 8 * 4 * 40;
  return ComputeRankme(stream, options);
}

// The exact path's result against numpy's float64 SVD: RankMe within the contract and every
// singular value within a few ulp of sigma_1 (backward stability); for rank-deficient matrices
// that includes the (near-)zero ones.
void CheckAgainstNumpy(const ReferenceMatrix& m, const RankmeResult& result) {
  const double contract = m.dtype == DType::kFloat64 ? 1e-9 : 1e-6;
  REQUIRE(m.rankme.has_value());
  INFO(m.name << ": " << result.value << " vs " << *m.rankme);
  CHECK(result.method_used == "qr");
  CHECK(std::fabs(result.value - *m.rankme) <= contract * *m.rankme);
  REQUIRE(result.singular_values.size() == m.sigma.size());
  for (std::size_t j = 0; j < m.sigma.size(); ++j) {
    INFO("sigma " << j);
    CHECK(std::fabs(result.singular_values[j] - m.sigma[j]) <= 1e-13 * m.sigma[0]);
  }
}

TEST_CASE("The exact path's two TSQR streams agree with numpy on one thread and on two",
          "[metrics]") {
  BlasThreadsGuard guard;
  const json cases = json::array({
      Case("two_stream_gauss", 1500, 96, "gaussian", "float32"),
      Case("two_stream_rank7", 1300, 80, "rank:7", "float32"),
      Case("two_stream_rank1_f64", 1100, 64, "rank:1", "float64"),
      Case("two_stream_steep", 1234, 72, "exp:1e6", "float64"),
  });
  for (const ReferenceMatrix& m : GenerateReference(cases)) {
    std::vector<std::vector<double>> spectra;
    for (int threads : {1, 2}) {
      const RankmeResult result = ScoreExact(m, threads);
      INFO("threads " << threads);
      CHECK(BlasThreads() == threads);  // restored after the streams
      CheckAgainstNumpy(m, result);
      spectra.push_back(result.singular_values);
    }
    // Same split on one thread and two: the same R up to the merge's rounding.
    for (std::size_t j = 0; j < spectra[0].size(); ++j) {
      CHECK(std::fabs(spectra[0][j] - spectra[1][j]) <= 1e-14 * spectra[0][0]);
    }
  }
}

TEST_CASE("The exact path's two-stage SVD agrees with numpy on every singular value", "[metrics]") {
  // Orders from 128 on take the band reduction: widths that are and are not multiples of its
  // band (64), and wide matrices (fewer rows than columns, reduced by QR first).
  const json cases = json::array({
      Case("band_gauss_128", 700, 128, "gaussian", "float32"),
      Case("band_rank5_131", 600, 131, "rank:5", "float32"),
      Case("band_steep_200", 900, 200, "exp:1e9", "float64"),
      Case("band_rank1_257", 800, 257, "rank:1", "float64"),
      Case("band_wide_power", 150, 400, "power:1", "float32"),
      Case("band_wide_rank3", 140, 300, "rank:3", "float64"),
  });
  for (const ReferenceMatrix& m : GenerateReference(cases)) {
    CheckAgainstNumpy(m, ScoreExact(m, BlasThreads()));
  }
}

}  // namespace
}  // namespace rankme::metrics
