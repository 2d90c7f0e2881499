// Eigen's own kernels against OpenBLAS/LAPACKE for the two steps of the Gram path, on one
// random float32 matrix (N × D, default 8192 × 2048), compiled like the library (generic x86-64,
// no -march): the Gram ZᵀZ (Eigen rankUpdate vs ssyrk) and the eigenvalues of the float64 Gram
// (Eigen SelfAdjointEigenSolver vs dsyevd). Prints one JSON object with seconds of each and the
// largest relative difference of the results, so the choice of kernels rests on a measurement.
// OPENBLAS_CORETYPE picks OpenBLAS's kernels as for the other benchmark programs.
//
// Usage: rankme_bench_eigen [N D]
#include <cblas.h>
#include <lapacke.h>

#include <Eigen/Dense>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace {

double Now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace

int main(int argc, char** argv) {
  const Eigen::Index n = argc > 2 ? std::atol(argv[1]) : 8192;
  const Eigen::Index d = argc > 2 ? std::atol(argv[2]) : 2048;
  // Column j of `zt` is row j of Z (row-major Z is column-major Zᵀ, as BLAS sees it).
  Eigen::MatrixXf zt(d, n);
  std::uint64_t state = 1;
  for (Eigen::Index i = 0; i < zt.size(); ++i) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    zt.data()[i] = static_cast<float>(static_cast<double>(state >> 11) * 0x1p-53 - 0.5);
  }

  double t0 = Now();
  Eigen::MatrixXf eigen_gram = Eigen::MatrixXf::Zero(d, d);
  eigen_gram.selfadjointView<Eigen::Lower>().rankUpdate(zt);
  const double eigen_syrk = Now() - t0;

  std::vector<float> blas_gram(static_cast<std::size_t>(d * d), 0.0f);
  t0 = Now();
  cblas_ssyrk(CblasColMajor, CblasLower, CblasNoTrans, static_cast<int>(d), static_cast<int>(n),
              1.0f, zt.data(), static_cast<int>(d), 0.0f, blas_gram.data(), static_cast<int>(d));
  const double blas_syrk = Now() - t0;

  double gram_diff = 0.0;
  double gram_max = 0.0;
  for (Eigen::Index j = 0; j < d; ++j) {
    for (Eigen::Index i = j; i < d; ++i) {
      const double b = blas_gram[static_cast<std::size_t>(j * d + i)];
      gram_diff = std::max(gram_diff, std::fabs(double(eigen_gram(i, j)) - b));
      gram_max = std::max(gram_max, std::fabs(b));
    }
  }

  Eigen::MatrixXd gram(d, d);
  for (Eigen::Index j = 0; j < d; ++j) {
    for (Eigen::Index i = 0; i < d; ++i) {
      gram(i, j) = blas_gram[static_cast<std::size_t>(std::min(i, j) * d + std::max(i, j))];
    }
  }
  t0 = Now();
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(gram, Eigen::EigenvaluesOnly);
  const double eigen_eig = Now() - t0;
  Eigen::MatrixXd work = gram;
  std::vector<double> w(static_cast<std::size_t>(d));
  t0 = Now();
  LAPACKE_dsyevd(LAPACK_COL_MAJOR, 'N', 'L', static_cast<int>(d), work.data(), static_cast<int>(d),
                 w.data());
  const double lapack_eig = Now() - t0;
  double eig_diff = 0.0;
  for (Eigen::Index k = 0; k < d; ++k) {
    eig_diff =
        std::max(eig_diff, std::fabs(solver.eigenvalues()(k) - w[static_cast<std::size_t>(k)]));
  }
  std::printf(
      "{\"rows\": %ld, \"cols\": %ld, \"eigen_syrk\": %.6f, \"openblas_ssyrk\": %.6f, "
      "\"gram_max_rel_diff\": %.3e, \"eigen_eigenvalues\": %.6f, \"lapack_dsyevd\": %.6f, "
      "\"eigenvalue_max_rel_diff\": %.3e, \"eigen_simd\": \"%s\", \"openblas_core\": \"%s\"}\n",
      static_cast<long>(n), static_cast<long>(d), eigen_syrk, blas_syrk, gram_diff / gram_max,
      eigen_eig, lapack_eig, eig_diff / w.back(), Eigen::SimdInstructionSetsInUse(),
      openblas_get_corename());
  return 0;
}
