// Gram fast path: sigma_k^2 are the eigenvalues of ZᵀZ (ZZᵀ when fewer rows than columns).
//
// Blocks of rows are multiplied with ssyrk (float32 sources) or dsyrk (float64 sources), after
// scaling by a power of two (exact) where their magnitudes could overflow or underflow, and
// summed into a float64 Gram. Two cheap float64 side sums (kernels.cpp) feed the certificate:
// - the exact diagonal (sums of squares, exact products in float64), which replaces the computed
//   one: the diagonal carries the largest, coherent rounding error of a float32 Gram;
// - kProbes random ±1 probe vectors X: Zᵀ(Z X) summed in float64, so that after the pass
//   Ĝ X − Zᵀ(Z X) = E X measures the rounding error E of this very computation
//   (E[||E x||²] = ||E||_F² for a ±1 vector x).
#include <cblas.h>
#include <lapacke.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <future>
#include <optional>

#include "metrics/metrics_internal.h"
#include "rankme/core/error.h"

namespace rankme::metrics::internal {

namespace {

// Rows per block at most: the float32 accumulation length inside ssyrk sets part of the Gram's
// error (measured by the probes, so this is a choice of speed against margin, not a condition
// of validity). 8192 rows at D = 256 (8 MB) measured faster than 16384 with the two lanes: each
// lane's block is read, checked, side-summed and multiplied while it is still in cache.
constexpr std::int64_t kMaxBlockRows = 8192;

// How the centred Gram follows from an accumulated one: by the column sums (the Gram is ZᵀZ), or
// by centring rows and columns of the kernel matrix (the Gram is ZZᵀ); or not at all.
enum class Centering { kColumns, kKernel, kNone };

class GramAccumulator {
 public:
  GramAccumulator(std::int64_t dim, bool single_precision)
      : dim_(dim),
        single_(single_precision),
        gram_(static_cast<std::size_t>(dim * dim), 0.0),
        diag_(static_cast<std::size_t>(dim), 0.0),
        sums_(static_cast<std::size_t>(dim), 0.0),
        probes_(static_cast<std::size_t>(dim * kProbes)),
        images_(static_cast<std::size_t>(dim * kProbes), 0.0),
        block_diag_(diag_.size()),
        block_sums_(sums_.size()),
        block_images_(images_.size()) {
    std::uint64_t state = 0x52414E4B4D45ULL;  // fixed: results must not vary between runs
    for (double& x : probes_) {
      state += 0x9E3779B97F4A7C15ULL;
      std::uint64_t z = state;
      z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
      z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
      x = ((z ^ (z >> 31)) >> 63) != 0 ? 1.0 : -1.0;
    }
  }

  // `rows`: count × dim row-major, finite; may be scaled in place. `known_max_abs`: their
  // largest magnitude, or negative when not known yet.
  template <typename T>
  void Add(T* rows, std::int64_t count, double known_max_abs) {
    const std::size_t n = static_cast<std::size_t>(count * dim_);
    const double max_abs = known_max_abs >= 0.0 ? known_max_abs : MaxAbs(rows, n);
    rows_ += count;
    if (max_abs == 0.0) return;
    const int block_exponent = BlockScaleExponent(max_abs);
    if (exponent_ == INT_MIN) {
      exponent_ = block_exponent;
    } else if (block_exponent > exponent_) {
      Rescale(block_exponent);
    }
    // Accumulators hold true values times 2^(-2 exponent_); the block's scaled products need
    // `factor` to join them.
    const double factor = std::ldexp(1.0, 2 * (block_exponent - exponent_));
    std::fill(block_diag_.begin(), block_diag_.end(), 0.0);
    std::fill(block_sums_.begin(), block_sums_.end(), 0.0);
    std::fill(block_images_.begin(), block_images_.end(), 0.0);
    if constexpr (sizeof(T) == sizeof(float)) {
      // Side sums of the values as they are (their float64 squares cannot overflow), before
      // scaling, so that anything the float32 scaling and products lose shows in the residual.
      AddSideSums(rows, count, dim_, probes_.data(), block_images_.data(), block_diag_.data(),
                  block_sums_.data());
      Merge(std::ldexp(1.0, -2 * exponent_), std::ldexp(1.0, -exponent_));
      Scale(rows, n, block_exponent);
    } else {
      Scale(rows, n, block_exponent);
      AddSideSums(rows, count, dim_, probes_.data(), block_images_.data(), block_diag_.data(),
                  block_sums_.data());
      Merge(factor, std::ldexp(1.0, block_exponent - exponent_));
    }
    MultiplyBlock(rows, count, factor);
  }

