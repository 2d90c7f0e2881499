// Exact path: singular values without forming ZᵀZ, so exact zeros stay (numerically) zero.
//
// rows_used >= cols: streaming TSQR in float64 of [1 | Z], Z with a column of ones in front.
// R ((cols + 1) × (cols + 1), upper triangular) starts at zero and, for each block B of rows, is
// replaced by the R factor of [R; B] (LAPACK dtpqrt, which exploits R's triangle). Writing
// R = [r11 r12ᵀ; 0 R22], the first column of Q is 1/√n, so Z = q1 r12ᵀ + Q2 R22 and
// Z − 1·mean(Z) = (I − q1 q1ᵀ) Z = Q2 R22: the singular values of R's last cols columns are those
// of Z, and those of R22 those of the centred Z (dense_svd.cpp), from one pass and without the
// cancellation of subtracting a mean (Householder QR is backward stable column by column).
// The blocks alternate between two such streams, whose R factors are merged at the end by one
// more dtpqrt of [R0; R1] (R1 triangular: l = n). [Q0 0; 0 Q1] and the merge's Q are orthogonal,
// so R is an R factor of Z (up to a row permutation, which leaves singular values alone), with
// the same backward error bound as one stream plus one Householder step. The split is fixed
// (block k goes to stream k mod 2), so the result does not depend on the thread count: with two
// BLAS threads allowed, the streams run on two threads with single-threaded BLAS (measured:
// dtpqrt's panel work scales poorly across OpenBLAS threads, two independent streams do not
// share it); with one, one after the other.
// rows_used < cols: the scored rows are held in float64 and passed to DenseSingularValues
// directly (as the cols × rows_used column-major matrix they are).
// Range: every block is divided by a power of two (exact) as in the Gram path (see
// BlockScaleExponent), R holding the true R times 2^-exponent_, so that neither the reflectors'
// norms nor R overflow for values near DBL_MAX, and subnormal values are factorised with full
// relative precision instead of the few bits they carry (LAPACK's Householder reflectors lose
// them: a rank-1 matrix of subnormals scored 3.28 instead of 1.00002).
#include <lapacke.h>

#include <algorithm>
#include <array>
#include <climits>
#include <future>

#include "metrics/metrics_internal.h"
#include "rankme/core/error.h"
#include "rankme/metrics/blas_runtime.h"

namespace rankme::metrics::internal {

namespace {

// Panel width of dtpqrt's blocked Householder updates: each panel passes over the block once,
// so a wider one moves less memory (64 measured ~15 % less CPU time than 32 at D = 2048).
constexpr std::int64_t kPanel = 64;
// Blocks take up to kMinBlockRows rows within kMinBlockBytes even when block_bytes is smaller:
// dtpqrt's updates are matrix products whose inner size is the block's row count, slow below
// about a thousand (at D = 2048, 32 MB held 512 rows).
constexpr std::int64_t kMinBlockRows = 1024;
constexpr std::size_t kMinBlockBytes = std::size_t{64} << 20;

class TsqrAccumulator {
 public:
  explicit TsqrAccumulator(std::int64_t dim)
      : dim_(dim),
        width_(dim + 1),
        panel_(std::min(kPanel, width_)),
        r_(static_cast<std::size_t>(width_ * width_), 0.0),
        t_(static_cast<std::size_t>(panel_ * width_)),
        work_(static_cast<std::size_t>(panel_ * width_)) {}

  // Copies `rows` (count × dim row-major; scaled in place) into this stream's column-major
  // block, in the units of R. `max_abs`: their largest magnitude, or negative when not known.
  void Load(double* rows, std::int64_t count, double max_abs) {
    const std::size_t n = static_cast<std::size_t>(count * dim_);
    if (max_abs < 0.0) max_abs = MaxAbs(rows, n);
    count_ = max_abs > 0.0 ? count : 0;
    if (count_ == 0) return;  // an all-zero block leaves R as it is
    const int block_exponent = BlockScaleExponent(max_abs);
    if (exponent_ == INT_MIN || block_exponent > exponent_) Rescale(block_exponent);
    ScaleByPowerOfTwo(rows, n, -exponent_);
    block_.resize(static_cast<std::size_t>(count * width_));
    std::fill(block_.begin(), block_.begin() + count, 1.0);  // the column of ones, never scaled
    for (std::int64_t r = 0; r < count; ++r) {
      for (std::int64_t c = 0; c < dim_; ++c) block_[(c + 1) * count + r] = rows[r * dim_ + c];
    }
  }

