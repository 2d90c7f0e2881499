// ComputeLidar: streamed within- and between-sample covariances of a views tensor, then the
// eigenvalues of the whitened between-sample covariance through a Cholesky factor.
//
// Numerics. Each block holds whole samples. Every view is shifted by its own sample's mean
// before its outer product is accumulated (dsyrk in float64), so Σ_w never subtracts two large
// sums. The sample means are either kept (n <= D: at most a D × D matrix) and centred exactly
// at the end, or shifted by a provisional centre (the mean of the first block's sample means)
// before their outer products are accumulated, the rest of the centring (n m mᵀ, m the mean
// shift) being subtracted at the end, where it is small next to the sum: a large common mean
// does not cancel. Then Σ_w = L Lᵀ (dpotrf), and the eigenvalues of L⁻¹ Σ_b L⁻ᵀ (dsygst, n > D)
// or of the n × n Gram of the whitened centred means (Y Yᵀ with Yᵀ = L⁻¹ Bᵀ, dtrsm, n <= D),
// which are the nonzero eigenvalues of the same matrix.
#include "rankme/metrics/lidar.h"

#include <cblas.h>
#include <fmt/format.h>
#include <lapacke.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "metrics/metrics_internal.h"
#include "rankme/core/error.h"
#include "rankme/metrics/subsample.h"

namespace rankme::metrics {

namespace {

// Blocks whose largest magnitude is below 2^kScaleAboveExponent are used as they are; beyond,
// they are divided by a power of two (see the header).
constexpr int kScaleAboveExponent = 128;

// The definition's floor of the eigenvalues of Σ_w before its inverse square root.
constexpr double kWithinFloor = 1e-8;

// Where the views tensor lies in the stream.
struct ViewsShape {
  std::int64_t samples = 0;          // n in the stream
  std::int64_t views = 0;            // q
  std::int64_t dim = 0;              // D
  std::int64_t rows_per_sample = 0;  // q for (n·q) × D rows, 1 for n × (q·D) rows
};

ViewsShape ResolveShape(const MatrixInfo& info, std::int64_t views) {
  if (views < 2) {
    throw DataError(fmt::format("LiDAR needs at least 2 views per sample, got q = {}", views),
                    info.source);
  }
  if (info.cols < 1) throw DataError("the views tensor has no columns", info.source);
  ViewsShape shape;
  shape.views = views;
  const std::vector<std::int64_t>& dims = info.shape;
  if (dims.size() >= 3 && dims[0] == info.rows) {
    // A rank >= 3 tensor flattened to one row per sample.
    if (dims[1] != views) {
      throw DataError(fmt::format("the views tensor has {} views per sample (shape[1]), not q = {}",
                                  dims[1], views),
                      info.source);
    }
    shape.samples = info.rows;
    shape.dim = info.cols / views;
    shape.rows_per_sample = 1;
    return shape;
  }
  if (info.rows % views != 0) {
    throw DataError(fmt::format("a views tensor of q = {} views per sample, stored as (n·q) x D "
                                "rows, needs a multiple of {} rows; found {}",
                                views, views, info.rows),
                    info.source);
  }
  shape.samples = info.rows / views;
  shape.dim = info.cols;
  shape.rows_per_sample = views;
  return shape;
}

// Column-major n × n (lower triangle used) symmetric eigenvalues, ascending; `a` is destroyed.
std::vector<double> SymmetricEigenvalues(std::vector<double>& a, std::int64_t n) {
  std::vector<double> w(static_cast<std::size_t>(n), 0.0);
  const lapack_int info = LAPACKE_dsyevd(LAPACK_COL_MAJOR, 'N', 'L', n, a.data(), n, w.data());
  if (info != 0) throw Error("symmetric eigenvalue solver (dsyevd) did not converge");
  return w;
}

// The sums of one pass over the views, in scaled units: true values are 2^exponent_ times
// those held (squares: 2^(2 exponent_)).
class ViewsAccumulator {
 public:
  // `samples`: n to be added; keep_means selects the n × n path (n <= D).
  ViewsAccumulator(std::int64_t dim, std::int64_t views, std::int64_t samples, bool keep_means)
      : dim_(dim), views_(views), samples_(samples), keep_means_(keep_means) {
    const auto d = static_cast<std::size_t>(dim);
    within_.assign(d * d, 0.0);
    if (keep_means_) {
      means_.assign(static_cast<std::size_t>(samples) * d, 0.0);
    } else {
      between_.assign(d * d, 0.0);
      shift_sum_.assign(d, 0.0);
    }
  }