  // Adds what `other` (same dim and precision) accumulated: the sum of the two streams of rows.
  void Absorb(const GramAccumulator& other) {
    if (other.exponent_ == INT_MIN) return;
    rows_ += other.rows_;
    if (exponent_ == INT_MIN || other.exponent_ > exponent_) Rescale(other.exponent_);
    const double f = std::ldexp(1.0, 2 * (other.exponent_ - exponent_));
    const double f_sums = std::ldexp(1.0, other.exponent_ - exponent_);
    for (std::size_t i = 0; i < sums_.size(); ++i) sums_[i] += f_sums * other.sums_[i];
    for (std::int64_t i = 0; i < dim_; ++i) {
      for (std::int64_t j = i; j < dim_; ++j) gram_[i * dim_ + j] += f * other.gram_[i * dim_ + j];
    }
    for (std::size_t i = 0; i < diag_.size(); ++i) diag_[i] += f * other.diag_[i];
    for (std::size_t i = 0; i < images_.size(); ++i) images_[i] += f * other.images_[i];
  }

  std::int64_t rows() const { return rows_; }

  // True when the Gram accumulated so far has an eigenvalue below `ratio` times its noise band
  // (as CertifyGramSpectrum's: twice the probe estimate of its rounding, plus the solver's
  // share): the Cholesky factorisation of Ĝ − τI fails exactly when that matrix is not positive
  // definite, up to the factorisation's own rounding (about u λ_max, far below τ). D³/3 flops
  // on a copy; the accumulators are left as they are.
  bool HasEigenvalueInNoise(double ratio) const {
    if (exponent_ == INT_MIN) return false;
    std::vector<double> matrix = gram_;
    double trace = 0.0;
    for (std::int64_t i = 0; i < dim_; ++i) {
      matrix[i * dim_ + i] = diag_[i];
      trace += diag_[i];
    }
    std::vector<double> residual = images_;
    cblas_dsymm(CblasColMajor, CblasLeft, CblasLower, dim_, kProbes, 1.0, matrix.data(), dim_,
                probes_.data(), dim_, -1.0, residual.data(), dim_);
    double sum_sq = 0.0;
    for (double v : residual) sum_sq += v * v;
    const double band = 2.0 * std::sqrt(sum_sq / kProbes) +
                        4.0 * std::sqrt(static_cast<double>(dim_)) * 0x1p-53 * trace;
    const double shift = ratio * band;
    for (std::int64_t i = 0; i < dim_; ++i) matrix[i * dim_ + i] -= shift;
    // The row-major upper triangle is the column-major lower one.
    return LAPACKE_dpotrf(LAPACK_COL_MAJOR, 'L', dim_, matrix.data(), dim_) != 0;
  }

  // The spectra of this Gram and of its centred version (see Centering).
  GramSpectra Finish(Centering centering) {
    GramSpectra out;
    out.uncentered.single_precision = out.centered.single_precision = single_;
    out.uncentered.eigenvalues.assign(static_cast<std::size_t>(dim_), 0.0);
    out.centered.eigenvalues = out.uncentered.eigenvalues;
    if (exponent_ == INT_MIN) return out;  // every value zero
    out.uncentered.scale_exponent = out.centered.scale_exponent = exponent_;
    for (std::int64_t i = 0; i < dim_; ++i) {
      gram_[i * dim_ + i] = diag_[i];
      out.uncentered.trace += diag_[i];
    }
    // Residual E X = Ĝ X − Zᵀ(Z X). The row-major upper triangle of Ĝ is a column-major lower
    // one; the probes are the columns of a column-major dim × kProbes matrix.
    std::vector<double> residual = images_;
    cblas_dsymm(CblasColMajor, CblasLeft, CblasLower, dim_, kProbes, 1.0, gram_.data(), dim_,
                probes_.data(), dim_, -1.0, residual.data(), dim_);
    double sum_sq = 0.0;
    for (double v : residual) sum_sq += v * v;
    out.uncentered.noise_frobenius = std::sqrt(sum_sq / kProbes);
    // One eigenvalue problem takes every BLAS thread allowed (at D = 2048: 0.36 s on two,
    // 0.55 s on one). Two (with the centred spectrum) take single-threaded BLAS and, with two
    // threads allowed, a thread each (dsytrd is mostly memory-bound matrix-vector work and
    // scales poorly over threads). RankMe may then round differently with and without the
    // centred spectrum, by about 1e-16.
    if (centering == Centering::kNone) {
      Eigenvalues(gram_, out.uncentered.eigenvalues);
      return out;
    }
    SingleThreadedBlas blas;
    std::vector<double> centered = Centered(centering, out.uncentered, out.centered);
    auto solve_centered = [&] { Eigenvalues(centered, out.centered.eigenvalues); };
    if (blas.parallel()) {
      std::future<void> pending = std::async(std::launch::async, solve_centered);
      Eigenvalues(gram_, out.uncentered.eigenvalues);
      pending.get();
    } else {
      Eigenvalues(gram_, out.uncentered.eigenvalues);
      solve_centered();
    }
    return out;
  }

