#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "rankme/core/row_stream.h"

namespace rankme::metrics {

/// Bumped whenever a change to the engine can change a printed RankMe; stored with every score.
constexpr int kRankmeAlgorithmVersion = 1;

/// How RankMe is computed. Defaults follow Garrido et al. 2023.
struct RankmeOptions {
  /// Added to each L1-normalised singular value before the entropy (after normalisation).
  double eps = 1e-7;
  /// Rows scored at most; larger matrices are subsampled with SubsampleRows. 0 = every row.
  std::int64_t max_samples = 25600;
  /// Seed of the row subsample (see SubsampleRows).
  std::uint64_t seed = 0;

  /// The tiers, fastest first. A Gram tier computes sigma_k^2 as eigenvalues of ZᵀZ (ZZᵀ when
  /// fewer rows than columns) and certifies the result (error_bound) against the contract.
  enum class Method {
    kAuto,    ///< the first tier whose certificate holds: gram32, gram64, then exact
    kGram32,  ///< float32 block products summed in float64, even uncertified (its error_bound
              ///< says how far off); float64 sources have no float32 tier and take gram64
    kGram64,  ///< float64 block products (float32/16 data upcast), even uncertified
    kExact,   ///< exact path only (streaming Householder QR, then the SVD of R)
  };
  Method method = Method::kAuto;

  /// Bound on the working window: rows read per step (plus their float32/float64 copies) take
  /// at most about this many bytes. The Gram (D x D float64) and R come on top.
  std::size_t block_bytes = std::size_t{32} << 20;

  /// Also compute the spectrum of the centred matrix Z − 1·mean(Z) (RankmeResult::centered),
  /// from the same reads, under the same certificate and exact fallback.
  bool centered = true;

  /// Memory the computation may take (EstimateRankmeMemory in memory_estimate.h): larger shapes
  /// are refused with a DataError naming the shape and the memory needed. 0 = DefaultMaxMemory()
  /// (half the physical memory).
  std::size_t max_memory = 0;
};

/// Outcome of a spectrum.
enum class SpectrumStatus {
  kOk,          ///< the spectrum and its metrics have values
  kDegenerate,  ///< the matrix is zero (uncentred: every scored value; centred: every scored row
                ///< equal, up to the rounding of centring): its metrics are undefined (NaN)
};

/// The centred spectrum of a RankMe computation (RankmeOptions::centered).
struct CenteredSpectrum {
  bool computed = false;
  SpectrumStatus status = SpectrumStatus::kOk;
  /// Singular values of Z − 1·mean(Z) over the scored rows, descending, min(rows_used, cols) of
  /// them; true values are singular_values × 2^singular_value_exponent.
  std::vector<double> singular_values;
  int singular_value_exponent = 0;
  std::string method_used;   ///< the tier that produced them: gram32, gram64 or qr
  double error_bound = 0.0;  ///< estimated relative error of RankMe of this spectrum
  double sister_error_bound = 0.0;  ///< of NESum, participation ratio and α-ReQ (see below)
};

/// Result of one RankMe computation.
struct RankmeResult {
  using Status = SpectrumStatus;
  Status status = Status::kOk;
  double value = 0.0;           ///< RankMe, or NaN when degenerate
  std::string method_used;      ///< "gram32", "gram64" or "qr": the tier that produced `value`
  std::int64_t rows_total = 0;  ///< N of the matrix
  std::int64_t rows_used = 0;   ///< rows scored (after subsampling)
  std::int64_t cols = 0;        ///< D
  /// Singular values of the scored rows, descending, exactly min(rows_used, cols) of them.
  /// True values are singular_values × 2^singular_value_exponent.
  std::vector<double> singular_values;
  /// 0, unless the largest singular value is beyond the float64 range (>= 2^1024, possible for
  /// finite values near DBL_MAX) or subnormal (< 2^-1022, where float64 keeps only a few bits):
  /// then singular_values[0] is in [1, 2) and a warning says so.
  int singular_value_exponent = 0;
  /// Estimated relative error of `value` against a float64 SVD of the same values. For the exact
  /// path a fixed small figure (about 1e-13); for the Gram path the certificate's estimate.
  double error_bound = 0.0;
  /// Estimated error of the sister metrics of the spectrum: the largest relative error of the
  /// stable rank (and, for `centered`, NESum and the participation ratio) and the absolute error
  /// of α-ReQ. 0 on the exact path (backward stable: errors about 1e-15).
  double sister_error_bound = 0.0;
  CenteredSpectrum centered;          ///< when RankmeOptions::centered
  std::vector<std::string> warnings;  ///< e.g. "D = 1: ..."; never fatal
};

/// Computes RankMe of the rows × cols matrix behind `stream` (rows are samples).
///
/// Reads every row once to check for NaN/Inf (also rows not selected by subsampling), scoring
/// the rows of SubsampleRows(seed, rows, max_samples) when rows > max_samples > 0. float16,
/// bfloat16, float32 (and narrow integer) sources start with the float32 Gram tier, float64
/// (and wide integer) sources with the float64 one. With Method::kAuto the stream may be read a
/// second time (exact path). Throws DataError (path = stream.info().source) for fewer than two
/// rows, zero columns, a shape whose memory estimate exceeds options.max_memory, or a NaN/Inf
/// (naming its 0-based row and column in the file); errors of the stream propagate.
RankmeResult ComputeRankme(RowStream& stream, const RankmeOptions& options = {});

/// RankMe of a spectrum: exp(-sum_k p_k log p_k), p_k = sigma_k / sum(sigma) + eps, over every
/// given value (pass exactly min(N, D) of them). NaN when the sum is zero.
double RankmeFromSingularValues(std::span<const double> sigma, double eps);

}  // namespace rankme::metrics