  // `rows`: `count` samples × views × dim values, finite, row-major; modified in place.
  // `max_abs`: their largest magnitude.
  void Add(double* rows, std::int64_t count, double max_abs) {
    if (count == 0) return;
    const auto d = static_cast<std::size_t>(dim_);
    const auto values = static_cast<std::size_t>(count * views_) * d;
    const int exponent =
        max_abs >= std::ldexp(1.0, kScaleAboveExponent) ? std::ilogb(max_abs) + 1 : 0;
    if (exponent > exponent_) Rescale(exponent);
    internal::ScaleByPowerOfTwo(rows, values, -exponent_);
    // Sample means, then every view minus its sample's mean.
    block_means_.assign(static_cast<std::size_t>(count) * d, 0.0);
    for (std::int64_t i = 0; i < count; ++i) {
      double* mean = block_means_.data() + i * dim_;
      double* first = rows + i * views_ * dim_;
      for (std::int64_t j = 0; j < views_; ++j) {
        const double* view = first + j * dim_;
        for (std::size_t k = 0; k < d; ++k) mean[k] += view[k];
      }
      for (std::size_t k = 0; k < d; ++k) mean[k] /= static_cast<double>(views_);
      for (std::int64_t j = 0; j < views_; ++j) {
        double* view = first + j * dim_;
        for (std::size_t k = 0; k < d; ++k) view[k] -= mean[k];
      }
    }
    // Row-major (count·q) × D is column-major D × (count·q): within_ (lower) += A Aᵀ.
    cblas_dsyrk(CblasColMajor, CblasLower, CblasNoTrans, dim_, count * views_, 1.0, rows, dim_, 1.0,
                within_.data(), dim_);
    AddMeans(count);
    seen_ += count;
  }

  // Σ_w = L Lᵀ and the eigenvalues of L⁻¹ Σ_b L⁻ᵀ (all D of them, ascending, not floored).
  // Sets `within_zero` / `between_zero` when either scatter is exactly zero.
  std::vector<double> Eigenvalues(double delta, const std::string& source, bool& within_zero,
                                  bool& between_zero) {
    RANKME_CHECK(seen_ == samples_);
    const auto n = static_cast<double>(samples_);
    const double within_scale = 1.0 / (n * static_cast<double>(views_ - 1));
    const double shifted_delta = std::ldexp(delta, -2 * exponent_);
    within_zero = true;
    for (std::int64_t c = 0; c < dim_; ++c) {
      double* col = within_.data() + c * dim_;
      within_zero = within_zero && col[c] == 0.0;
      for (std::int64_t r = c; r < dim_; ++r) col[r] *= within_scale;
      col[c] += shifted_delta;
    }
    const lapack_int info = LAPACKE_dpotrf(LAPACK_COL_MAJOR, 'L', dim_, within_.data(), dim_);
    if (info != 0) {
      throw DataError(fmt::format("the within-sample covariance is singular in float64 at this "
                                  "magnitude (largest |value| about 2^{}, where delta = {:g} is "
                                  "below its resolution)",
                                  exponent_, delta),
                      source);
    }
    return keep_means_ ? WhitenedMeansEigenvalues(between_zero)
                       : WhitenedBetweenEigenvalues(between_zero);
  }

 private:
  void Rescale(int exponent) {
    const int step = exponent - exponent_;
    internal::ScaleByPowerOfTwo(within_.data(), within_.size(), -2 * step);
    internal::ScaleByPowerOfTwo(between_.data(), between_.size(), -2 * step);
    internal::ScaleByPowerOfTwo(means_.data(), means_.size(), -step);
    internal::ScaleByPowerOfTwo(shift_sum_.data(), shift_sum_.size(), -step);
    internal::ScaleByPowerOfTwo(centre_.data(), centre_.size(), -step);
    exponent_ = exponent;
  }

  void AddMeans(std::int64_t count) {
    const auto d = static_cast<std::size_t>(dim_);
    if (keep_means_) {
      std::copy(block_means_.begin(), block_means_.end(), means_.begin() + seen_ * dim_);
      return;
    }
    if (centre_.empty()) {
      centre_.assign(d, 0.0);
      for (std::int64_t i = 0; i < count; ++i) {
        for (std::size_t k = 0; k < d; ++k) centre_[k] += block_means_[i * d + k];
      }
      for (double& c : centre_) c /= static_cast<double>(count);
    }
    for (std::int64_t i = 0; i < count; ++i) {
      double* mean = block_means_.data() + i * dim_;
      for (std::size_t k = 0; k < d; ++k) {
        mean[k] -= centre_[k];
        shift_sum_[k] += mean[k];
      }
    }
    cblas_dsyrk(CblasColMajor, CblasLower, CblasNoTrans, dim_, count, 1.0, block_means_.data(),
                dim_, 1.0, between_.data(), dim_);
  }

