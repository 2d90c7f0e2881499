// Which tier scores which spectrum: the float32 Gram where its certificate holds, the float64
// Gram where only that one's does, the exact path for rank-deficient matrices, each value
// against numpy's float64 SVD.
#include <catch2/catch.hpp>
#include <cmath>
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
          const std::string& dtype, int seed) {
  return {{"name", name},   {"rows", rows}, {"cols", cols}, {"spectrum", spectrum},
          {"dtype", dtype}, {"scale", 1.0}, {"seed", seed}};
}

// A stream that counts its passes (reads starting at row 0: every pass reads in ascending order
// from its first scored row, and the cases below score every row) and the rows read in all.
class CountingStream final : public RowStream {
 public:
  explicit CountingStream(MemoryRowStream inner) : inner_(std::move(inner)) {}
  const MatrixInfo& info() const override { return inner_.info(); }
  void ReadRows(std::int64_t first, std::int64_t count, float* dst) override {
    Count(first, count);
    inner_.ReadRows(first, count, dst);
  }
  void ReadRows(std::int64_t first, std::int64_t count, double* dst) override {
    Count(first, count);
    inner_.ReadRows(first, count, dst);
  }
  int passes() const { return passes_; }
  std::int64_t rows_read() const { return rows_read_; }

 private:
  void Count(std::int64_t first, std::int64_t count) {
    if (first == 0) ++passes_;
    rows_read_ += count;
  }

  MemoryRowStream inner_;
  int passes_ = 0;
  std::int64_t rows_read_ = 0;
};

struct Scored {
  RankmeResult result;
  int passes = 0;
  std::int64_t rows_read = 0;
};

Scored Score(const ReferenceMatrix& m, RankmeOptions::Method method,
             std::size_t block_bytes = RankmeOptions{}.block_bytes) {
  CountingStream stream(m.Stream());
  RankmeOptions options;
  options.method = method;
  options.block_bytes = block_bytes;
  Scored out{ComputeRankme(stream, options), 0, 0};
  out.passes = stream.passes();
  out.rows_read = stream.rows_read();
  return out;
}

double RelativeError(const RankmeResult& r, const ReferenceMatrix& m) {
  return std::fabs(r.value - *m.rankme) / *m.rankme;
}

// The threshold each Gram tier's certificate must meet: ten times inside the contract.
double Trust(DType dtype) { return dtype == DType::kFloat64 ? 1e-10 : 1e-7; }

struct Expectation {
  const char* spectrum;
  const char* dtype;
  const char* tier;  // chosen by auto
};

TEST_CASE("ComputeRankme picks the first tier whose certificate holds, reading at most twice",
          "[metrics]") {
  // 4000 x 256 (float32/float16 data unless named): sigma profiles as in rankme_reference.py.
  const std::vector<Expectation> expected = {
      {"flat", "float32", "gram32"},
      {"gaussian", "float16", "gram32"},
      {"power:0.5", "float32", "gram32"},
      {"relu:64", "float32", "gram32"},
      {"relu:512", "float16", "gram32"},
      // Steeper than the float32 Gram can certify, within what the float64 one can.
      {"power:1", "float32", "gram64"},
      {"power:1", "float16", "gram64"},
      {"power:2", "float32", "gram64"},
      {"exp:1e3", "float32", "gram64"},
      {"exp:1e3", "bfloat16", "gram64"},
      {"exp:1e5", "float32", "gram64"},
      // float64 sources: the float64 Gram first, within 1e-10.
      {"flat", "float64", "gram64"},
      {"power:1", "float64", "gram64"},
      {"exp:1e3", "float64", "gram64"},
      // Exact zeros, or a tail far below what either Gram resolves: exact.
      {"rank:200", "float32", "qr"},
      {"rank:1", "float32", "qr"},
      {"rank:1", "float16", "qr"},
      {"rank:200", "float64", "qr"},
      {"power:2", "float64", "qr"},
      {"power:3", "float32", "qr"},
  };
  json cases = json::array();
  int seed = 100;
  for (const Expectation& e : expected) {
    cases.push_back(
        Case(std::string(e.spectrum) + "_" + e.dtype, 4000, 256, e.spectrum, e.dtype, seed++));
  }
  const std::vector<ReferenceMatrix> matrices = GenerateReference(cases);
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const ReferenceMatrix& m = matrices[i];
    REQUIRE(m.rankme.has_value());
    const Scored automatic = Score(m, RankmeOptions::Method::kAuto);
    const RankmeResult& r = automatic.result;
    INFO(m.name << ": " << r.method_used << ", error " << RelativeError(r, m) << ", bound "
                << r.error_bound << ", passes " << automatic.passes);
    CHECK(r.method_used == expected[i].tier);
    CHECK(automatic.passes <= 2);
    CHECK(RelativeError(r, m) <= (m.dtype == DType::kFloat64 ? 1e-9 : 1e-6));
    CHECK(RelativeError(r, m) <= std::max(r.error_bound, 1e-13));
    // Each tier faster than the one chosen was refused because its own bound failed, and that
    // bound was honest.
    const std::string tier = r.method_used;
    if (tier != "gram32" && m.dtype != DType::kFloat64) {
      const RankmeResult g32 = Score(m, RankmeOptions::Method::kGram32).result;
      INFO("gram32: error " << RelativeError(g32, m) << ", bound " << g32.error_bound);
      CHECK(g32.method_used == "gram32");
      CHECK(g32.error_bound > Trust(m.dtype));
      CHECK(RelativeError(g32, m) <= std::max(g32.error_bound, 1e-13));
    }
    if (tier == "qr") {
      const RankmeResult g64 = Score(m, RankmeOptions::Method::kGram64).result;
      INFO("gram64: error " << RelativeError(g64, m) << ", bound " << g64.error_bound);
      CHECK(g64.method_used == "gram64");
      CHECK(RelativeError(g64, m) <= std::max(g64.error_bound, 1e-13));
      // Refused for its bound (float64 sources), or skipped because the float32 Gram showed the
      // spectrum falling into its noise like exact zeros do, rightly: its bound would fail.
      // float16 rank 1 is the exception where skipping costs speed, not accuracy: its 11-bit
      // values make the float64 Gram's noise small enough (bound ~5e-8).
      if (m.name != "rank:1_float16") CHECK(g64.error_bound > Trust(m.dtype));
    }
  }
}

