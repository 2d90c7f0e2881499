#include "rankme/metrics/memory_estimate.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "rankme/core/error.h"
#include "rankme/metrics/rankme.h"

namespace rankme::metrics {
namespace {

MatrixInfo Shape(std::int64_t rows, std::int64_t cols, DType dtype) {
  MatrixInfo info;
  info.rows = rows;
  info.cols = cols;
  info.dtype = dtype;
  info.source = "shape.npz";
  return info;
}

RankmeOptions WithMethod(RankmeOptions::Method method) {
  RankmeOptions options;
  options.method = method;
  return options;
}

TEST_CASE("EstimateRankmeMemory follows D squared, not the file, for a 6001 x 6000 npz",
          "[metrics]") {
  const MatrixInfo info = Shape(6001, 6000, DType::kFloat32);
  const double d2 = 6000.0 * 6000.0;
  const double slack = 100e6;  // blocks and small vectors
  // Auto may run both paths: the exact one holds two float64 R factors (of [1 | Z]) and copies
  // of two parts of R for the two SVDs.
  const auto autos = static_cast<double>(EstimateRankmeMemory(info, RankmeOptions{}));
  CHECK(autos >= 32 * d2);
  CHECK(autos <= 32 * d2 + slack);
  // The float32 Gram path: a float64 Gram, its float32 block product and the centred Gram.
  const auto gram =
      static_cast<double>(EstimateRankmeMemory(info, WithMethod(RankmeOptions::Method::kGram32)));
  CHECK(gram >= 20 * d2);
  CHECK(gram <= 20 * d2 + slack);
  const auto gram64 = static_cast<double>(EstimateRankmeMemory(
      Shape(6001, 6000, DType::kFloat64), WithMethod(RankmeOptions::Method::kGram32)));
  CHECK(gram64 >= 16 * d2);
  CHECK(gram64 <= 16 * d2 + slack);
  // Without the centred spectrum, the Gram alone.
  RankmeOptions plain = WithMethod(RankmeOptions::Method::kGram32);
  plain.centered = false;
  const auto uncentred =
      static_cast<double>(EstimateRankmeMemory(Shape(6001, 6000, DType::kFloat64), plain));
  CHECK(uncentred >= 8 * d2);
  CHECK(uncentred <= 8 * d2 + slack);
}

TEST_CASE("EstimateRankmeMemory counts the rows held in memory when N < D", "[metrics]") {
  const MatrixInfo info = Shape(300, 100000, DType::kFloat32);
  const auto exact =
      static_cast<double>(EstimateRankmeMemory(info, WithMethod(RankmeOptions::Method::kExact)));
  // The rows in float64 and their centred copy.
  CHECK(exact >= 2 * 8.0 * 300 * 100000);
  CHECK(exact <= 2 * 8.0 * 300 * 100000 + 100e6);
}

TEST_CASE("EstimateRankmeMemory neither wraps around nor subsamples away a huge declared shape",
          "[metrics]") {
  RankmeOptions options;
  options.max_samples = 0;
  const MatrixInfo info = Shape(std::int64_t{1} << 40, std::int64_t{1} << 40, DType::kFloat32);
  CHECK(EstimateRankmeMemory(info, options) >= std::size_t{1} << 62);
  // Subsampling bounds N, not D.
  options.max_samples = 25600;
  CHECK(EstimateRankmeMemory(Shape(1000000, 256, DType::kFloat32), options) < (100u << 20));
}

TEST_CASE("ComputeRankme refuses a shape beyond max_memory naming the shape and the need",
          "[metrics]") {
  MemoryRowStream stream(std::vector<double>(400 * 400, 1.0), 400, 400, "wide.npy",
                         DType::kFloat32);
  RankmeOptions options;
  options.max_memory = 1'000'000;
  try {
    ComputeRankme(stream, options);
    FAIL("no error beyond the memory budget");
  } catch (const DataError& e) {
    CHECK(e.path() == "wide.npy");
    CHECK(e.message().find("400 x 400 float32") != std::string::npos);
    CHECK(e.message().find("--max-memory") != std::string::npos);
    CHECK(e.message().find(FormatBytes(EstimateRankmeMemory(stream.info(), options))) !=
          std::string::npos);
  }
  options.max_memory = EstimateRankmeMemory(stream.info(), options);
  CHECK(ComputeRankme(stream, options).status == RankmeResult::Status::kOk);
}

}  // namespace
}  // namespace rankme::metrics
