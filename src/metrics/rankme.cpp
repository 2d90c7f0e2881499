// ComputeRankme: validation, subsampling, the Gram fast path with its certificate, and the
// exact fallback.
#include "rankme/metrics/rankme.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

#include "metrics/metrics_internal.h"
#include "rankme/core/error.h"
#include "rankme/metrics/memory_estimate.h"
#include "rankme/metrics/subsample.h"

namespace rankme::metrics {

namespace {

// Certified when the estimated relative error is ten times inside the contract (1e-6 for
// float16/bfloat16/float32 sources, 1e-9 for float64). The estimate itself is conservative: on
// every spectrum of the tests it exceeds the actual error, mostly by orders of magnitude (on a
// 25600 × 8192 float32 matrix: estimate 2.7e-8, actual 1.1e-11 against numpy's float64).
constexpr double kTrustSingle = 1e-7;
constexpr double kTrustDouble = 1e-10;
// The sister metrics' estimates (SisterMetricsErrorBound) are already six standard deviations of
// the first-order error plus a worst-case second-order term: they are held to the contract itself.
constexpr double kSisterTrustSingle = 1e-6;
constexpr double kSisterTrustDouble = 1e-9;
// See ComputeGramSpectrum's abandon_ratio. Measured ratio of the smallest eigenvalue to the
// noise band in the float32 Gram of the first 2D..8192 rows (D = 512 and 2048, N = 25600): 1e5
// flat, 6e3 power law k^-0.5, 190 BatchNorm + ReLU (all certified by the float32 tier); 89
// exponential decay to 1e-2 (refused by a hair), 53 a real embedding spectrum stretched to 2048
// ranks, 16 power law k^-1, 0.2-1 exponential decay to 1e-3 (refused by far). A wrong call costs
// time only (the float64 tier where the float32 one would have done).
constexpr double kAbandonRatio = 100.0;

// Estimated error of the exact path: every sigma within about 2 ulp(sigma_1) (backward stable
// QR and SVD), pushed through the derivative bound. In scaled units, where 2 ulp(sigma_1) cannot
// underflow to zero (it did in true units for subnormal inputs: a bound of 0 on a wrong value).
double ExactPathErrorBound(const std::vector<double>& sigma, double eps) {
  if (sigma.empty()) return 0.0;
  std::vector<double> halfwidth(sigma.size(), 2.0 * 0x1p-53 * sigma.front());
  return internal::BoundEntropyChange(sigma, halfwidth, eps);
}

// Stores the spectrum in true units (or, when its largest value is beyond the float64 range or
// subnormal, divided by a power of two, recorded in singular_value_exponent) and RankMe of it,
// computed in scaled units.
void SetValue(RankmeResult& result, const internal::ScaledSpectrum& spectrum, double eps) {
  const std::vector<double>& sigma = spectrum.sigma;
  const double largest = sigma.empty() ? 0.0 : *std::max_element(sigma.begin(), sigma.end());
  result.singular_values.assign(sigma.size(), 0.0);
  result.singular_value_exponent = 0;
  if (!(largest > 0.0)) {
    result.status = RankmeResult::Status::kDegenerate;
    result.value = std::numeric_limits<double>::quiet_NaN();
    result.error_bound = 0.0;
    return;
  }
  int shift = spectrum.exponent;
  const int largest_exponent = std::ilogb(largest) + spectrum.exponent;
  if (largest_exponent >= std::numeric_limits<double>::max_exponent ||
      largest_exponent < std::numeric_limits<double>::min_exponent - 1) {
    // sigma_1 >= 2^1024 > DBL_MAX, or subnormal (a few bits at most): report sigma_1 in [1, 2)
    // and the power of two beside it.
    result.singular_value_exponent = largest_exponent;
    shift = -std::ilogb(largest);
    result.warnings.push_back(fmt::format(
        "the largest singular value is about 2^{} (outside the float64 range of full "
        "precision): the spectrum is reported divided by 2^{}; RankMe does not depend on scale",
        largest_exponent, largest_exponent));
  }
  for (std::size_t j = 0; j < sigma.size(); ++j) {
    result.singular_values[j] = std::ldexp(sigma[j], shift);
  }
  result.status = RankmeResult::Status::kOk;
  result.value = RankmeFromSingularValues(sigma, eps);
  if (!std::isfinite(result.value)) {
    throw Error(fmt::format("RankMe of a finite spectrum is not finite ({})", result.value));
  }
}

RankmeResult& FinishGram(RankmeResult& result, const internal::GramSpectrum& spectrum,
                         const internal::GramCertificate& certificate, const char* method,
                         double eps) {
  result.method_used = method;
  if (spectrum.trace == 0.0) {
    SetValue(result, {std::vector<double>(spectrum.eigenvalues.size(), 0.0), 0}, eps);
  } else {
    SetValue(result, certificate.spectrum, eps);
    result.error_bound = certificate.error_bound;
    result.sister_error_bound = internal::SisterMetricsErrorBound(spectrum);
  }
  return result;
}

// Stores a centred spectrum: degenerate when the uncentred one is, or when its largest value is
// within the rounding of centring (64 u sqrt(N) σ_1 of the uncentred matrix): all scored rows
// equal, whose centred values are rounding noise, not a spectrum.
void SetCentered(RankmeResult& result, const internal::ScaledSpectrum& spectrum, const char* method,
                 double error_bound, double sister_error_bound) {
  CenteredSpectrum& out = result.centered;
  out.computed = true;
  out.method_used = method;
  out.singular_values = spectrum.sigma;
  out.singular_value_exponent = spectrum.exponent;
  out.error_bound = error_bound;
  out.sister_error_bound = sister_error_bound;
  const double largest = spectrum.sigma.empty()
                             ? 0.0
                             : *std::max_element(spectrum.sigma.begin(), spectrum.sigma.end());
  const double reference = result.singular_values.empty() ? 0.0 : result.singular_values.front();
  bool degenerate = result.status == RankmeResult::Status::kDegenerate || !(largest > 0.0);
  if (!degenerate) {
    // Compare in powers of two: either spectrum may be stored divided by one.
    const double ratio =
        std::ldexp(largest / reference, spectrum.exponent - result.singular_value_exponent);
    degenerate = ratio <= 64.0 * 0x1p-53 * std::sqrt(static_cast<double>(result.rows_used));
  }
  if (degenerate) {
    out.status = SpectrumStatus::kDegenerate;
    out.singular_values.assign(spectrum.sigma.size(), 0.0);
    out.singular_value_exponent = 0;
    out.error_bound = out.sister_error_bound = 0.0;
    return;
  }
  out.status = SpectrumStatus::kOk;
  // True units, unless the largest value is beyond the float64 range or subnormal (as SetValue).
  const int largest_exponent = std::ilogb(largest) + spectrum.exponent;
  int shift = spectrum.exponent;
  out.singular_value_exponent = 0;
  if (largest_exponent >= std::numeric_limits<double>::max_exponent ||
      largest_exponent < std::numeric_limits<double>::min_exponent - 1) {
    out.singular_value_exponent = largest_exponent;
    shift = -std::ilogb(largest);
  }
  for (double& s : out.singular_values) s = std::ldexp(s, shift);
}

}  // namespace

RankmeResult ComputeRankme(RowStream& stream, const RankmeOptions& options) {
  const MatrixInfo& info = stream.info();
  if (info.cols < 1) throw DataError("the matrix has no columns", info.source);
  if (info.rows < 2) {
    throw DataError(fmt::format("RankMe needs at least 2 rows (samples), found {}", info.rows),
                    info.source);
  }
  const std::size_t needed = EstimateRankmeMemory(info, options);
  const std::size_t budget = options.max_memory > 0 ? options.max_memory : DefaultMaxMemory();
  if (needed > budget) {
    throw DataError(fmt::format("scoring this {} x {} {} matrix needs about {} of memory (the cost "
                                "follows D² and min(N, D), not the file size), more than the "
                                "budget of {} (--max-memory)",
                                info.rows, info.cols, DTypeName(info.dtype), FormatBytes(needed),
                                FormatBytes(budget)),
                    info.source);
  }
  RankmeResult result;
  result.rows_total = info.rows;
  result.cols = info.cols;
  std::vector<std::int64_t> selected;
  if (options.max_samples > 0 && info.rows > options.max_samples) {
    selected = SubsampleRows(options.seed, info.rows, options.max_samples);
  }
  internal::RowPlan plan;
  plan.selected = selected;
  plan.rows_used = selected.empty() ? info.rows : static_cast<std::int64_t>(selected.size());
  plan.scan_all = true;
  result.rows_used = plan.rows_used;
  if (info.cols == 1) {
    result.warnings.push_back(
        "D = 1: a single column has one singular value, so RankMe is always about 1");
  }

  using Method = RankmeOptions::Method;
  const bool single_source = internal::IsSinglePrecisionSource(info.dtype);
  const double trust = single_source ? kTrustSingle : kTrustDouble;
  const double sister_trust = single_source ? kSisterTrustSingle : kSisterTrustDouble;
  const double eps = options.eps;
  // The two spectra still to settle. Each goes through the tiers in order: float32 Gram (float32
  // and narrower sources only), float64 Gram, exact; a Gram tier settles a spectrum when its
  // certificates (RankMe's, and the sister metrics') are within `trust`, or when it was asked
  // for by name. One Gram pass gives both spectra (the centred one from the same products and
  // the column sums), and so does the exact pass. After the float32 tier, its spectra decide
  // whether the float64 tier can be certified (PredictDoubleGram) or the exact path follows at
  // once: at most two reads (besides the forecast's sample), three only when that prediction was
  // wrong.
  bool need_uncentered = true;
  bool need_centered = options.centered;
  auto certified = [&](const internal::GramSpectrum& spectrum) {
    return internal::CertifyGramSpectrum(spectrum, eps).error_bound <= trust &&
           internal::SisterMetricsErrorBound(spectrum) <= sister_trust;
  };
  // Settles what `spectra` can settle; true when nothing is left.
  auto settle = [&](const internal::GramSpectra& spectra, const char* method, bool forced) {
    const bool zero = spectra.uncentered.trace == 0.0;
    if (need_uncentered && (zero || forced || certified(spectra.uncentered))) {
      FinishGram(result, spectra.uncentered, internal::CertifyGramSpectrum(spectra.uncentered, eps),
                 method, eps);
      need_uncentered = false;
    }
    if (need_centered && !need_uncentered && (zero || forced || certified(spectra.centered))) {
      const internal::GramCertificate c = internal::CertifyGramSpectrum(spectra.centered, eps);
      SetCentered(result, c.spectrum, method, c.error_bound,
                  internal::SisterMetricsErrorBound(spectra.centered));
      need_centered = false;
    }
    return !need_uncentered && !need_centered;
  };
  // With auto, a sample of the rows first shows whether any Gram tier can certify the matrix
  // (tier_forecast.cpp), and a Gram pass stops early when, half-way or sooner, the Gram so far
  // already has an eigenvalue within kAbandonRatio noise bands of zero (gram_path.cpp): its tier
  // cannot certify such a tail. Neither decides a value, only which tiers are tried.
  const double abandon_ratio = options.method == Method::kAuto ? kAbandonRatio : 0.0;
  internal::TierForecast forecast;
  if (options.method == Method::kAuto) {
    forecast = internal::ForecastTiers(stream, plan, eps, trust, options.block_bytes);
  }
  bool try_double = options.method == Method::kGram64 ||
                    (options.method == Method::kGram32 && !single_source) ||
                    (options.method == Method::kAuto && !forecast.exact_at_once && !single_source);
  if (single_source && (options.method == Method::kGram32 ||
                        (options.method == Method::kAuto && !forecast.exact_at_once))) {
    const std::optional<internal::GramSpectra> spectra = internal::ComputeGramSpectrum(
        stream, plan, /*single_precision=*/true, options.block_bytes, need_centered, abandon_ratio);
    if (!spectra) {
      // Abandoned early: a tail the float32 Gram cannot certify. The float64 tier follows.
      try_double = true;
    } else {
      plan.scan_all = false;  // every row was checked by this pass
      if (settle(*spectra, "gram32", options.method == Method::kGram32)) return result;
      // The float64 tier when RankMe's spectrum (or, when it is settled, the centred one) is
      // predicted to certify there: RankMe's speed comes first, and a centred spectrum that the
      // float64 Gram does not settle takes the exact path alone.
      const internal::GramSpectrum& next =
          need_uncentered ? spectra->uncentered : spectra->centered;
      const std::optional<internal::GramSpectrum> predicted = internal::PredictDoubleGram(next);
      try_double = predicted && certified(*predicted);
    }
  }
  if (try_double) {
    const std::optional<internal::GramSpectra> spectra =
        internal::ComputeGramSpectrum(stream, plan, /*single_precision=*/false, options.block_bytes,
                                      need_centered, abandon_ratio);
    if (spectra) {
      plan.scan_all = false;
      if (settle(*spectra, "gram64", options.method != Method::kAuto)) return result;
    }
  }
  const internal::ExactSpectra exact = internal::ComputeExactSpectra(
      stream, plan, options.block_bytes, need_uncentered, need_centered);
  if (need_uncentered) {
    result.method_used = "qr";
    SetValue(result, exact.uncentered, eps);
    if (result.status == RankmeResult::Status::kOk) {
      result.error_bound = ExactPathErrorBound(exact.uncentered.sigma, eps);
    }
    result.sister_error_bound = 0.0;
  }
  if (need_centered) {
    SetCentered(result, exact.centered, "qr", ExactPathErrorBound(exact.centered.sigma, eps), 0.0);
  }
  return result;
}

}  // namespace rankme::metrics
