#include "rankme/metrics/rankme.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "rankme/core/error.h"
#include "support/rankme_reference.h"

namespace rankme::metrics {
namespace {

using nlohmann::json;
using testing::GenerateReference;
using testing::ReferenceMatrix;

double RelativeError(double value, double reference) {
  return std::fabs(value - reference) / std::fabs(reference);
}

// The accuracy contract: 1e-9 relative for float64 sources, 1e-6 for the others.
double Contract(DType dtype) { return dtype == DType::kFloat64 ? 1e-9 : 1e-6; }

json Case(const std::string& name, int rows, int cols, const std::string& spectrum,
          const std::string& dtype, double scale = 1.0, int seed = 1) {
  return {{"name", name},   {"rows", rows},   {"cols", cols}, {"spectrum", spectrum},
          {"dtype", dtype}, {"scale", scale}, {"seed", seed}};
}

// The first Gram tier of a source type.
std::string GramTier(DType dtype) { return dtype == DType::kFloat64 ? "gram64" : "gram32"; }

// Scores `m` with `options`, checks the contract and the singular values; returns the result.
RankmeResult CheckAgainstReference(const ReferenceMatrix& m, const RankmeOptions& options = {}) {
  MemoryRowStream stream = m.Stream();
  RankmeResult result = ComputeRankme(stream, options);
  INFO(m.name << ": method " << result.method_used << ", value " << result.value << ", reference "
              << m.rankme.value_or(NAN) << ", error_bound " << result.error_bound);
  REQUIRE(result.status == RankmeResult::Status::kOk);
  REQUIRE(m.rankme.has_value());
  CHECK(RelativeError(result.value, *m.rankme) <= Contract(m.dtype));
  REQUIRE(result.singular_values.size() == m.sigma.size());
  CHECK(result.rows_used == static_cast<std::int64_t>(m.selected ? m.selected->size() : m.rows));
  // The largest singular values agree closely on every path (in the same units).
  const double sigma_1 =
      std::ldexp(result.singular_values[0], result.singular_value_exponent - m.sigma_exponent);
  CHECK(std::fabs(sigma_1 - m.sigma[0]) <= 1e-5 * m.sigma[0]);
  return result;
}

TEST_CASE("ComputeRankme takes the certified Gram path on full-rank moderate spectra",
          "[metrics]") {
  const json cases = json::array({
      Case("gauss_tall", 4000, 512, "gaussian", "float32"),
      Case("power_half", 3000, 512, "power:0.5", "float32"),
      Case("power_quarter", 2000, 256, "power:0.25", "float32"),
      Case("flat", 2000, 256, "flat", "float32"),
      Case("gauss_wide", 300, 800, "gaussian", "float32"),
      Case("gauss_tiny_scale", 1500, 128, "gaussian", "float32", 1e-20),
      Case("gauss_huge_scale", 1500, 128, "gaussian", "float32", 1e20),
      Case("gauss_float16", 2000, 256, "gaussian", "float16"),
      Case("power_bfloat16", 2000, 256, "power:0.5", "bfloat16"),
      Case("gauss_float64", 2000, 256, "gaussian", "float64"),
      Case("power_float64", 2000, 256, "power:0.5", "float64"),
  });
  for (const ReferenceMatrix& m : GenerateReference(cases)) {
    const RankmeResult result = CheckAgainstReference(m);
    INFO(m.name << " error_bound " << result.error_bound);
    CHECK(result.method_used == GramTier(m.dtype));
  }
}

TEST_CASE("ComputeRankme falls back to the exact path on rank-deficient and steep spectra",
          "[metrics]") {
  const json cases = json::array({
      Case("rank200", 2000, 512, "rank:200", "float32"),
      Case("rank10", 2000, 256, "rank:10", "float32"),
      Case("rank1", 1000, 256, "rank:1", "float32"),
      Case("all_but_one_tiny", 1000, 256, "tiny:1e-6", "float32"),
      Case("steep_power", 1500, 256, "power:3", "float32"),
      Case("steep_exp", 1500, 256, "exp:1e7", "float32"),
      Case("rank10_huge_scale", 1000, 128, "rank:10", "float32", 1e20),
      Case("rank10_tiny_scale", 1000, 128, "rank:10", "float32", 1e-20),
      Case("rank10_wide", 200, 600, "rank:10", "float32"),
      Case("rank10_float64", 1000, 128, "rank:10", "float64"),
      Case("rank1_float16", 1000, 128, "rank:1", "float16"),
  });
  for (const ReferenceMatrix& m : GenerateReference(cases)) {
    const RankmeResult result = CheckAgainstReference(m);
    INFO(m.name << " error_bound " << result.error_bound);
    CHECK(result.method_used == "qr");
  }
}

TEST_CASE("ComputeRankme meets the accuracy contract on every path across many spectra",
          "[metrics]") {
  json cases = json::array();
  const std::vector<std::string> spectra = {
      "gaussian", "flat",    "power:0.1", "power:0.5", "power:0.75", "power:1",  "power:1.5",
      "exp:1e2",  "exp:1e4", "exp:1e6",   "tiny:1e-3", "tiny:1e-4",  "rank:100", "rank:250"};
  int seed = 10;
  for (const char* dtype : {"float32", "float64"}) {
    for (const std::string& spectrum : spectra) {
      cases.push_back(Case(spectrum + "_" + dtype, 1200, 256, spectrum, dtype, 1.0, seed++));
    }
  }
  cases.push_back(Case("square", 400, 400, "power:0.5", "float32"));
  cases.push_back(Case("square_gauss", 300, 300, "gaussian", "float64"));
  cases.push_back(Case("wide_power", 250, 700, "power:1", "float32"));
  int certified = 0;
  for (const ReferenceMatrix& m : GenerateReference(cases)) {
    for (auto method : {RankmeOptions::Method::kAuto, RankmeOptions::Method::kExact}) {
      RankmeOptions options;
      options.method = method;
      const RankmeResult result = CheckAgainstReference(m, options);
      if (method == RankmeOptions::Method::kExact) CHECK(result.method_used == "qr");
      if (result.method_used != "qr") ++certified;
      // Whatever the path, the reported estimate is not below the actual error.
      CHECK(RelativeError(result.value, *m.rankme) <= std::max(result.error_bound, 1e-12));
    }
  }
  CHECK(certified >= 8);  // the fast path is not dead code
}

TEST_CASE("ComputeRankme keeps the contract when blocks need different scalings", "[metrics]") {
  // Blocks of 100 rows. Magnitudes around 2^32 and 2^-32 put some blocks in the range that is
  // multiplied as it is and others in the range that is scaled first, in both orders, so the
  // accumulators are rescaled mid-pass and blocks of both kinds are merged.
  json around_big = Case("blocks_around_2p32", 1200, 128, "gaussian", "float32");
  around_big["row_scales"] =
      json::array({json::array({0, 1e8}), json::array({400, 1e9}), json::array({800, 3e8})});
  json around_small = Case("blocks_around_2m32", 1200, 128, "gaussian", "float32", 1.0, 5);
  around_small["row_scales"] =
      json::array({json::array({0, 1e-11}), json::array({300, 5e-10}), json::array({700, 2e-11})});
  json wide_range = Case("blocks_wide_range_f64", 1200, 128, "power:0.5", "float64", 1.0, 6);
  wide_range["row_scales"] = json::array({json::array({0, 1e150}), json::array({600, 3e149})});
  for (const ReferenceMatrix& m :
       GenerateReference(json::array({around_big, around_small, wide_range}))) {
    RankmeOptions options;
    options.block_bytes = static_cast<std::size_t>(m.cols) * 4 * 100;
    if (m.dtype == DType::kFloat64) options.block_bytes *= 2;
    const RankmeResult result = CheckAgainstReference(m, options);
    INFO(m.name << " error_bound " << result.error_bound);
    CHECK(result.method_used == GramTier(m.dtype));
    CHECK(RelativeError(result.value, *m.rankme) <= std::max(result.error_bound, 1e-12));
  }
  // Every value subnormal: the scale factor itself is beyond float32 (and float64) range.
  const json subnormal =
      json::array({Case("blocks_subnormal_f32", 600, 64, "gaussian", "float32", 1e-41, 7),
                   Case("blocks_subnormal_f64", 600, 64, "gaussian", "float64", 1e-310, 8)});
  for (const ReferenceMatrix& m : GenerateReference(subnormal)) {
    const RankmeResult result = CheckAgainstReference(m);
    INFO(m.name << " method " << result.method_used << " error_bound " << result.error_bound);
    CHECK(RelativeError(result.value, *m.rankme) <= std::max(result.error_bound, 1e-12));
  }
}

TEST_CASE("ComputeRankme subsamples rows exactly as the reference script does", "[metrics]") {
  json subsampled = Case("subsample", 30000, 64, "power:0.5", "float32");
  subsampled["max_samples"] = 25600;
  subsampled["sample_seed"] = 7;
  const ReferenceMatrix m = GenerateReference(json::array({subsampled})).at(0);
  REQUIRE(m.selected.has_value());
  RankmeOptions options;
  options.seed = 7;
  const RankmeResult result = CheckAgainstReference(m, options);
  CHECK(result.rows_total == 30000);
  CHECK(result.rows_used == 25600);
  options.method = RankmeOptions::Method::kExact;
  CheckAgainstReference(m, options);
}

TEST_CASE("ComputeRankme reports an all-zero matrix as degenerate", "[metrics]") {
  const ReferenceMatrix m =
      GenerateReference(json::array({Case("zeros", 100, 32, "zeros", "float32")})).at(0);
  REQUIRE_FALSE(m.rankme.has_value());  // numpy agrees there is nothing to score
  for (auto method : {RankmeOptions::Method::kAuto, RankmeOptions::Method::kExact}) {
    MemoryRowStream stream = m.Stream();
    RankmeOptions options;
    options.method = method;
    const RankmeResult result = ComputeRankme(stream, options);
    CHECK(result.status == RankmeResult::Status::kDegenerate);
    CHECK(std::isnan(result.value));
    CHECK(result.singular_values.size() == 32);
  }
}

TEST_CASE("ComputeRankme refuses fewer than two rows", "[metrics]") {
  MemoryRowStream stream(std::vector<double>{1, 2, 3, 4}, 1, 4, "one_row.npy");
  CHECK_THROWS_AS(ComputeRankme(stream), DataError);
  try {
    ComputeRankme(stream);
  } catch (const DataError& e) {
    CHECK(e.path() == "one_row.npy");
  }
}

TEST_CASE("ComputeRankme scores a single column with a warning", "[metrics]") {
  const ReferenceMatrix m =
      GenerateReference(json::array({Case("one_column", 100, 1, "gaussian", "float32")})).at(0);
  const RankmeResult result = CheckAgainstReference(m);
  REQUIRE(result.warnings.size() == 1);
  CHECK(result.warnings[0].find("D = 1") != std::string::npos);
}

TEST_CASE("ComputeRankme names the first NaN's row and column, also outside the subsample",
          "[metrics]") {
  json with_nan = Case("nan", 300, 16, "gaussian", "float32");
  with_nan["nan_at"] = {237, 5};
  const ReferenceMatrix m = GenerateReference(json::array({with_nan})).at(0);
  for (std::int64_t max_samples : {0, 50}) {
    MemoryRowStream stream = m.Stream();
    RankmeOptions options;
    options.max_samples = max_samples;
    try {
      ComputeRankme(stream, options);
      FAIL("no error for a NaN");
    } catch (const DataError& e) {
      CHECK(e.path() == "nan");
      CHECK(e.message().find("row 237, column 5") != std::string::npos);
    }
  }
}

TEST_CASE("RankmeFromSingularValues matches the formula for the documented constants",
          "[metrics]") {
  const double eps = 1e-7;
  const int d = 2048;
  const double p_flat = 1.0 / d + eps;
  const double flat_expected = std::exp(-d * p_flat * std::log(p_flat));
  const std::vector<double> flat(d, 3.5);
  CHECK(RankmeFromSingularValues(flat, eps) == Approx(flat_expected).epsilon(1e-12));
  CHECK(flat_expected == Approx(2050.75).margin(0.05));

  std::vector<double> rank_one(d, 0.0);
  rank_one[0] = 2.0;
  const double rank_one_expected =
      std::exp(-((1 + eps) * std::log(1 + eps) + (d - 1) * eps * std::log(eps)));
  CHECK(RankmeFromSingularValues(rank_one, eps) == Approx(rank_one_expected).epsilon(1e-12));
  CHECK(rank_one_expected == Approx(1.0033).margin(0.0001));
  CHECK(std::isnan(RankmeFromSingularValues(std::vector<double>(4, 0.0), eps)));
}

TEST_CASE("ComputeRankme certifies the Gram path on a 25600 x 2048 Gaussian", "[.slow]") {
  const ReferenceMatrix m =
      GenerateReference(json::array({Case("gauss_paper_size", 25600, 2048, "gaussian", "float32")}))
          .at(0);
  const RankmeResult result = CheckAgainstReference(m);
  CHECK(result.method_used == "gram32");
}

}  // namespace
}  // namespace rankme::metrics
