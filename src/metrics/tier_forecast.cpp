// Tier forecast: whether any Gram tier can certify a matrix, decided from a sample of its rows
// before any pass.
//
// A pass of a tier that then fails its certificate is wasted: with auto, a rank-deficient matrix
// paid the float32 pass (ssyrk + dsyevd, about 1 s at 25600 × 2048) before the exact path. The
// forecast reads kSampleRows rows spread evenly over the scored ones (kSampleRuns runs of
// consecutive rows, ascending; not done on a stream that can only be read in order, such as a
// deflated archive member), takes the eigenvalues of their float64 kernel matrix ZsZsᵀ
// (milliseconds) and scales them to the full Gram (N/s times). The upper half of the sample's
// eigenvalues is taken as it is; below, the spectrum is continued by the trend of the last
// octave kept, as PredictDoubleGram does (the slower of a power law and an exponential).
//
// The Gram's rounding noise is modelled after what the probes measure: per block of L rows,
// ||E||_F ≈ κ u √(L/N) trace, with κ measured from 0.1 (float32 products of a flat spectrum,
// which cancel) to 7 (float64 Grams of steep spectra). The exact path follows at once only when
// the float64 Gram's certificate fails on the predicted spectrum even with κ = 0.05 and ten
// times the trust: a cliff to rounding level (rank deficiency, collapse). Whether the float32
// Gram suffices is not judged here: a sample cannot tell the bottom of a flat spectrum (which
// its own spread bends down) from a decaying one; that pass checks itself early instead
// (ComputeGramSpectrum). The forecast decides speed alone: every value returned is certified by
// its own tier, or exact.
#include <cblas.h>
#include <lapacke.h>

#include <algorithm>
#include <cmath>

#include "metrics/metrics_internal.h"
#include "rankme/core/error.h"

