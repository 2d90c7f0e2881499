// Every path at both ends of the floating-point range: values near DBL_MAX / FLT_MAX / the
// float16 maximum, subnormals of each type, and columns of very different magnitudes. Each
// RankMe is checked against numpy's float64 SVD of the same values (scaled by a power of two
// first, exactly), and each error_bound against the actual error.
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "rankme/metrics/rankme.h"
#include "support/rankme_reference.h"

namespace rankme::metrics {
namespace {

using nlohmann::json;
using testing::GenerateReference;
using testing::ReferenceMatrix;

json Case(const std::string& name, int rows, int cols, const std::string& spectrum,
          const std::string& dtype, double scale, int seed = 1) {
  return {{"name", name},   {"rows", rows},   {"cols", cols}, {"spectrum", spectrum},
          {"dtype", dtype}, {"scale", scale}, {"seed", seed}};
}

json WithColumnScales(json c, json scales) {
  c["col_scales"] = std::move(scales);
  return c;
}

double Contract(DType dtype) { return dtype == DType::kFloat64 ? 1e-9 : 1e-6; }

struct Outcome {
  RankmeResult result;
  double error = 0.0;  // relative error against numpy
};

Outcome Score(const ReferenceMatrix& m, RankmeOptions::Method method) {
  MemoryRowStream stream = m.Stream();
  RankmeOptions options;
  options.method = method;
  Outcome out{ComputeRankme(stream, options), 0.0};
  const RankmeResult& r = out.result;
  INFO(m.name << " method " << r.method_used << ": " << r.value << " vs numpy "
              << m.rankme.value_or(NAN) << ", error_bound " << r.error_bound);
  REQUIRE(r.status == RankmeResult::Status::kOk);
  REQUIRE(std::isfinite(r.value));
  REQUIRE(m.rankme.has_value());
  out.error = std::fabs(r.value - *m.rankme) / *m.rankme;
  // Whatever the path, the certificate is not below the actual error (a false certificate
  // is what broke on subnormals: 3.28 instead of 1.00002 with error_bound 0).
  CHECK(out.error <= std::max(r.error_bound, 1e-13));
  REQUIRE(r.singular_values.size() == m.sigma.size());
  for (double s : r.singular_values) CHECK(std::isfinite(s));
  const double sigma_1 =
      std::ldexp(r.singular_values[0], r.singular_value_exponent - m.sigma_exponent);
  CHECK(std::fabs(sigma_1 - m.sigma[0]) <= 1e-5 * m.sigma[0]);
  return out;
}

// Auto and exact meet the contract; the Gram path alone (uncertified) is at least honest about
// its error.
void CheckEveryPath(const ReferenceMatrix& m) {
  for (double v : m.values) REQUIRE(std::isfinite(v));  // the case itself stays in range
  for (auto method : {RankmeOptions::Method::kAuto, RankmeOptions::Method::kExact,
                      RankmeOptions::Method::kGram32}) {
    const Outcome out = Score(m, method);
    INFO(m.name << " method " << out.result.method_used << " error " << out.error << " error_bound "
                << out.result.error_bound);
    if (method != RankmeOptions::Method::kGram32) CHECK(out.error <= Contract(m.dtype));
  }
}

TEST_CASE("ComputeRankme gives a number, not NaN, for float64 values near 1e307", "[metrics]") {
  // The reproduction: standard_normal((100, 16), seed 2) * 1e307 scored NaN, status ok.
  const ReferenceMatrix m =
      GenerateReference(json::array({Case("issue_big", 100, 16, "gaussian", "float64", 1e307, 2)}))
          .at(0);
  CheckEveryPath(m);
}

TEST_CASE("ComputeRankme scores a rank-1 matrix of float64 subnormals as rank 1 with a true bound",
          "[metrics]") {
  // The reproduction: one uniform(1, 2) row (seed 1) repeated 100 times, * 1e-322,
  // scored 3.28 (numpy: 1.00002) with error_bound 0.
  const ReferenceMatrix m =
      GenerateReference(
          json::array({Case("issue_denormal", 100, 16, "repeated_row", "float64", 1e-322, 1)}))
          .at(0);
  REQUIRE(m.rankme.has_value());
  CHECK(*m.rankme == Approx(1.00002).epsilon(1e-5));
  CheckEveryPath(m);
  MemoryRowStream stream = m.Stream();
  const RankmeResult result = ComputeRankme(stream);
  CHECK(result.error_bound > 0.0);
  CHECK(result.singular_value_exponent < -1022);  // sigma_1 is subnormal: reported scaled
}

TEST_CASE("ComputeRankme keeps the contract at the extremes of the float64 range", "[metrics]") {
  const json cases = json::array({
      Case("f64_gauss_1e300", 600, 48, "gaussian", "float64", 1e300, 3),
      Case("f64_gauss_1e-300", 600, 48, "gaussian", "float64", 1e-300, 4),
      Case("f64_power_1e300", 600, 48, "power:1", "float64", 1e300, 5),
      Case("f64_rank5_1e300", 600, 48, "rank:5", "float64", 1e300, 6),
      Case("f64_rank5_1e-300", 600, 48, "rank:5", "float64", 1e-300, 7),
      Case("f64_gauss_subnormal", 300, 24, "gaussian", "float64", 1e-318, 8),
      Case("f64_wide_1e300", 40, 120, "power:0.5", "float64", 1e300, 9),
      Case("f64_wide_subnormal", 40, 120, "gaussian", "float64", 1e-317, 10),
      // sigma_1 beyond DBL_MAX although every value is finite.
      Case("f64_sigma_overflow", 1000, 16, "gaussian", "float64", 3e307, 11),
      WithColumnScales(Case("f64_mixed_columns", 500, 40, "gaussian", "float64", 1.0, 12),
                       json::array({json::array({0, 1e200}), json::array({10, 1e195}),
                                    json::array({20, 1e-300}), json::array({30, 1e-310})})),
      WithColumnScales(Case("f64_mixed_small", 500, 40, "power:0.5", "float64", 1.0, 13),
                       json::array({json::array({0, 1e-300}), json::array({20, 1e-305})})),
  });
  for (const ReferenceMatrix& m : GenerateReference(cases)) CheckEveryPath(m);
}

TEST_CASE("ComputeRankme reports a spectrum beyond DBL_MAX scaled, with a warning", "[metrics]") {
  const ReferenceMatrix m =
      GenerateReference(
          json::array({Case("sigma_overflow", 1000, 16, "gaussian", "float64", 3e307, 11)}))
          .at(0);
  REQUIRE(m.sigma_exponent >= 1024);  // numpy agrees: sigma_1 >= 2^1024
  MemoryRowStream stream = m.Stream();
  const RankmeResult result = ComputeRankme(stream);
  CHECK(result.singular_value_exponent == m.sigma_exponent);
  CHECK(result.singular_values[0] >= 1.0);
  CHECK(result.singular_values[0] < 2.0);
  REQUIRE(result.warnings.size() == 1);
  CHECK(result.warnings[0].find("2^" + std::to_string(m.sigma_exponent)) != std::string::npos);
  CHECK(result.warnings[0].find("RankMe does not depend on scale") != std::string::npos);
}

TEST_CASE("ComputeRankme keeps the contract at the extremes of float32, float16 and bfloat16",
          "[metrics]") {
  const json cases = json::array({
      Case("f32_near_max", 800, 64, "gaussian", "float32", 5e37, 20),
      Case("f32_rank3_near_max", 800, 64, "rank:3", "float32", 1e39, 21),
      Case("f32_subnormal", 800, 64, "gaussian", "float32", 1e-40, 22),
      Case("f32_rank3_subnormal", 800, 64, "rank:3", "float32", 1e-36, 23),
      Case("f32_wide_near_max", 50, 150, "gaussian", "float32", 5e37, 24),
      WithColumnScales(Case("f32_mixed_columns", 800, 64, "gaussian", "float32", 1.0, 25),
                       json::array({json::array({0, 1e30}), json::array({20, 1e-30}),
                                    json::array({40, 1e-42})})),
      Case("f16_near_max", 800, 64, "gaussian", "float16", 1.2e4, 26),
      Case("f16_subnormal", 800, 64, "gaussian", "float16", 1e-6, 27),
      Case("f16_rank2_subnormal", 800, 64, "rank:2", "float16", 1e-5, 28),
      Case("bf16_near_max", 800, 64, "gaussian", "bfloat16", 5e37, 29),
      Case("bf16_subnormal", 800, 64, "gaussian", "bfloat16", 1e-39, 30),
  });
  for (const ReferenceMatrix& m : GenerateReference(cases)) CheckEveryPath(m);
}

TEST_CASE("RankmeFromSingularValues is finite for spectra near DBL_MAX and of subnormals",
          "[metrics]") {
  const double eps = 1e-7;
  const std::vector<double> unit = {1.0, 0.5, 0.25, 0.0};
  const double expected = RankmeFromSingularValues(unit, eps);
  const double big = std::numeric_limits<double>::max() / 2;
  CHECK(RankmeFromSingularValues(std::vector<double>{big, big / 2, big / 4, 0.0}, eps) ==
        Approx(expected).epsilon(1e-15));
  const double tiny = std::numeric_limits<double>::denorm_min();
  CHECK(RankmeFromSingularValues(std::vector<double>{4 * tiny, 2 * tiny, tiny, 0.0}, eps) ==
        Approx(expected).epsilon(1e-15));
}

}  // namespace
}  // namespace rankme::metrics