  // n > D: Σ_b = (Σ (μ_i − c)(μ_i − c)ᵀ − n m mᵀ) / (n − 1), m = mean(μ_i − c); then dsygst.
  std::vector<double> WhitenedBetweenEigenvalues(bool& between_zero) {
    const auto n = static_cast<double>(samples_);
    std::vector<double> m = shift_sum_;
    for (double& v : m) v /= n;
    cblas_dsyr(CblasColMajor, CblasLower, dim_, -n, m.data(), 1, between_.data(), dim_);
    between_zero = true;
    for (std::int64_t c = 0; c < dim_; ++c) {
      double* col = between_.data() + c * dim_;
      between_zero = between_zero && col[c] == 0.0;
      for (std::int64_t r = c; r < dim_; ++r) col[r] /= n - 1.0;
    }
    const lapack_int info =
        LAPACKE_dsygst(LAPACK_COL_MAJOR, 1, 'L', dim_, between_.data(), dim_, within_.data(), dim_);
    if (info != 0) throw Error("generalized eigenproblem reduction (dsygst) failed");
    return SymmetricEigenvalues(between_, dim_);
  }

  // n <= D: B = centred means (n × D); Yᵀ = L⁻¹ Bᵀ; the eigenvalues of Y Yᵀ / (n − 1), then
  // D − n zeros.
  std::vector<double> WhitenedMeansEigenvalues(bool& between_zero) {
    const auto d = static_cast<std::size_t>(dim_);
    const auto n = static_cast<std::size_t>(samples_);
    std::vector<double> mean(d, 0.0);
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t k = 0; k < d; ++k) mean[k] += means_[i * d + k];
    }
    for (double& v : mean) v /= static_cast<double>(n);
    between_zero = true;
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t k = 0; k < d; ++k) {
        means_[i * d + k] -= mean[k];
        between_zero = between_zero && means_[i * d + k] == 0.0;
      }
    }
    // Row-major n × D means are the column-major D × n matrix Bᵀ.
    cblas_dtrsm(CblasColMajor, CblasLeft, CblasLower, CblasNoTrans, CblasNonUnit, dim_, samples_,
                1.0, within_.data(), dim_, means_.data(), dim_);
    std::vector<double> gram(n * n, 0.0);
    cblas_dsyrk(CblasColMajor, CblasLower, CblasTrans, samples_, dim_,
                1.0 / static_cast<double>(n - 1), means_.data(), dim_, 0.0, gram.data(), samples_);
    std::vector<double> w = SymmetricEigenvalues(gram, samples_);
    w.insert(w.begin(), d - n, 0.0);
    return w;
  }

  const std::int64_t dim_, views_, samples_;
  const bool keep_means_;
  int exponent_ = 0;
  std::int64_t seen_ = 0;
  std::vector<double> within_;       // D × D column-major, lower: Σ (e − μ_i)(e − μ_i)ᵀ
  std::vector<double> between_;      // n > D: D × D lower, Σ (μ_i − c)(μ_i − c)ᵀ
  std::vector<double> shift_sum_;    // n > D: Σ (μ_i − c)
  std::vector<double> centre_;       // n > D: c, set by the first block
  std::vector<double> means_;        // n <= D: every μ_i, n × D row-major
  std::vector<double> block_means_;  // the block's μ_i (n > D: minus c)
};

// Throws DataError naming the first non-finite value of a block of whole samples.
void ThrowNonFinite(const double* rows, std::int64_t first_row, std::int64_t count,
                    std::int64_t cols, const ViewsShape& shape, const std::string& source) {
  for (std::int64_t i = 0; i < count * cols; ++i) {
    if (std::isfinite(rows[i])) continue;
    const std::int64_t row = first_row + i / cols;
    const std::int64_t col = i % cols;
    // Position in the n × q × D tensor.
    const std::int64_t flat = row * cols + col;
    const std::int64_t sample = flat / (shape.views * shape.dim);
    const std::int64_t view = flat / shape.dim % shape.views;
    throw DataError(fmt::format("non-finite value ({}) at row {}, column {} (0-based; sample {}, "
                                "view {}, dimension {})",
                                rows[i], row, col, sample, view, flat % shape.dim),
                    source);
  }
}

}  // namespace

double LidarFromEigenvalues(const std::vector<double>& eigenvalues, double eps) {
  // Divided by the largest term first, so that the sum cannot overflow.
  double largest = 0.0;
  for (double v : eigenvalues) largest = std::max(largest, std::max(v, 0.0) + eps);
  if (!(largest > 0.0)) return std::nan("");
  double total = 0.0;
  for (double v : eigenvalues) total += (std::max(v, 0.0) + eps) / largest;
  double entropy = 0.0;
  for (double v : eigenvalues) {
    const double p = (std::max(v, 0.0) + eps) / largest / total;
    if (p > 0.0) entropy -= p * std::log(p);
  }
  return std::exp(entropy);
}

