// The element-wise passes of the engine against plain loops.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "metrics/metrics_internal.h"
#include "rankme/metrics/blas_runtime.h"

namespace rankme::metrics::internal {
namespace {

template <typename T>
void CheckSideSums(std::int64_t count, std::int64_t dim) {
  std::mt19937_64 rng(static_cast<std::uint64_t>(count * 1000 + dim));
  std::normal_distribution<double> normal;
  std::vector<T> rows(static_cast<std::size_t>(count * dim));
  for (T& v : rows) v = static_cast<T>(normal(rng));
  std::vector<double> probes(static_cast<std::size_t>(kProbes * dim));
  for (double& x : probes) x = (rng() & 1) != 0 ? 1.0 : -1.0;
  // Start from non-zero sums: the kernel adds to them.
  std::vector<double> images(probes.size(), 0.5);
  std::vector<double> diag(static_cast<std::size_t>(dim), 0.25);
  std::vector<double> sums(static_cast<std::size_t>(dim), -0.75);
  std::vector<double> want_images = images;
  std::vector<double> want_diag = diag;
  std::vector<double> want_sums = sums;
  for (std::int64_t r = 0; r < count; ++r) {
    const T* z = rows.data() + r * dim;
    for (int p = 0; p < kProbes; ++p) {
      double y = 0.0;
      for (std::int64_t j = 0; j < dim; ++j) y += double(z[j]) * probes[p * dim + j];
      for (std::int64_t j = 0; j < dim; ++j) want_images[p * dim + j] += double(z[j]) * y;
    }
    for (std::int64_t j = 0; j < dim; ++j) want_diag[j] += double(z[j]) * double(z[j]);
    for (std::int64_t j = 0; j < dim; ++j) want_sums[j] += double(z[j]);
  }
  AddSideSums(rows.data(), count, dim, probes.data(), images.data(), diag.data(), sums.data());
  INFO("count " << count << ", dim " << dim);
  double scale = 0.0;
  for (double v : want_images) scale = std::max(scale, std::fabs(v));
  for (std::size_t i = 0; i < images.size(); ++i) {
    CHECK(std::fabs(images[i] - want_images[i]) <= 1e-12 * scale);
  }
  for (std::size_t j = 0; j < diag.size(); ++j) {
    CHECK(std::fabs(diag[j] - want_diag[j]) <= 1e-13 * want_diag[j]);
    CHECK(std::fabs(sums[j] - want_sums[j]) <= 1e-13 * (double(count) * 8.0 + 1.0));
  }
}

TEST_CASE("AddSideSums equals plain float64 loops, tails included", "[metrics]") {
  // Row counts around the 4-row groups and widths around the 8-lane vectors.
  for (std::int64_t count : {1, 3, 4, 5, 9}) {
    for (std::int64_t dim : {1, 7, 8, 13, 64, 131}) {
      CheckSideSums<float>(count, dim);
      CheckSideSums<double>(count, dim);
    }
  }
}

TEST_CASE("Side sums and MaxAbs of large blocks do not depend on the thread count", "[metrics]") {
  // Large enough to be split over two threads when BLAS may use two.
  const std::int64_t count = 3001;
  const std::int64_t dim = 200;
  std::mt19937_64 rng(42);
  std::normal_distribution<float> normal;
  std::vector<float> rows(static_cast<std::size_t>(count * dim));
  for (float& v : rows) v = normal(rng);
  rows[rows.size() - 5] = 97.0f;  // the maximum, in the second half
  std::vector<double> probes(static_cast<std::size_t>(kProbes * dim));
  for (double& x : probes) x = (rng() & 1) != 0 ? 1.0 : -1.0;
  const int saved = BlasThreads();
  std::vector<std::vector<double>> images;
  std::vector<std::vector<double>> diags;
  std::vector<std::vector<double>> sums;
  for (int threads : {1, 2}) {
    SetBlasThreads(threads);
    CHECK(MaxAbs(rows.data(), rows.size()) == 97.0);
    images.emplace_back(probes.size(), 0.0);
    diags.emplace_back(static_cast<std::size_t>(dim), 0.0);
    sums.emplace_back(static_cast<std::size_t>(dim), 0.0);
    AddSideSums(rows.data(), count, dim, probes.data(), images.back().data(), diags.back().data(),
                sums.back().data());
  }
  SetBlasThreads(saved);
  CHECK(images[0] == images[1]);  // bit for bit
  CHECK(diags[0] == diags[1]);
  CHECK(sums[0] == sums[1]);
  for (std::int64_t j = 0; j < dim; ++j) {
    double want = 0.0;
    for (std::int64_t r = 0; r < count; ++r) {
      const double v = rows[static_cast<std::size_t>(r * dim + j)];
      want += v * v;
    }
    CHECK(std::fabs(diags[0][j] - want) <= 1e-12 * want);
  }
}

TEST_CASE("MaxAbs finds the largest magnitude and flags NaN and Inf", "[metrics]") {
  std::vector<float> f = {0.5f, -3.0f, 2.0f, -0.0f, 1e-40f};
  CHECK(MaxAbs(f.data(), f.size()) == 3.0);
  CHECK(MaxAbs(f.data(), 1) == 0.5);
  CHECK(MaxAbs(f.data(), 0) == 0.0);
  std::vector<float> tiny = {-0.0f, 1e-42f, -2e-42f};
  CHECK(MaxAbs(tiny.data(), tiny.size()) == double(2e-42f));
  std::vector<double> d = {1.0, -1e300, 5.0};
  CHECK(MaxAbs(d.data(), d.size()) == 1e300);
  // Every position, so that a vectorised loop's tail is covered too.
  for (std::size_t at = 0; at < 37; ++at) {
    std::vector<float> values(37, 1.0f);
    values[at] = -std::numeric_limits<float>::infinity();
    CHECK(std::isinf(MaxAbs(values.data(), values.size())));
    values[at] = std::numeric_limits<float>::quiet_NaN();
    CHECK(std::isnan(MaxAbs(values.data(), values.size())));
    std::vector<double> wide(37, -1.0);
    wide[at] = -std::numeric_limits<double>::quiet_NaN();
    CHECK(std::isnan(MaxAbs(wide.data(), wide.size())));
  }
}

}  // namespace
}  // namespace rankme::metrics::internal