TEST_CASE("auto abandons a hopeless Gram pass early and sends a cliff straight to the exact path",
          "[metrics]") {
  // 6000 x 256 in blocks of 256 rows (float32 products; 128 for float64 ones): the early check
  // runs once lane 0 holds 512 rows, a sixth of the matrix read. The forecast's sample is 512
  // rows. Expected: rows read in all, in units of N, within [low, high].
  struct Route {
    const char* spectrum;
    const char* dtype;
    const char* tier;
    double low, high;
  };
  const std::vector<Route> expected = {
      // Certified by the float32 Gram: the sample, then one pass.
      {"flat", "float32", "gram32", 1.0, 1.1},
      {"relu:64", "float32", "gram32", 1.0, 1.1},
      {"power:0.5", "float32", "gram32", 1.0, 1.1},
      // The float32 pass stops after a sixth, the float64 one certifies.
      {"power:1", "float32", "gram64", 1.1, 1.35},
      {"exp:1e3", "float32", "gram64", 1.1, 1.35},
      {"exp:1e5", "float16", "gram64", 1.1, 1.35},
      // Rank-deficient: the sample shows the cliff; one exact pass.
      {"rank:64", "float32", "qr", 1.0, 1.1},
      {"rank:1", "float32", "qr", 1.0, 1.1},
      {"rank:100", "float64", "qr", 1.0, 1.1},
      // A cliff with a short tail (56 zeros of 256), which the forecast does not call hopeless:
      // both Gram passes stop early, then the exact one.
      {"rank:200", "float32", "qr", 1.3, 1.45},
      // Steeper than the float64 Gram resolves: exact, at once or after early stops.
      {"power:3", "float32", "qr", 1.0, 1.45},
  };
  json cases = json::array();
  int seed = 300;
  for (const Route& e : expected) {
    cases.push_back(
        Case(std::string(e.spectrum) + "_" + e.dtype, 6000, 256, e.spectrum, e.dtype, seed++));
  }
  const std::vector<ReferenceMatrix> matrices = GenerateReference(cases);
  constexpr std::size_t kBlockBytes = 256 * 256 * sizeof(float);
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const ReferenceMatrix& m = matrices[i];
    REQUIRE(m.rankme.has_value());
    const Scored s = Score(m, RankmeOptions::Method::kAuto, kBlockBytes);
    const double read = static_cast<double>(s.rows_read) / static_cast<double>(m.rows);
    INFO(m.name << ": " << s.result.method_used << ", error " << RelativeError(s.result, m)
                << ", bound " << s.result.error_bound << ", rows read " << read << " N");
    CHECK(s.result.method_used == expected[i].tier);
    CHECK(read >= expected[i].low);
    CHECK(read <= expected[i].high);
    CHECK(RelativeError(s.result, m) <= (m.dtype == DType::kFloat64 ? 1e-9 : 1e-6));
    CHECK(RelativeError(s.result, m) <= std::max(s.result.error_bound, 1e-13));
    // The value does not depend on how the tiers were reached: the same as the chosen tier
    // forced, to the last bit.
    const RankmeOptions::Method forced =
        s.result.method_used == "gram32"   ? RankmeOptions::Method::kGram32
        : s.result.method_used == "gram64" ? RankmeOptions::Method::kGram64
                                           : RankmeOptions::Method::kExact;
    CHECK(Score(m, forced, kBlockBytes).result.value == s.result.value);
  }
}

TEST_CASE("Method kGram32 on a float64 source takes the float64 Gram", "[metrics]") {
  const ReferenceMatrix m =
      GenerateReference(json::array({Case("f64_gauss", 1000, 64, "gaussian", "float64", 3)})).at(0);
  const Scored s = Score(m, RankmeOptions::Method::kGram32);
  CHECK(s.result.method_used == "gram64");
  CHECK(s.passes == 1);
  CHECK(RelativeError(s.result, m) <= 1e-9);
}

}  // namespace
}  // namespace rankme::metrics