namespace rankme::metrics::internal {

namespace {

constexpr std::int64_t kSampleRows = 512;
constexpr std::int64_t kSampleRuns = 16;
// Below these sizes every tier is cheap: no forecast.
constexpr std::int64_t kMinCols = 256;
constexpr std::int64_t kMinRowsPerSample = 4;  // rows_used >= 4 × kSampleRows
constexpr double kKappaLow = 0.05;
constexpr double kHopeless = 10.0;  // a tier is skipped when its predicted bound exceeds 10 × trust

// Row indices of the sample: kSampleRuns runs of consecutive scored rows, evenly spaced.
std::vector<std::int64_t> SampleRows(const RowPlan& plan) {
  std::vector<std::int64_t> rows;
  rows.reserve(kSampleRows);
  const std::int64_t per_run = kSampleRows / kSampleRuns;
  for (std::int64_t run = 0; run < kSampleRuns; ++run) {
    const std::int64_t start = (2 * run + 1) * plan.rows_used / (2 * kSampleRuns) - per_run / 2;
    for (std::int64_t i = 0; i < per_run; ++i) {
      const std::int64_t k = std::clamp<std::int64_t>(start + i, 0, plan.rows_used - 1);
      rows.push_back(plan.selected.empty() ? k : plan.selected[static_cast<std::size_t>(k)]);
    }
  }
  rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
  return rows;
}

// Descending eigenvalues of the sample's ZsZsᵀ, scaled to the whole matrix (N/s) and divided
// by a power of two (RankMe and the certificate are scale-free); empty when the sample holds a
// non-finite value or nothing but zeros (the passes report or handle those).
std::vector<double> SampleEigenvalues(RowStream& stream, const RowPlan& plan) {
  const std::int64_t cols = stream.info().cols;
  const std::vector<std::int64_t> rows = SampleRows(plan);
  const auto s = static_cast<std::int64_t>(rows.size());
  std::vector<double> z(static_cast<std::size_t>(s * cols));
  for (std::size_t i = 0; i < rows.size();) {
    std::size_t j = i + 1;  // a run of consecutive rows: one read
    while (j < rows.size() && rows[j] == rows[j - 1] + 1) ++j;
    stream.ReadRows(rows[i], static_cast<std::int64_t>(j - i), z.data() + i * cols);
    i = j;
  }
  const double max_abs = MaxAbs(z.data(), z.size());
  if (!std::isfinite(max_abs) || max_abs == 0.0) return {};
  ScaleByPowerOfTwo(z.data(), z.size(), -BlockScaleExponent(max_abs));
  std::vector<double> kernel(static_cast<std::size_t>(s * s), 0.0);
  cblas_dsyrk(CblasColMajor, CblasLower, CblasTrans, s, cols, 1.0, z.data(), cols, 0.0,
              kernel.data(), s);
  std::vector<double> lambda(static_cast<std::size_t>(s));
  if (LAPACKE_dsyevd(LAPACK_COL_MAJOR, 'N', 'L', s, kernel.data(), s, lambda.data()) != 0) {
    return {};
  }
  std::reverse(lambda.begin(), lambda.end());
  const double scale = static_cast<double>(plan.rows_used) / static_cast<double>(s);
  for (double& l : lambda) l = std::max(l, 0.0) * scale;
  return lambda;
}

// The full Gram's `dim` eigenvalues predicted from the sample's: the upper half of the sample's
// own (its lower half is bent down by the sampling: a square Gaussian sample is nearly singular
// whatever the population), then the trend of the last octave kept.
std::vector<double> ExtendSpectrum(std::vector<double> lambda, std::size_t dim) {
  const std::size_t keep = std::min(lambda.size() / 2, dim);
  lambda.resize(keep);
  if (keep >= dim || keep < 4) return lambda.size() == dim ? lambda : std::vector<double>{};
  const std::size_t last = keep - 1;
  const std::size_t from = keep / 2;
  const double top = lambda[from], bottom = lambda[last];
  lambda.resize(dim, 0.0);
  if (!(bottom > 0.0)) return lambda;  // rank-deficient already in the sample: zeros
  const double drop = std::log(top / bottom);
  const double per_log_k = drop / std::log(static_cast<double>(last + 1) / (from + 1));
  const double per_k = drop / static_cast<double>(last - from);
  for (std::size_t j = keep; j < dim; ++j) {
    const double power = per_log_k * std::log(static_cast<double>(j + 1) / (last + 1));
    const double exponential = per_k * static_cast<double>(j - last);
    lambda[j] = bottom * std::exp(-std::min(power, exponential));
  }
  return lambda;
}

// The float64 Gram predicted for `lambda`, with the smallest modelled noise.
GramSpectrum PredictedDoubleGram(const std::vector<double>& lambda, double block_rows,
                                 double rows) {
  GramSpectrum out;
  out.eigenvalues = lambda;
  for (double l : lambda) out.trace += l;
  out.single_precision = false;
  out.noise_frobenius =
      kKappaLow * 0x1p-53 * std::sqrt(std::min(block_rows, rows) / rows) * out.trace;
  return out;
}

}  // namespace

TierForecast ForecastTiers(RowStream& stream, const RowPlan& plan, double eps, double trust,
                           std::size_t block_bytes) {
  TierForecast out;
  const std::int64_t cols = stream.info().cols;
  if (cols < kMinCols || plan.rows_used < kMinRowsPerSample * kSampleRows ||
      !stream.cheap_random_access()) {
    return out;
  }
  std::vector<double> sample = SampleEigenvalues(stream, plan);
  if (sample.empty()) return out;
  const std::size_t dim = static_cast<std::size_t>(std::min(cols, plan.rows_used));
  const std::vector<double> lambda = ExtendSpectrum(std::move(sample), dim);
  if (lambda.empty()) return out;
  out.predicted = true;
  const auto block = static_cast<double>(BlockRows(block_bytes, cols, sizeof(double), 8192));
  const GramSpectrum best_case =
      PredictedDoubleGram(lambda, block, static_cast<double>(plan.rows_used));
  out.exact_at_once = CertifyGramSpectrum(best_case, eps).error_bound > kHopeless * trust;
  return out;
}

}  // namespace rankme::metrics::internal
