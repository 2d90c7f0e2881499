// ComputeLidar against numpy at run time: views tensors made and scored in float64 by
// scripts/lidar_reference.py (the literal eigh-based definition). Tagged [.numpy]: hidden from
// the default listing and registered in CTest with SKIP_RETURN_CODE 77, so that a machine
// without numpy reports them as skipped (SkipWithoutNumpy), never as passed.
#include <catch2/catch.hpp>
#include <cmath>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "rankme/metrics/lidar.h"
#include "support/lidar_reference.h"

namespace rankme::metrics {
namespace {

using nlohmann::json;
using testing::ReferenceViews;

double RelativeError(double value, double reference) {
  return std::fabs(value - reference) / std::fabs(reference);
}

json Case(const std::string& name, int samples, int views, int cols, const std::string& dtype,
          int seed, json extra = json::object()) {
  json c = {{"name", name}, {"samples", samples}, {"views", views},
            {"cols", cols}, {"dtype", dtype},     {"seed", seed}};
  c.update(extra);
  return c;
}

std::vector<ReferenceViews> Reference(const json& cases) {
  testing::SkipWithoutNumpy();
  return testing::GenerateViewsReference(cases);
}

// Scores `v` with `options`, checks the contract (1e-6 relative) and λ_max; returns the result.
LidarResult CheckAgainstNumpy(const ReferenceViews& v, const LidarOptions& options = {}) {
  MemoryRowStream stream = v.Stream();
  LidarResult result = ComputeLidar(stream, v.views, options);
  REQUIRE(v.lidar.has_value());
  INFO(v.name << ": LiDAR " << result.value << ", numpy " << *v.lidar << ", relative error "
              << RelativeError(result.value, *v.lidar) << ", method " << result.method);
  CHECK(RelativeError(result.value, *v.lidar) <= 1e-6);
  REQUIRE(result.eigenvalues.size() == v.eigenvalues.size());
  CHECK(std::fabs(result.eigenvalues[0] - v.eigenvalues[0]) <= 1e-8 * v.eigenvalues[0]);
  const std::int64_t n = v.selected ? static_cast<std::int64_t>(v.selected->size()) : v.samples;
  CHECK(result.samples == n);
  CHECK(result.method == (n <= v.cols ? "cholesky_nxn" : "cholesky_dxd"));
  return result;
}

TEST_CASE("ComputeLidar agrees with numpy on clustered views, q = 2 to 8, n above and below D",
          "[lidar][.numpy]") {
  const json cases = json::array({
      Case("q2_tall", 600, 2, 48, "float32", 1),
      Case("q8_tall", 300, 8, 64, "float32", 2),
      Case("q3_float64", 400, 3, 40, "float64", 3),
      Case("q4_wide", 40, 4, 96, "float32", 4),
      Case("q8_wide", 30, 8, 128, "float64", 5),
      Case("n_equals_d", 50, 2, 50, "float32", 6),
      Case("n_is_d_plus_1", 51, 2, 50, "float32", 7),
      Case("q4_float16", 500, 4, 64, "float16", 8),
      Case("q4_bfloat16", 500, 4, 64, "bfloat16", 9),
      Case("q2_two_samples", 2, 2, 8, "float64", 10),
      Case("q4_threaded", 2000, 4, 256, "float32", 11),
  });
  for (const ReferenceViews& v : Reference(cases)) {
    const LidarResult result = CheckAgainstNumpy(v);
    const bool wide = v.samples <= v.cols;
    REQUIRE(result.warnings.size() == (wide ? 1u : 0u));
    if (wide) {
      CHECK_THAT(result.warnings[0], Catch::Contains("rank at most n - 1"));
      // At most n − 1 nonzero eigenvalues; the rest are exact zeros.
      CHECK(result.eigenvalues[static_cast<std::size_t>(v.samples - 1)] <=
            1e-12 * result.eigenvalues[0]);
      CHECK(result.eigenvalues.back() == 0.0);
    }
  }
}

TEST_CASE("ComputeLidar keeps a large common mean from cancelling", "[lidar][.numpy]") {
  const json cases = json::array({
      Case("offset_1e4_float32", 500, 4, 32, "float32", 21, {{"offset", 1e4}}),
      Case("offset_1e4_wide", 30, 4, 64, "float32", 22, {{"offset", 1e4}}),
      Case("offset_1e6_float64", 800, 2, 32, "float64", 23, {{"offset", 1e6}}),
      Case("offset_1e4_float16", 400, 4, 16, "float16", 24, {{"offset", 1e3}, {"scale", 30.0}}),
  });
  for (const ReferenceViews& v : Reference(cases)) {
    // One sample per block: the provisional centre is a single sample's mean.
    LidarOptions one_sample;
    one_sample.block_bytes = 1;
    CheckAgainstNumpy(v, one_sample);
    CheckAgainstNumpy(v);
  }
}

TEST_CASE("ComputeLidar neither overflows nor underflows on huge and tiny values",
          "[lidar][.numpy]") {
  const json cases = json::array({
      Case("float32_1e30", 300, 4, 32, "float32", 31, {{"scale", 1e30}}),
      Case("float32_1e-30", 300, 4, 32, "float32", 32, {{"scale", 1e-30}}),
      Case("float64_1e200", 300, 4, 32, "float64", 33, {{"scale", 1e200}}),
      Case("float64_1e200_wide", 20, 4, 32, "float64", 34, {{"scale", 1e200}}),
      Case("float64_1e-200", 300, 4, 32, "float64", 35, {{"scale", 1e-200}}),
      Case("float64_1e300", 300, 4, 32, "float64", 36, {{"scale", 1e300}}),
  });
  for (const ReferenceViews& v : Reference(cases)) {
    const LidarResult result = CheckAgainstNumpy(v);
    CHECK(std::isfinite(result.eigenvalues[0]));
  }
}

TEST_CASE("ComputeLidar in blocks of any size and subsampled agrees with numpy",
          "[lidar][.numpy]") {
  const json cases = json::array({
      Case("blocks", 700, 3, 40, "float32", 41),
      Case("subsampled", 900, 2, 32, "float32", 42, {{"max_samples", 300}, {"sample_seed", 5}}),
      Case("subsampled_wide", 200, 4, 64, "float32", 43, {{"max_samples", 40}, {"sample_seed", 6}}),
  });
  for (const ReferenceViews& v : Reference(cases)) {
    LidarOptions options;
    if (v.selected) {
      options.max_samples = static_cast<std::int64_t>(v.selected->size());
      options.seed = v.name == "subsampled" ? 5 : 6;
    }
    const double whole = CheckAgainstNumpy(v, options).value;
    for (const std::size_t block_bytes : {std::size_t{1}, std::size_t{5000}, std::size_t{100000}}) {
      options.block_bytes = block_bytes;
      INFO(v.name << ", block_bytes " << block_bytes);
      CHECK(RelativeError(CheckAgainstNumpy(v, options).value, whole) <= 1e-12);
    }
  }
}

TEST_CASE("ComputeLidar agrees with numpy on identical views and on samples with one mean",
          "[lidar][.numpy]") {
  const json cases = json::array({
      Case("identical_views", 200, 4, 16, "float32", 51, {{"kind", "identical_views"}}),
      Case("same_means", 200, 4, 16, "float32", 52, {{"kind", "same_means"}}),
  });
  const std::vector<ReferenceViews> views = Reference(cases);
  const LidarResult identical = CheckAgainstNumpy(views.at(0));
  REQUIRE(identical.warnings.size() == 1);
  CHECK_THAT(identical.warnings[0], Catch::Contains("identical"));
  // Means equal up to the rounding to float32: eigenvalues far below eps, LiDAR close to D.
  const LidarResult same = CheckAgainstNumpy(views.at(1));
  CHECK(same.value == Approx(16.0).epsilon(1e-3));
}

}  // namespace
}  // namespace rankme::metrics
