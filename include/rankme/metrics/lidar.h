#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "rankme/core/row_stream.h"

namespace rankme::metrics {

/// Bumped whenever a change to the engine can change a printed LiDAR; to be stored with every
/// score.
constexpr int kLidarAlgorithmVersion = 1;

/// How LiDAR is computed. Defaults follow stable-pretraining's LiDAR callback.
struct LidarOptions {
  /// Added to the diagonal of the within-sample covariance Σ_w (absolute, in the units of the
  /// values squared). At least 1e-8, the definition's floor of the eigenvalues of Σ_w.
  double delta = 1e-4;
  /// Added to every eigenvalue of M before normalisation: p = (λ + eps) / Σ(λ + eps).
  double eps = 1e-8;
  /// Samples scored at most; more are subsampled with SubsampleRows on the sample index (all q
  /// views of each chosen sample are kept). 0 = every sample.
  std::int64_t max_samples = 0;
  /// Seed of the sample subsample (see SubsampleRows).
  std::uint64_t seed = 0;
  /// Bound on the working window: the rows read per step (as float64) take at most about this
  /// many bytes, and never less than one sample's q rows. The D × D matrices come on top.
  std::size_t block_bytes = std::size_t{32} << 20;
};

/// Result of one LiDAR computation.
struct LidarResult {
  double value = 0.0;              ///< LiDAR, in [1, D]
  std::int64_t samples = 0;        ///< n: samples scored (after subsampling)
  std::int64_t samples_total = 0;  ///< samples in the tensor
  std::int64_t views = 0;          ///< q
  std::int64_t cols = 0;           ///< D
  /// The D eigenvalues λ of M = Σ_w^(-1/2) Σ_b Σ_w^(-1/2), floored at 0, descending. When
  /// n <= D, at most n - 1 of them are nonzero and the rest are reported as exact zeros.
  std::vector<double> eigenvalues;
  std::vector<std::string> warnings;  ///< e.g. n <= D; never fatal
  /// "cholesky_dxd" (n > D: M = L⁻¹ Σ_b L⁻ᵀ, D × D) or "cholesky_nxn" (n <= D: the n × n
  /// Gram of the whitened sample means, which has the same nonzero eigenvalues).
  std::string method;
};

/// Computes LiDAR (Thilak et al., ICLR 2024, as stable-pretraining's callback computes it) of a
/// views tensor E: n samples × q views × D dimensions.
///
///   μ_i = mean_j e_ij,  μ = mean_i μ_i
///   Σ_b = Σ_i (μ_i − μ)(μ_i − μ)ᵀ / (n − 1)
///   Σ_w = Σ_ij (e_ij − μ_i)(e_ij − μ_i)ᵀ / (n (q − 1)) + delta I
///   λ   = eigenvalues of M = Σ_w^(-1/2) Σ_b Σ_w^(-1/2), floored at 0
///   p   = (λ + eps) / Σ(λ + eps),  LiDAR = exp(−Σ p log p) over all D eigenvalues
///
/// The definition floors the eigenvalues of Σ_w at 1e-8 before the inverse square root; since
/// Σ_w ⪰ delta I, that floor never acts for delta > 1e-8, and M is computed through the Cholesky
/// factor Σ_w = L Lᵀ instead (L⁻¹ Σ_b L⁻ᵀ is similar to M: the same eigenvalues).
///
/// `stream` holds E in one of two shapes, both sample-major with the same values in the same
/// order: (n·q) × D rows, where row r is view r % q of sample r / q; or, when info().shape is
/// {n, q, D...} (rank >= 3) and each row is one sample flattened (q·D values, what the io readers
/// give with StreamOptions::flatten), n rows. Any dtype; values are read as float64 and every
/// sum is accumulated in float64. Each value is read once, in blocks of options.block_bytes;
/// memory is two D × D float64 matrices (n <= D: one D × D, the n × D means and their n × n
/// Gram) plus about two blocks.
///
/// Scale: values are used as they are up to 2^128 in magnitude (every float16/bfloat16/float32
/// value); blocks beyond are divided by a power of two (exact) and delta with them by its square,
/// which leaves M unchanged, so no finite input overflows. When delta so divided underflows (the
/// largest |value| above about 2^530) and Σ_w is singular, a DataError says so.
///
/// Throws UsageError for max_samples < 0, delta < 1e-8 or eps < 0 (or not finite), and
/// DataError (path = info().source) for views < 2, a shape that does not hold whole
/// samples of `views` views, fewer than 2 samples (after subsampling), no columns, or a NaN/Inf
/// anywhere in the stream (also in samples left out by subsampling), naming its row, column,
/// sample and view (0-based). n <= D gives the value with a warning (Σ_b has rank n − 1 < D).
LidarResult ComputeLidar(RowStream& stream, std::int64_t views, const LidarOptions& options = {});

/// LiDAR of eigenvalues λ of M: exp(−Σ p log p), p = (max(λ, 0) + eps) / Σ(max(λ, 0) + eps),
/// over every given value. Terms whose p underflows to 0 count as 0 (their limit).
double LidarFromEigenvalues(const std::vector<double>& eigenvalues, double eps);

}  // namespace rankme::metrics
