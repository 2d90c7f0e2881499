// Exact path: singular values without forming ZᵀZ, so exact zeros stay (numerically) zero.
//
// rows_used >= cols: streaming TSQR in float64. R (cols × cols, upper triangular) starts at
// zero and, for each block B of rows, is replaced by the R factor of [R; B] (LAPACK dtpqrt, which
// exploits R's triangle); then the singular values of R (dgesdd, no vectors) are those of Z.
// rows_used < cols: the scored rows are held in float64 and passed to dgesdd directly.
#include <lapacke.h>

#include <algorithm>

#include "metrics/metrics_internal.h"
#include "rankme/core/error.h"

namespace rankme::metrics::internal {

namespace {

// Panel width of dtpqrt's blocked Householder updates.
constexpr std::int64_t kPanel = 32;

// Singular values of the m × n column-major `a` (destroyed), descending.
std::vector<double> SingularValuesColumnMajor(std::vector<double>& a, std::int64_t m,
                                              std::int64_t n) {
  std::vector<double> s(static_cast<std::size_t>(std::min(m, n)));
  double unused = 0.0;
  const lapack_int info =
      LAPACKE_dgesdd(LAPACK_COL_MAJOR, 'N', m, n, a.data(), m, s.data(), &unused, 1, &unused, 1);
  if (info != 0) throw Error("singular value decomposition (dgesdd) did not converge");
  return s;
}

class TsqrAccumulator {
 public:
  explicit TsqrAccumulator(std::int64_t dim)
      : dim_(dim),
        panel_(std::min(kPanel, dim)),
        r_(static_cast<std::size_t>(dim * dim), 0.0),
        t_(static_cast<std::size_t>(panel_ * dim)) {}

  // `rows`: count × dim row-major.
  void Add(const double* rows, std::int64_t count) {
    block_.resize(static_cast<std::size_t>(count * dim_));
    for (std::int64_t r = 0; r < count; ++r) {
      for (std::int64_t c = 0; c < dim_; ++c) block_[c * count + r] = rows[r * dim_ + c];
    }
    const lapack_int info = LAPACKE_dtpqrt(LAPACK_COL_MAJOR, count, dim_, 0, panel_, r_.data(),
                                           dim_, block_.data(), count, t_.data(), panel_);
    RANKME_CHECK(info == 0);
  }

  std::vector<double> SingularValues() {
    // dtpqrt leaves the strict lower triangle of R untouched: still zero.
    return SingularValuesColumnMajor(r_, dim_, dim_);
  }

 private:
  std::int64_t dim_;
  std::int64_t panel_;
  std::vector<double> r_;  // dim × dim column-major, upper triangular
  std::vector<double> t_;
  std::vector<double> block_;
};

}  // namespace

std::vector<double> ComputeExactSingularValues(RowStream& stream, const RowPlan& plan,
                                               std::size_t block_bytes) {
  const std::int64_t cols = stream.info().cols;
  if (plan.rows_used >= cols) {
    TsqrAccumulator tsqr(cols);
    // The block, the window when rows are selected, and the column-major copy.
    const std::size_t bytes = sizeof(double) * (plan.selected.empty() ? 2 : 3);
    const std::int64_t block_rows =
        BlockRows(block_bytes, cols, bytes, std::max<std::int64_t>(cols, 256));
    FeedRows(stream, plan, block_rows,
             std::function<void(double*, std::int64_t)>(
                 [&tsqr](double* rows, std::int64_t count) { tsqr.Add(rows, count); }));
    return tsqr.SingularValues();
  }
  std::vector<double> z;
  z.reserve(static_cast<std::size_t>(plan.rows_used * cols));
  FeedRows(stream, plan, BlockRows(block_bytes, cols, 2 * sizeof(double), 4096),
           std::function<void(double*, std::int64_t)>([&z, cols](double* rows, std::int64_t n) {
             z.insert(z.end(), rows, rows + n * cols);
           }));
  // Row-major rows_used × cols is column-major cols × rows_used: same singular values.
  return SingularValuesColumnMajor(z, cols, plan.rows_used);
}

}  // namespace rankme::metrics::internal