 private:
  // Descending eigenvalues of the symmetric dim × dim `matrix` (lower triangle, column-major;
  // destroyed).
  void Eigenvalues(std::vector<double>& matrix, std::vector<double>& eigenvalues) const {
    const lapack_int info =
        LAPACKE_dsyevd(LAPACK_COL_MAJOR, 'N', 'L', dim_, matrix.data(), dim_, eigenvalues.data());
    if (info != 0) throw Error("symmetric eigenvalue solver (dsyevd) did not converge");
    std::reverse(eigenvalues.begin(), eigenvalues.end());
  }

  // The centred Gram (upper triangle, row-major) computed from this one in float64, and its
  // trace and noise estimate in `centered`: the probe estimate of this Gram's rounding (which the
  // centred one inherits, ||H E H||_F <= ||E||_F) plus an estimate of the centring's own
  // rounding (the subtraction, u (|G_ij| + |c_ij|), and the float64 column sums, about
  // u sqrt(n) per value, 4 times for margin). Where the mean is large against the spread the
  // centred values are small against those terms and the certificate fails: the exact path
  // follows.
  std::vector<double> Centered(Centering centering, const GramSpectrum& uncentered,
                               GramSpectrum& centered) const {
    constexpr double kUnit = 0x1p-53;
    std::vector<double> out = gram_;
    double frobenius_sq = 0.0;
    for (std::int64_t i = 0; i < dim_; ++i) {
      for (std::int64_t j = i; j < dim_; ++j) {
        const double g = gram_[i * dim_ + j];
        frobenius_sq += (i == j ? 1.0 : 2.0) * g * g;
      }
    }
    const double frobenius = std::sqrt(frobenius_sq);
    double rounding = 0.0;
    if (centering == Centering::kColumns) {
      // Zc = Z − 1 mean: ZcᵀZc = ZᵀZ − s sᵀ / n, s the column sums.
      const double n = static_cast<double>(rows_);
      double sums_sq = 0.0;
      for (double v : sums_) sums_sq += v * v;
      for (std::int64_t i = 0; i < dim_; ++i) {
        for (std::int64_t j = i; j < dim_; ++j) out[i * dim_ + j] -= sums_[i] * sums_[j] / n;
      }
      rounding = kUnit * (frobenius + sums_sq / n) + 8.0 * kUnit * std::sqrt(n) * uncentered.trace;
    } else {
      // This Gram is ZZᵀ (n × n, n = dim_): ZcZcᵀ = H ZZᵀ H with H = I − 11ᵀ/n.
      const double n = static_cast<double>(dim_);
      std::vector<double> row_mean(static_cast<std::size_t>(dim_), 0.0);
      for (std::int64_t i = 0; i < dim_; ++i) {
        for (std::int64_t j = i; j < dim_; ++j) {
          row_mean[i] += gram_[i * dim_ + j] / n;
          if (j != i) row_mean[j] += gram_[i * dim_ + j] / n;
        }
      }
      double mean = 0.0;
      for (double v : row_mean) mean += v / n;
      for (std::int64_t i = 0; i < dim_; ++i) {
        for (std::int64_t j = i; j < dim_; ++j) {
          out[i * dim_ + j] += mean - row_mean[i] - row_mean[j];
        }
      }
      rounding = 16.0 * kUnit * std::sqrt(n) * frobenius;
    }
    for (std::int64_t i = 0; i < dim_; ++i) centered.trace += out[i * dim_ + i];
    centered.trace = std::max(centered.trace, 0.0);
    centered.noise_frobenius = uncentered.noise_frobenius + rounding;
    centered.centring_noise = rounding;
    return out;
  }

