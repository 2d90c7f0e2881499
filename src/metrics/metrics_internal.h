// Private pieces of the RankMe engine shared by its .cpp files (not part of the public API).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <vector>

#include "rankme/core/row_stream.h"
#include "rankme/metrics/blas_runtime.h"

namespace rankme::metrics::internal {

/// Sources whose values are exact in float32, scored through float32 block products.
inline bool IsSinglePrecisionSource(DType dtype) {
  switch (dtype) {
    case DType::kBool:
    case DType::kInt8:
    case DType::kUInt8:
    case DType::kInt16:
    case DType::kUInt16:
    case DType::kFloat16:
    case DType::kBFloat16:
    case DType::kFloat32:
      return true;
    default:
      return false;
  }
}

// ---- row feeding (row_feed.cpp) ----

/// Which rows to score and whether to check every row of the stream for NaN/Inf.
struct RowPlan {
  std::span<const std::int64_t> selected;  ///< ascending row indices; empty = every row
  std::int64_t rows_used = 0;              ///< rows scored
  bool scan_all = true;                    ///< check all rows of the stream (first pass only)
};

/// Calls `sink(rows, count, max_abs)` with the scored rows in ascending order, in blocks of at
/// most `block_rows` rows (count × cols row-major; the sink may modify them). When
/// plan.scan_all, every row of the stream is read and a NaN/Inf throws DataError naming row and
/// column. `max_abs` is the block's largest |value| when the feed computed it (while checking),
/// else negative. Memory: at most two blocks of block_rows × cols values.
void FeedRows(RowStream& stream, const RowPlan& plan, std::int64_t block_rows,
              const std::function<void(float*, std::int64_t, double)>& sink);
void FeedRows(RowStream& stream, const RowPlan& plan, std::int64_t block_rows,
              const std::function<void(double*, std::int64_t, double)>& sink);

/// FeedRows for several accumulators: block b goes to lane b % lanes, as `sink(lane, rows,
/// count, max_abs)`. With threads > 1 (at most lanes), lane L runs on a thread of its own: the
/// lanes read their blocks in turn, in stream order, and process them meanwhile; the first
/// exception stops every lane and is rethrown. Each lane's blocks and their order are the same
/// whatever the number of threads. Memory: a block per lane (and a window when rows are
/// selected and every row is checked).
void FeedRowsInLanes(RowStream& stream, const RowPlan& plan, std::int64_t block_rows, int lanes,
                     int threads,
                     const std::function<void(int, float*, std::int64_t, double)>& sink);
void FeedRowsInLanes(RowStream& stream, const RowPlan& plan, std::int64_t block_rows, int lanes,
                     int threads,
                     const std::function<void(int, double*, std::int64_t, double)>& sink);

/// Rows per block so that `copies` values of `value_bytes` each per row element fit in
/// `block_bytes`; at least 1, at most `cap`.
std::int64_t BlockRows(std::size_t block_bytes, std::int64_t cols, std::size_t bytes_per_value,
                       std::int64_t cap);

/// Single-threaded BLAS until Restore() or destruction, when two threads or more were allowed:
/// for work split into streams that take one thread each, so that BLAS threads × streams stays
/// within the count.
class SingleThreadedBlas {
 public:
  SingleThreadedBlas() : saved_(BlasThreads()) {
    if (saved_ > 1) SetBlasThreads(1);
  }
  ~SingleThreadedBlas() { Restore(); }
  SingleThreadedBlas(const SingleThreadedBlas&) = delete;
  SingleThreadedBlas& operator=(const SingleThreadedBlas&) = delete;
  /// The BLAS threads allowed before.
  int saved() const { return saved_; }
  bool parallel() const { return saved_ > 1; }
  void Restore() {
    if (saved_ > 1 && !restored_) SetBlasThreads(saved_);
    restored_ = true;
  }