  // R := R factor of [R; loaded block].
  void Apply() {
    if (count_ == 0) return;
    const lapack_int info =
        LAPACKE_dtpqrt_work(LAPACK_COL_MAJOR, count_, width_, 0, panel_, r_.data(), width_,
                            block_.data(), count_, t_.data(), panel_, work_.data());
    RANKME_CHECK(info == 0);
  }

  // R := R factor of [R; other's R] (triangular below: l = n).
  void Merge(TsqrAccumulator& other) {
    if (other.exponent_ == INT_MIN) return;
    if (exponent_ == INT_MIN || other.exponent_ > exponent_) Rescale(other.exponent_);
    other.Rescale(exponent_);
    const lapack_int info =
        LAPACKE_dtpqrt_work(LAPACK_COL_MAJOR, width_, width_, width_, panel_, r_.data(), width_,
                            other.r_.data(), width_, t_.data(), panel_, work_.data());
    RANKME_CHECK(info == 0);
  }

  // The singular values of Z (when `uncentered`) and of the centred Z. dtpqrt leaves the strict
  // lower triangle of R untouched: still zero.
  ExactSpectra SingularValues(bool uncentered, bool centered) {
    ExactSpectra out;
    const std::vector<double> zeros(static_cast<std::size_t>(dim_), 0.0);
    out.uncentered = out.centered = {zeros, 0};
    if (exponent_ == INT_MIN) return out;
    std::vector<double> tail(static_cast<std::size_t>(width_ * dim_));  // R[:, 1:]
    std::copy(r_.begin() + width_, r_.end(), tail.begin());
    std::vector<double> r22(static_cast<std::size_t>(dim_ * dim_));  // R[1:, 1:]
    for (std::int64_t c = 0; c < dim_; ++c) {
      std::copy_n(r_.begin() + (c + 1) * width_ + 1, dim_, r22.begin() + c * dim_);
    }
    // Single-threaded BLAS whatever the thread count, so that the values are the same to the
    // last bit with and without the centred spectrum and on any number of threads; with two
    // threads allowed the two SVDs run on a thread each (their band-to-bidiagonal and bidiagonal
    // steps are serial: two at once beat one after the other on two BLAS threads).
    SingleThreadedBlas blas;
    auto solve_centered = [&] { out.centered = {DenseSingularValues(r22, dim_, dim_), exponent_}; };
    std::future<void> pending;
    if (centered && uncentered && blas.parallel()) {
      pending = std::async(std::launch::async, solve_centered);
    } else if (centered) {
      solve_centered();
    }
    if (uncentered) out.uncentered = {DenseSingularValues(tail, width_, dim_), exponent_};
    if (pending.valid()) pending.get();
    return out;
  }

 private:
  // Moves R to the units 2^new_exponent (new_exponent >= exponent_; R's values shrink, and
  // those that become subnormal are below 2^-1022 of the largest block value). The column of
  // ones keeps its scale: scaling a column changes neither span nor the other columns' factors.
  void Rescale(int new_exponent) {
    if (exponent_ != INT_MIN) {
      ScaleByPowerOfTwo(r_.data() + width_, r_.size() - static_cast<std::size_t>(width_),
                        exponent_ - new_exponent);
    }
    exponent_ = new_exponent;
  }