  template <typename T>
  static void Scale(T* rows, std::size_t n, int block_exponent) {
    ScaleByPowerOfTwo(rows, n, -block_exponent);
  }

  // diag_ and images_ += multiplier × this block's side sums, sums_ += linear × its column sums.
  void Merge(double multiplier, double linear) {
    for (std::size_t i = 0; i < diag_.size(); ++i) diag_[i] += multiplier * block_diag_[i];
    for (std::size_t i = 0; i < sums_.size(); ++i) sums_[i] += linear * block_sums_[i];
    for (std::size_t i = 0; i < images_.size(); ++i) images_[i] += multiplier * block_images_[i];
  }

  void MultiplyBlock(float* rows, std::int64_t count, double factor) {
    RANKME_CHECK(single_);
    scratch_.resize(gram_.size());
    cblas_ssyrk(CblasRowMajor, CblasUpper, CblasTrans, dim_, count, 1.0f, rows, dim_, 0.0f,
                scratch_.data(), dim_);
    for (std::int64_t i = 0; i < dim_; ++i) {
      double* dst = gram_.data() + i * dim_;
      const float* src = scratch_.data() + i * dim_;
      for (std::int64_t j = i; j < dim_; ++j) dst[j] += factor * double(src[j]);
    }
  }

  void MultiplyBlock(double* rows, std::int64_t count, double factor) {
    cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, dim_, count, factor, rows, dim_, 1.0,
                gram_.data(), dim_);
  }

  // Moves the accumulators to a larger exponent (multiplication by a power of two).
  void Rescale(int new_exponent) {
    if (exponent_ == INT_MIN) {  // nothing accumulated yet: every accumulator is zero
      exponent_ = new_exponent;
      return;
    }
    const double f = std::ldexp(1.0, 2 * (exponent_ - new_exponent));
    for (std::int64_t i = 0; i < dim_; ++i) {
      for (std::int64_t j = i; j < dim_; ++j) gram_[i * dim_ + j] *= f;
    }
    for (double& v : diag_) v *= f;
    for (double& v : images_) v *= f;
    const double f_sums = std::ldexp(1.0, exponent_ - new_exponent);
    for (double& v : sums_) v *= f_sums;
    exponent_ = new_exponent;
  }

