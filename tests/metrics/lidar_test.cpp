// ComputeLidar against committed numpy references: the small fixtures of tests/data/lidar
// (scripts/lidar_reference.py --fixtures) and the real sweep's ground_truth.json, every views
// tensor in .npy, .safetensors and .pt; plus its errors and warnings. The cases generated and
// checked against numpy at run time are in lidar_numpy_test.cpp.
#include "rankme/metrics/lidar.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "rankme/core/error.h"
#include "rankme/io/embedding_reader.h"

namespace rankme::metrics {
namespace {

using nlohmann::json;

double RelativeError(double value, double reference) {
  return std::fabs(value - reference) / std::fabs(reference);
}

// A views tensor file (n × q × D) as the io readers give it: one flattened row per sample.
std::unique_ptr<RowStream> OpenViews(const std::string& spec) {
  io::StreamOptions options;
  options.flatten = true;
  return io::OpenEmbeddings(spec, options);
}

// Every value of `stream` as (rows·cols) float64, and the same as an (n·q) × D memory stream.
MemoryRowStream AsViewRows(RowStream& stream, std::int64_t views) {
  const MatrixInfo& info = stream.info();
  std::vector<double> values(static_cast<std::size_t>(info.rows * info.cols));
  stream.ReadRows(0, info.rows, values.data());
  const std::int64_t dim = info.cols / views;
  return MemoryRowStream(std::move(values), info.rows * views, dim, info.source, info.dtype);
}

// A memory stream that reports another stored shape (a rank-3 tensor flattened to its rows).
class ShapedStream final : public RowStream {
 public:
  ShapedStream(MemoryRowStream inner, std::vector<std::int64_t> shape)
      : inner_(std::move(inner)), info_(inner_.info()) {
    info_.shape = std::move(shape);
  }
  const MatrixInfo& info() const override { return info_; }
  void ReadRows(std::int64_t first, std::int64_t count, float* dst) override {
    inner_.ReadRows(first, count, dst);
  }
  void ReadRows(std::int64_t first, std::int64_t count, double* dst) override {
    inner_.ReadRows(first, count, dst);
  }