  std::int64_t dim_;
  std::int64_t width_;  // dim_ + 1: the column of ones, then Z's
  std::int64_t panel_;
  std::vector<double> r_;  // width × width column-major, upper triangular
  std::vector<double> t_;
  std::vector<double> work_;
  std::vector<double> block_;
  std::int64_t count_ = 0;
  int exponent_ = INT_MIN;  // R holds the true R times 2^-exponent_; INT_MIN: nothing yet
};

// Singular values of the rows × cols row-major `z` (rows < cols; destroyed), scaled by a power
// of two first.
ScaledSpectrum HeldRowsSpectrum(std::vector<double>& z, std::int64_t rows, std::int64_t cols) {
  const double max_abs = MaxAbs(z.data(), z.size());
  if (max_abs == 0.0) return {std::vector<double>(static_cast<std::size_t>(rows), 0.0), 0};
  const int exponent = BlockScaleExponent(max_abs);
  ScaleByPowerOfTwo(z.data(), z.size(), -exponent);
  // Row-major rows × cols is column-major cols × rows: same singular values.
  return {DenseSingularValues(z, cols, rows), exponent};
}

}  // namespace

ExactSpectra ComputeExactSpectra(RowStream& stream, const RowPlan& plan, std::size_t block_bytes,
                                 bool uncentered, bool centered) {
  const std::int64_t cols = stream.info().cols;
  if (plan.rows_used >= cols) {
    // Two lanes of the feed, one stream each, on two threads with single-threaded BLAS when two
    // are allowed (FeedRowsInLanes).
    SingleThreadedBlas blas;
    std::array<TsqrAccumulator, 2> streams{TsqrAccumulator(cols), TsqrAccumulator(cols)};
    // Per stream its block and its column-major copy, and the window when rows are selected.
    const std::size_t bytes = sizeof(double) * (plan.selected.empty() ? 4 : 5);
    const std::int64_t block_rows =
        std::max(BlockRows(block_bytes, cols, bytes, std::max<std::int64_t>(cols, kMinBlockRows)),
                 BlockRows(kMinBlockBytes, cols, bytes, kMinBlockRows));
    FeedRowsInLanes(stream, plan, block_rows, 2, blas.parallel() ? 2 : 1,
                    std::function<void(int, double*, std::int64_t, double)>(
                        [&streams](int lane, double* rows, std::int64_t count, double max_abs) {
                          TsqrAccumulator& tsqr = streams[static_cast<std::size_t>(lane)];
                          tsqr.Load(rows, count, max_abs);
                          tsqr.Apply();
                        }));
    blas.Restore();  // the merge uses every BLAS thread allowed
    streams[0].Merge(streams[1]);
    return streams[0].SingularValues(uncentered, centered);
  }
  std::vector<double> z;
  z.reserve(static_cast<std::size_t>(plan.rows_used * cols));
  FeedRows(stream, plan, BlockRows(block_bytes, cols, 2 * sizeof(double), 4096),
           std::function<void(double*, std::int64_t, double)>(
               [&z, cols](double* rows, std::int64_t n, double /*max_abs*/) {
                 z.insert(z.end(), rows, rows + n * cols);
               }));
  ExactSpectra out;
  const std::vector<double> zeros(static_cast<std::size_t>(plan.rows_used), 0.0);
  out.uncentered = out.centered = {zeros, 0};
  if (!centered) {
    if (uncentered) out.uncentered = HeldRowsSpectrum(z, plan.rows_used, cols);
    return out;
  }
  // The centred rows, in float64 as numpy computes them (mean, then differences); then Z's.
  std::vector<double> shifted = z;
  std::vector<double> mean(static_cast<std::size_t>(cols), 0.0);
  for (std::int64_t r = 0; r < plan.rows_used; ++r) {
    for (std::int64_t c = 0; c < cols; ++c) mean[c] += z[r * cols + c];
  }
  for (double& m : mean) m /= static_cast<double>(plan.rows_used);
  for (std::int64_t r = 0; r < plan.rows_used; ++r) {
    for (std::int64_t c = 0; c < cols; ++c) shifted[r * cols + c] -= mean[c];
  }
  out.centered = HeldRowsSpectrum(shifted, plan.rows_used, cols);
  if (uncentered) out.uncentered = HeldRowsSpectrum(z, plan.rows_used, cols);
  return out;
}

}  // namespace rankme::metrics::internal