LidarResult ComputeLidar(RowStream& stream, std::int64_t views, const LidarOptions& options) {
  const MatrixInfo& info = stream.info();
  const ViewsShape shape = ResolveShape(info, views);
  if (options.max_samples < 0) throw UsageError("LiDAR max_samples must be >= 0", info.source);
  if (!(options.delta >= kWithinFloor) || !std::isfinite(options.delta)) {
    // Below the definition's floor of Σ_w's eigenvalues, the floor could act, and the Cholesky
    // route (which has no floor) would no longer compute the same M.
    throw UsageError(fmt::format("LiDAR delta must be finite and at least {:g}, got {:g}",
                                 kWithinFloor, options.delta),
                     info.source);
  }
  if (!(options.eps >= 0.0) || !std::isfinite(options.eps)) {
    throw UsageError(fmt::format("LiDAR eps must be finite and >= 0, got {:g}", options.eps),
                     info.source);
  }
  std::vector<std::int64_t> chosen;  // empty: every sample
  if (options.max_samples > 0 && shape.samples > options.max_samples) {
    chosen = SubsampleRows(options.seed, shape.samples, options.max_samples);
  }
  LidarResult result;
  result.samples_total = shape.samples;
  result.samples = chosen.empty() ? shape.samples : static_cast<std::int64_t>(chosen.size());
  result.views = shape.views;
  result.cols = shape.dim;
  if (result.samples < 2) {
    throw DataError(fmt::format("LiDAR needs at least 2 samples, found {}", result.samples),
                    info.source);
  }
  const bool keep_means = result.samples <= shape.dim;
  result.method = keep_means ? "cholesky_nxn" : "cholesky_dxd";
  if (keep_means) {
    result.warnings.push_back(fmt::format(
        "n = {} samples <= D = {} dimensions: the between-sample covariance has rank at most "
        "n - 1 = {}; the other eigenvalues are 0 and enter LiDAR only through eps",
        result.samples, shape.dim, result.samples - 1));
  }

  // Blocks of whole samples; every row read once, checked, and the chosen samples moved to the
  // front of the block.
  const auto sample_bytes = static_cast<std::size_t>(shape.views * shape.dim) * sizeof(double);
  const std::int64_t block_samples =
      std::max<std::int64_t>(1, static_cast<std::int64_t>(options.block_bytes / sample_bytes));
  internal::RowPlan plan;
  plan.rows_used = info.rows;
  plan.scan_all = false;  // checked below, with the sample and view in the message
  ViewsAccumulator sums(shape.dim, shape.views, result.samples, keep_means);
  std::int64_t next_row = 0;
  std::size_t next_chosen = 0;
  internal::FeedRows(
      stream, plan, block_samples * shape.rows_per_sample,
      [&](double* rows, std::int64_t count, double) {
        RANKME_CHECK(count % shape.rows_per_sample == 0);
        const std::size_t values = static_cast<std::size_t>(count * info.cols);
        const double max_abs = internal::MaxAbs(rows, values);
        if (!std::isfinite(max_abs)) {
          ThrowNonFinite(rows, next_row, count, info.cols, shape, info.source);
        }
        const std::int64_t first_sample = next_row / shape.rows_per_sample;
        const std::int64_t samples = count / shape.rows_per_sample;
        next_row += count;
        std::int64_t kept = samples;
        if (!chosen.empty()) {
          const auto sample_values = static_cast<std::size_t>(shape.views * shape.dim);
          kept = 0;
          while (next_chosen < chosen.size() && chosen[next_chosen] < first_sample + samples) {
            const std::int64_t s = chosen[next_chosen++] - first_sample;
            std::memmove(rows + kept * sample_values, rows + s * sample_values,
                         sample_values * sizeof(double));
            ++kept;
          }
        }
        sums.Add(rows, kept, max_abs);
      });

  bool within_zero = false;
  bool between_zero = false;
  std::vector<double> lambda =
      sums.Eigenvalues(options.delta, info.source, within_zero, between_zero);
  for (double& v : lambda) v = std::max(v, 0.0);
  std::reverse(lambda.begin(), lambda.end());
  if (within_zero) {
    result.warnings.push_back(
        "the views of every sample are identical: the within-sample covariance is delta I");
  }
  if (between_zero) {
    result.warnings.push_back(fmt::format(
        "every sample has the same mean: all eigenvalues are 0 and LiDAR = D = {} from the eps "
        "term alone, which says nothing about the representation",
        shape.dim));
  }
  result.value = LidarFromEigenvalues(lambda, options.eps);
  result.eigenvalues = std::move(lambda);
  return result;
}

}  // namespace rankme::metrics
