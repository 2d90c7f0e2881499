#include "rankme/metrics/synthetic.h"

#include <Eigen/Dense>
#include <random>

#include "rankme/core/error.h"

namespace rankme::metrics {

namespace {

// An n × k matrix with orthonormal columns: the Q of a Gaussian matrix's QR.
Eigen::MatrixXd OrthonormalColumns(std::int64_t n, std::int64_t k, std::mt19937_64& rng) {
  std::normal_distribution<double> normal;
  Eigen::MatrixXd gaussian(n, k);
  for (Eigen::Index j = 0; j < k; ++j) {
    for (Eigen::Index i = 0; i < n; ++i) gaussian(i, j) = normal(rng);
  }
  Eigen::HouseholderQR<Eigen::MatrixXd> qr(gaussian);
  return qr.householderQ() * Eigen::MatrixXd::Identity(n, k);
}

}  // namespace

std::vector<double> MatrixWithSpectrum(std::int64_t rows, std::int64_t cols,
                                       std::span<const double> sigma, std::uint64_t seed) {
  const auto k = static_cast<std::int64_t>(sigma.size());
  RANKME_CHECK(rows > 0 && cols > 0 && k <= std::min(rows, cols));
  std::mt19937_64 rng(seed);
  const Eigen::MatrixXd u = OrthonormalColumns(rows, k, rng);
  const Eigen::MatrixXd v = OrthonormalColumns(cols, k, rng);
  const Eigen::VectorXd s = Eigen::Map<const Eigen::VectorXd>(sigma.data(), k);
  using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  const RowMajor z = u * s.asDiagonal() * v.transpose();
  return std::vector<double>(z.data(), z.data() + z.size());
}

}  // namespace rankme::metrics