 private:
  MemoryRowStream inner_;
  MatrixInfo info_;
};

json ReadJson(const std::string& path) {
  std::ifstream file(path);
  return json::parse(file);
}

TEST_CASE("ComputeLidar agrees with numpy on the committed fixtures, in both stream shapes",
          "[lidar]") {
  const std::string dir = std::string(RANKME_TEST_DATA_DIR) + "/lidar/";
  const json expected = ReadJson(dir + "expected.json");
  REQUIRE(expected.size() == 5);
  for (const auto& [file, want] : expected.items()) {
    const std::int64_t n = want["shape"][0], q = want["shape"][1], d = want["shape"][2];
    const double reference = want["lidar"].get<double>();
    auto stream = OpenViews(dir + file);
    REQUIRE(stream->info().rows == n);
    const LidarResult flat = ComputeLidar(*stream, q);
    INFO(file << ": LiDAR " << flat.value << ", numpy " << reference);
    CHECK(RelativeError(flat.value, reference) <= 1e-6);
    CHECK(flat.samples == n);
    CHECK(flat.views == q);
    CHECK(flat.cols == d);
    REQUIRE(flat.eigenvalues.size() == static_cast<std::size_t>(d));
    CHECK(RelativeError(flat.eigenvalues[0], want["lambda_max"].get<double>()) <= 1e-9);
    CHECK(std::is_sorted(flat.eigenvalues.rbegin(), flat.eigenvalues.rend()));
    CHECK(flat.method == (n <= d ? "cholesky_nxn" : "cholesky_dxd"));
    CHECK(flat.warnings.size() == (n <= d ? 1u : 0u));

    // The same values as (n·q) × D rows, one sample per block: the same sums in the same order.
    MemoryRowStream rows = AsViewRows(*stream, q);
    LidarOptions small;
    small.block_bytes = 1;
    const LidarResult by_rows = ComputeLidar(rows, q, small);
    CHECK(RelativeError(by_rows.value, flat.value) <= 1e-12);
    CHECK(by_rows.eigenvalues.size() == flat.eigenvalues.size());
  }
}

TEST_CASE("ComputeLidar of every views tensor of the real sweep matches ground_truth.json",
          "[lidar]") {
  const std::string root = std::string(RANKME_TEST_DATA_DIR) + "/real_sweep_small/";
  const json truth = ReadJson(root + "ground_truth.json");
  int checked = 0;
  int npy = 0;
  for (const json& record : truth) {
    for (const std::string tensor : {"embeddings", "representations"}) {
      const std::string spec = root + record["files"][tensor + "_views"].get<std::string>();
      const double want = record["metrics_" + tensor]["lidar"].get<double>();
      const std::int64_t q = record["views_shape"][1].get<std::int64_t>();
      auto stream = OpenViews(spec);
      const LidarResult result = ComputeLidar(*stream, q);
      INFO(spec << ": LiDAR " << result.value << ", ground truth " << want);
      CHECK(RelativeError(result.value, want) <= 1e-6);
      CHECK(result.samples == record["views_shape"][0].get<std::int64_t>());
      CHECK(result.cols == 64);
      CHECK(result.warnings.empty());
      ++checked;
      if (spec.ends_with(".npy")) ++npy;
    }
  }
  CHECK(checked == 48);  // 24 checkpoints × 2 tensors: 24 .npy, 12 .safetensors, 12 .pt
  CHECK(npy == 24);
}

TEST_CASE("ComputeLidar subsamples whole samples, deterministically", "[lidar]") {
  const std::string path = std::string(RANKME_TEST_DATA_DIR) + "/lidar/clustered_q2.npy";
  auto stream = OpenViews(path);
  LidarOptions options;
  options.max_samples = 50;
  options.seed = 3;
  const LidarResult a = ComputeLidar(*stream, 2, options);
  const LidarResult b = ComputeLidar(*stream, 2, options);
  CHECK(a.samples == 50);
  CHECK(a.samples_total == 96);
  CHECK(a.value == b.value);
  // The same samples read as (n·q) × D rows in blocks of one sample give the same value.
  MemoryRowStream rows = AsViewRows(*stream, 2);
  options.block_bytes = 1;
  CHECK(RelativeError(ComputeLidar(rows, 2, options).value, a.value) <= 1e-12);
  options.seed = 4;
  CHECK(ComputeLidar(rows, 2, options).value != a.value);
  options.max_samples = 96;  // not fewer than n: every sample
  CHECK(ComputeLidar(rows, 2, options).value == Approx(ComputeLidar(rows, 2).value).epsilon(1e-12));
}

TEST_CASE("ComputeLidar refuses too few views or samples and shapes without whole samples",
          "[lidar]") {
  MemoryRowStream six(std::vector<double>(6 * 3, 1.0), 6, 3, "six.npy");
  CHECK_THROWS_WITH(ComputeLidar(six, 1),
                    Catch::Contains("at least 2 views") && Catch::Contains("q = 1"));
  CHECK_THROWS_WITH(ComputeLidar(six, 4), Catch::Contains("multiple of 4 rows; found 6"));
  CHECK_THROWS_WITH(ComputeLidar(six, 6), Catch::Contains("at least 2 samples, found 1"));
  LidarOptions one;
  one.max_samples = 1;
  CHECK_THROWS_WITH(ComputeLidar(six, 2, one), Catch::Contains("at least 2 samples, found 1"));
  CHECK_THROWS_AS(ComputeLidar(six, 2, one), DataError);
  LidarOptions negative;
  negative.max_samples = -1;
  CHECK_THROWS_AS(ComputeLidar(six, 2, negative), UsageError);
  LidarOptions no_delta;
  no_delta.delta = 0.0;
  CHECK_THROWS_WITH(ComputeLidar(six, 2, no_delta), Catch::Contains("at least 1e-08"));
  LidarOptions negative_eps;
  negative_eps.eps = -1.0;
  CHECK_THROWS_AS(ComputeLidar(six, 2, negative_eps), UsageError);
  auto file = OpenViews(std::string(RANKME_TEST_DATA_DIR) + "/lidar/clustered_q8.npy");
  CHECK_THROWS_WITH(ComputeLidar(*file, 4),
                    Catch::Contains("8 views per sample (shape[1]), not q = 4"));
}

TEST_CASE("ComputeLidar names the row, column, sample and view of a NaN, even unsampled",
          "[lidar]") {
  const std::int64_t n = 10, q = 3, d = 4;
  std::vector<double> values(static_cast<std::size_t>(n * q * d));
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = std::sin(0.37 * double(i));
  values[(7 * q + 2) * d + 1] = std::nan("");  // sample 7, view 2, dimension 1
  MemoryRowStream rows(values, n * q, d, "views.npy");
  LidarOptions options;
  options.max_samples = 2;
  options.block_bytes = 1;
  try {
    ComputeLidar(rows, q, options);
    FAIL("no error");
  } catch (const DataError& e) {
    CHECK(e.path() == "views.npy");
    CHECK_THAT(e.message(), Catch::Contains("row 23, column 1") && Catch::Contains("sample 7") &&
                                Catch::Contains("view 2") && Catch::Contains("dimension 1"));
  }
  // Flattened to one row per sample (shape n × q × d): column 2·d + 1 of row 7.
  ShapedStream per_sample(MemoryRowStream(values, n, q * d, "views.npy"), {n, q, d});
  CHECK_THROWS_WITH(ComputeLidar(per_sample, q),
                    Catch::Contains("row 7, column 9") && Catch::Contains("sample 7, view 2"));
}

TEST_CASE("ComputeLidar warns when the views are identical or every sample has one mean",
          "[lidar]") {
  const std::int64_t n = 12, q = 2, d = 3;
  std::vector<double> same_views(static_cast<std::size_t>(n * q * d));
  for (std::int64_t i = 0; i < n; ++i) {
    for (std::int64_t j = 0; j < q; ++j) {
      for (std::int64_t k = 0; k < d; ++k) same_views[(i * q + j) * d + k] = std::cos(i * 1.3 + k);
    }
  }
  MemoryRowStream a(same_views, n * q, d);
  const LidarResult identical = ComputeLidar(a, q);
  REQUIRE(identical.warnings.size() == 1);
  CHECK_THAT(identical.warnings[0], Catch::Contains("identical"));
  CHECK(std::isfinite(identical.value));
  MemoryRowStream b(std::vector<double>(static_cast<std::size_t>(n * q * d), 5.0), n * q, d);
  const LidarResult constant = ComputeLidar(b, q);
  CHECK(constant.value == Approx(3.0).epsilon(1e-12));  // every λ is 0: p uniform over D
  CHECK(constant.warnings.size() == 2);
}

TEST_CASE("LidarFromEigenvalues adds eps after flooring at zero", "[lidar]") {
  CHECK(LidarFromEigenvalues({2.0, 2.0, 2.0, 2.0}, 1e-8) == Approx(4.0).epsilon(1e-14));
  CHECK(LidarFromEigenvalues({0.0, -1e-12, 0.0}, 1e-8) == Approx(3.0).epsilon(1e-14));
  // One dominant value: p = (1 + eps, eps, eps) / (1 + 3 eps).
  const double eps = 1e-8;
  const double s = 1.0 + 3 * eps;
  const double p1 = (1.0 + eps) / s, p0 = eps / s;
  const double want = std::exp(-(p1 * std::log(p1) + 2 * p0 * std::log(p0)));
  CHECK(LidarFromEigenvalues({1.0, 0.0, 0.0}, eps) == Approx(want).epsilon(1e-14));
  // Values near DBL_MAX do not overflow the sum.
  CHECK(LidarFromEigenvalues({1e308, 1e308}, eps) == Approx(2.0).epsilon(1e-14));
}

}  // namespace
}  // namespace rankme::metrics