  std::int64_t dim_;
  bool single_;
  std::vector<double> gram_;    // dim × dim, row-major; upper triangle valid
  std::vector<double> diag_;    // exact diagonal
  std::vector<double> sums_;    // column sums
  std::vector<double> probes_;  // kProbes vectors of dim values
  std::vector<double> images_;  // kProbes vectors: sum of Bᵀ(B X)
  std::vector<double> block_diag_;
  std::vector<double> block_sums_;
  std::vector<double> block_images_;
  std::vector<float> scratch_;
  int exponent_ = INT_MIN;  // accumulators hold the true values times 2^(-2 exponent_)
  std::int64_t rows_ = 0;   // rows added, zero ones included
};

// Transposes columns [c0, c0 + width) of the rows × cols row-major `z` into width × rows.
template <typename T>
void TransposeColumns(const std::vector<T>& z, std::int64_t rows, std::int64_t cols,
                      std::int64_t c0, std::int64_t width, std::vector<T>& out) {
  out.resize(static_cast<std::size_t>(width * rows));
  for (std::int64_t r = 0; r < rows; ++r) {
    for (std::int64_t c = 0; c < width; ++c) out[c * rows + r] = z[r * cols + c0 + c];
  }
}

// Thrown by a lane to stop a pass whose tier is hopeless (see ComputeGramSpectrum).
struct TierAbandoned {};

template <typename T>
std::optional<GramSpectra> Compute(RowStream& stream, const RowPlan& plan, bool single_precision,
                                   std::size_t block_bytes, bool centered, double abandon_ratio) {
  const std::int64_t cols = stream.info().cols;
  // A block's values, and the window when rows are selected.
  const std::size_t bytes = sizeof(T) * (plan.selected.empty() ? 1 : 2);
  if (plan.rows_used >= cols) {
    const std::int64_t block_rows = BlockRows(block_bytes, cols, bytes, kMaxBlockRows);
    const int lanes = GramLanes(cols, plan.rows_used, block_rows);
    std::vector<GramAccumulator> grams;  // built in place: a Gram may take hundreds of MB
    grams.reserve(static_cast<std::size_t>(lanes));
    for (int lane = 0; lane < lanes; ++lane) grams.emplace_back(cols, single_precision);
    // The check for a hopeless tier: once, on lane 0's Gram, when it holds at least 2 × cols
    // rows (fewer leave it rank-deficient whatever the matrix) and at most half of the pass is
    // done (else finishing costs less than what the check could save).
    bool checked = abandon_ratio <= 0.0;
    try {
      std::optional<SingleThreadedBlas> blas;
      if (lanes > 1) blas.emplace();
      const int threads = blas ? std::min(lanes, blas->saved()) : 1;
      FeedRowsInLanes(stream, plan, block_rows, lanes, threads,
                      std::function<void(int, T*, std::int64_t, double)>(
                          [&](int lane, T* rows, std::int64_t count, double max_abs) {
                            GramAccumulator& gram = grams[static_cast<std::size_t>(lane)];
                            gram.Add(rows, count, max_abs);
                            if (lane != 0 || checked || gram.rows() < 2 * cols) return;
                            checked = true;
                            if (2 * lanes * gram.rows() <= plan.rows_used &&
                                gram.HasEigenvalueInNoise(abandon_ratio)) {
                              throw TierAbandoned{};
                            }
                          }));
    } catch (const TierAbandoned&) {
      return std::nullopt;
    }
    for (std::size_t lane = 1; lane < grams.size(); ++lane) grams[0].Absorb(grams[lane]);
    return grams[0].Finish(centered ? Centering::kColumns : Centering::kNone);
  }
  // Fewer rows than columns: ZZᵀ (rows_used²) from column blocks of the rows held in memory.
  std::vector<T> z;
  z.reserve(static_cast<std::size_t>(plan.rows_used * cols));
  FeedRows(stream, plan, BlockRows(block_bytes, cols, sizeof(T) * 2, kMaxBlockRows),
           std::function<void(T*, std::int64_t, double)>(
               [&z, cols](T* rows, std::int64_t count, double /*max_abs*/) {
                 z.insert(z.end(), rows, rows + count * cols);
               }));
  const std::int64_t n = plan.rows_used;
  GramAccumulator gram(n, single_precision);
  const std::int64_t width = BlockRows(block_bytes, n, sizeof(T), kMaxBlockRows);
  std::vector<T> block;
  for (std::int64_t c0 = 0; c0 < cols; c0 += width) {
    const std::int64_t w = std::min(width, cols - c0);
    TransposeColumns(z, n, cols, c0, w, block);
    gram.Add(block.data(), w, -1.0);
  }
  return gram.Finish(centered ? Centering::kKernel : Centering::kNone);
}

}  // namespace

// Accumulators of ZᵀZ that share the blocks of rows (block b goes to b % lanes) and are summed
// at the end: two for many blocks of a Gram that is small to hold twice, else one. Two let
// two threads each run single-threaded ssyrk on their own blocks, read in turn, which beats one
// two-threaded ssyrk per block here (its threads wait on each other and spin while rows are
// read and checked). Chosen from the shape only, so the sums do not depend on the thread count.
constexpr std::int64_t kLaneMinBlocks = 16;
constexpr std::size_t kLaneMaxGramBytes = std::size_t{64} << 20;

int GramLanes(std::int64_t dim, std::int64_t rows, std::int64_t block_rows) {
  const std::int64_t blocks = (rows + block_rows - 1) / block_rows;
  // In double: a declared (not yet checked) dimension can be large enough to overflow dim².
  const double gram_bytes = static_cast<double>(dim) * static_cast<double>(dim) * sizeof(double);
  return blocks >= kLaneMinBlocks && gram_bytes <= static_cast<double>(kLaneMaxGramBytes) ? 2 : 1;
}

std::optional<GramSpectra> ComputeGramSpectrum(RowStream& stream, const RowPlan& plan,
                                               bool single_precision, std::size_t block_bytes,
                                               bool centered, double abandon_ratio) {
  return single_precision
             ? Compute<float>(stream, plan, true, block_bytes, centered, abandon_ratio)
             : Compute<double>(stream, plan, false, block_bytes, centered, abandon_ratio);
}

}  // namespace rankme::metrics::internal