 private:
  int saved_;
  bool restored_ = false;
};

// ---- element-wise passes (kernels.cpp) ----

/// Random ±1 probe vectors of the Gram path's noise estimate.
constexpr int kProbes = 4;

/// Largest |value| of `count` values; NaN or +Inf when any value is NaN or infinite.
double MaxAbs(const float* values, std::size_t count);
double MaxAbs(const double* values, std::size_t count);

/// For each of `count` rows z (row-major, `dim` wide), in float64: diag += z∘z, sums += z,
/// images_p += z (zᵀ probe_p) for the kProbes probes. `probes` and `images` hold kProbes
/// vectors of `dim` values one after the other.
void AddSideSums(const float* rows, std::int64_t count, std::int64_t dim, const double* probes,
                 double* images, double* diag, double* sums);
void AddSideSums(const double* rows, std::int64_t count, std::int64_t dim, const double* probes,
                 double* images, double* diag, double* sums);

/// values *= 2^k, exactly whenever the result is a normal number (a product of two powers of two
/// where 2^k itself is beyond the float64 range). Results below the normal range round once.
void ScaleByPowerOfTwo(float* values, std::size_t count, int k);
void ScaleByPowerOfTwo(double* values, std::size_t count, int k);

/// The power of two 2^e by which a block of rows with largest magnitude `max_abs` (> 0) is
/// divided before its products are formed: 0 for max_abs in [2^-32, 2^32], whose products can
/// neither overflow nor underflow in a way that matters next to the largest one; else the
/// exponent that brings max_abs into [0.5, 1).
int BlockScaleExponent(double max_abs);

/// Singular values in scaled units: the true ones are sigma × 2^exponent. Kept apart so that
/// neither overflows nor underflows for any finite input (true singular values can exceed
/// DBL_MAX, or be subnormal and carry only a few bits).
struct ScaledSpectrum {
  std::vector<double> sigma;  ///< descending
  int exponent = 0;
};

// ---- Gram fast path (gram_path.cpp) ----

/// Eigenvalues of the computed Gram matrix (ZᵀZ, or ZZᵀ when rows_used < cols) with what the
/// certificate needs. Values are in scaled units: the true Gram is 2^(2 scale_exponent) times.
struct GramSpectrum {
  std::vector<double> eigenvalues;  ///< descending, min(rows_used, cols) of them
  double noise_frobenius = 0.0;     ///< estimate of ||computed - exact Gram||_F (probe residual)
  double trace = 0.0;               ///< exact trace (sum of squares of every scored value)
  int scale_exponent = 0;
  bool single_precision = true;  ///< float32 block products (else float64)
  /// The part of noise_frobenius due to centring in float64 (0 for an uncentred Gram): the same
  /// whatever the precision of the products.
  double centring_noise = 0.0;
};

/// The spectra of one Gram pass: of Z, and of Z − 1·mean(Z) derived from the same products.
struct GramSpectra {
  GramSpectrum uncentered;
  GramSpectrum centered;
};

/// How many accumulators the Gram ZᵀZ of `rows` rows of `dim` values, read in blocks of
/// `block_rows`, is summed in (1 or 2; each takes a thread of its own when BLAS may use two).
/// Depends on the shape only.
int GramLanes(std::int64_t dim, std::int64_t rows, std::int64_t block_rows);

/// Streams the scored rows through blocked ssyrk (float32) or dsyrk (float64) products
/// accumulated in float64 (with the column sums), then dsyevd of the Gram and of its centred
/// version (`centered`; else `centered` of the result is all zeros).
/// With `abandon_ratio` > 0, the pass stops early and returns nothing when, with at most half
/// of the rows read, the Gram so far has an eigenvalue below abandon_ratio times its noise band:
/// a tail this tier cannot certify (the smallest eigenvalues of a partial Gram are at most
/// those of the whole, in units of its noise nearly so). The rows not read were not checked.
std::optional<GramSpectra> ComputeGramSpectrum(RowStream& stream, const RowPlan& plan,
                                               bool single_precision, std::size_t block_bytes,
                                               bool centered, double abandon_ratio = 0.0);

// ---- exact path (qr_path.cpp) ----

/// Singular values of Z and of Z − 1·mean(Z) (each descending, min(rows_used, cols) of them).
struct ExactSpectra {
  ScaledSpectrum uncentered;  ///< zeros when not asked for
  ScaledSpectrum centered;
};

/// Both spectra by streaming Householder QR of [1 | Z] in float64 and the SVDs of parts of R (see
/// qr_path.cpp); for rows_used < cols, SVDs of the float64 rows held in memory and of their
/// centred copy. Blocks are scaled by powers of two (exact) before they are factorised, as in the
/// Gram path. `uncentered` / `centered` = false skip that spectrum's SVD (zeros instead).
ExactSpectra ComputeExactSpectra(RowStream& stream, const RowPlan& plan, std::size_t block_bytes,
                                 bool uncentered, bool centered);

// ---- dense singular values (dense_svd.cpp) ----

/// Singular values (descending) of the rows × cols column-major `a` (destroyed), rows >= cols,
/// no vectors: two-stage bidiagonalisation (band, then bidiagonal) from order 128 on, dgesdd
/// below.
std::vector<double> DenseSingularValues(std::vector<double>& a, std::int64_t rows,
                                        std::int64_t cols);

// ---- certificate (certificate.cpp) ----

struct GramCertificate {
  double error_bound = 0.0;  ///< estimated |Δ log RankMe| of the Gram result
  ScaledSpectrum spectrum;   ///< the singular values, descending
};

/// Estimates how far RankMe from `spectrum` can be from RankMe of the exact singular values.
GramCertificate CertifyGramSpectrum(const GramSpectrum& spectrum, double eps);

/// The float64 Gram that the float32 `single` predicts for the same rows (noise scaled down,
/// eigenvalues hidden in the float32 noise continuing the trend above it), to decide whether
/// the float64 tier is worth a second read; empty when the spectrum drops into the float32 noise
/// like rank deficiency does (no float64 Gram can be certified there).
std::optional<GramSpectrum> PredictDoubleGram(const GramSpectrum& single);

/// Estimated error of the other metrics of the spectrum (sister_metrics.h) against their values
/// on the exact spectrum, from the same noise band as CertifyGramSpectrum: the largest relative
/// error of stable rank / NESum / participation ratio and the absolute error of α-ReQ (whose
/// fit reads λ_11 … λ_100 and must not have a rank cross its 1e-12 λ_1 cut-off).
double SisterMetricsErrorBound(const GramSpectrum& spectrum);

/// Bound on |H(sigma') - H(sigma)| over all sigma' with |sigma'_j - sigma_j| <= halfwidth_j
/// (H = log RankMe). Rigorous given the half-widths (mean value theorem with a derivative bound).
double BoundEntropyChange(std::span<const double> sigma, std::span<const double> halfwidth,
                          double eps);

// ---- tier forecast (tier_forecast.cpp) ----

/// What a sample of the rows shows before any pass (tier_forecast.cpp): whether the float64
/// Gram's certificate fails on the predicted spectrum by more than ten times `trust` even with
/// the smallest modelled noise (a cliff to rounding level: rank deficiency, collapse), so that
/// the exact path follows at once.
struct TierForecast {
  bool predicted = false;      ///< large enough, a finite sample, rows readable in any order
  bool exact_at_once = false;  ///< no Gram tier can certify this matrix
};
TierForecast ForecastTiers(RowStream& stream, const RowPlan& plan, double eps, double trust,
                           std::size_t block_bytes);

/// log RankMe of a spectrum (the entropy H); NaN when the sum is zero. Scale-invariant and
/// computed after dividing by a power of two near the largest value, so that any finite
/// spectrum gives a finite H (the sum of values near DBL_MAX does not overflow).
double SpectrumEntropy(std::span<const double> sigma, double eps);

}  // namespace rankme::metrics::internal
