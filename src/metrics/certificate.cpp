// Certificate of the Gram fast path: an estimate of |H_gram − H_exact| (H = log RankMe, so this
// is the relative error of RankMe to first order).
//
// Let Ĝ = G + E be the computed Gram (exact diagonal, so E is off-diagonal rounding noise plus
// the float64 accumulation), and F̂ the probe estimate of ||E||_F (4 random ±1 probes; an
// estimate, not a bound). The eigensolver adds a backward error of about c·2^-53·λ_max.
// Band half-width δ = 2 F̂ + 4 sqrt(K) 2^-53 λ_max. Since ||E||_2 <= ||E||_F, Weyl's theorem puts
// every exact eigenvalue within δ of its computed one *if* F̂ does not underestimate by more than
// a factor 2 — the one non-rigorous step of this part.
// - Eigenvalues with λ̂ < 4δ are "in the noise": the exact sigma may be anywhere in
//   [sqrt(max(λ̂ − δ, 0)), sqrt(λ̂ + δ)]. Their effect is bounded rigorously (given δ) by
//   BoundEntropyChange. Exact zeros (rank deficiency, collapse) land here and, because eps makes
//   each small sigma count, their bound is large: those matrices go to the exact path.
// - Eigenvalues clear of the band move to first order by v_kᵀ E v_k, which for rounding noise
//   with entry rms s = F̂/K has standard deviation <= sqrt(2) s, nearly independent across k.
//   H moves by sum_k (dH/dsigma_k) Δλ_k / (2 sigma_k); the estimate is 6 standard deviations of
//   that sum, plus a second-order term sum_k |dH/dsigma_k| δ² / (2 sigma_k λ_k) taken with worst
//   signs. This part is a statistical estimate: it assumes unstructured rounding errors and
//   eigenvectors that are not concentrated on a few coordinates.
// Measured against float64 SVDs (tests/metrics), the estimate exceeds the actual error by
// orders of magnitude on every tested spectrum.
#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

#include "metrics/metrics_internal.h"

namespace rankme::metrics::internal {

GramCertificate CertifyGramSpectrum(const GramSpectrum& spectrum, double eps) {
  constexpr double kUnit64 = 0x1p-53;
  const std::vector<double>& lambda = spectrum.eigenvalues;
  const std::size_t k_count = lambda.size();
  GramCertificate out;
  // Everything below is in the Gram's scaled units, whose largest eigenvalue is at most the
  // number of rows (blocks were scaled into [2^-32, 2^32] or [0.5, 1)): no step can overflow or
  // underflow whatever the magnitude of the input.
  std::vector<double> sigma(k_count);
  for (std::size_t j = 0; j < k_count; ++j) sigma[j] = std::sqrt(std::max(lambda[j], 0.0));
  out.spectrum.sigma = sigma;
  out.spectrum.exponent = spectrum.scale_exponent;
  const double lambda_max = k_count > 0 ? std::max(lambda[0], 0.0) : 0.0;
  const double solver = 4.0 * std::sqrt(static_cast<double>(k_count)) * kUnit64 * lambda_max;
  const double band = 2.0 * spectrum.noise_frobenius + solver;

  std::vector<double> halfwidth(k_count, 0.0);
  std::vector<bool> clear(k_count, false);
  for (std::size_t j = 0; j < k_count; ++j) {
    if (lambda[j] >= 4.0 * band && lambda[j] > 0.0) {
      clear[j] = true;
    } else {
      const double hi = std::sqrt(std::max(lambda[j], 0.0) + band);
      const double lo = std::sqrt(std::max(lambda[j] - band, 0.0));
      halfwidth[j] = std::max(hi - sigma[j], sigma[j] - lo);
    }
  }
  const double noise_part = BoundEntropyChange(sigma, halfwidth, eps);

  double sum = 0.0;
  for (double s : sigma) sum += s;
  double mean_term = 0.0;  // m = sum_k (sigma_k / S)(log p_k + 1)
  for (double s : sigma) {
    const double p = s / sum + eps;
    if (s > 0.0) mean_term += (s / sum) * (std::log(p) + 1.0);
  }
  const double entry_rms = spectrum.noise_frobenius / static_cast<double>(k_count);
  const double lambda_std = std::sqrt(2.0) * entry_rms + 2.0 * kUnit64 * lambda_max;
  double variance_sum = 0.0;
  double second_order = 0.0;
  for (std::size_t j = 0; j < k_count; ++j) {
    if (!clear[j]) continue;
    const double p = sigma[j] / sum + eps;
    const double gradient = -((std::log(p) + 1.0) - mean_term) / sum;
    const double per_lambda = gradient / (2.0 * sigma[j]);
    variance_sum += per_lambda * per_lambda;
    second_order += std::fabs(per_lambda) * band * band / lambda[j];
  }
  const double first_order = 6.0 * lambda_std * std::sqrt(variance_sum);
  out.error_bound = noise_part + first_order + second_order;
  return out;
}

// What a float64 Gram of the same rows would look like, from a float32 one: the first tier's
// spectrum is the cheap evidence for the choice of the second.
// - Noise: the float32 block products dominate the float32 Gram's error and round 2^29 times
//   more coarsely than float64 ones; the float64 Gram's noise is taken as the float32 one times
//   2^-29, times 8 for margin (the float64 accumulation and the exact diagonal are the same in
//   both).
// - Eigenvalues in the float32 noise band (λ̂ < 4 band) are unknown between 0 and λ̂ + band. If
//   the clear eigenvalues just above the band decay smoothly into it (a power law or an
//   exponential tail: the first hidden one is consistent with the trend of the last clear
//   octave), the hidden ones are taken to continue that trend (capped by λ̂ + band). If the
//   spectrum drops off a cliff into the band (the hidden ones are far below the trend: exact
//   zeros, rank deficiency, collapse), there is no float64 Gram worth computing.
std::optional<GramSpectrum> PredictDoubleGram(const GramSpectrum& single) {
  constexpr double kUnit64 = 0x1p-53;
  constexpr double kNoiseRatio = 8.0 * 0x1p-29;
  const std::vector<double>& lambda = single.eigenvalues;
  const std::size_t k_count = lambda.size();
  GramSpectrum out = single;
  out.single_precision = false;
  out.noise_frobenius =
      (single.noise_frobenius - single.centring_noise) * kNoiseRatio + single.centring_noise;
  if (k_count == 0 || !(lambda[0] > 0.0)) return out;
  const double solver = 4.0 * std::sqrt(static_cast<double>(k_count)) * kUnit64 * lambda[0];
  const double band = 2.0 * single.noise_frobenius + solver;
  std::size_t first_hidden = 0;  // first eigenvalue inside the band
  while (first_hidden < k_count && lambda[first_hidden] >= 4.0 * band) ++first_hidden;
  if (first_hidden == k_count) return out;
  if (first_hidden < 4) return std::nullopt;  // too few clear values to see a trend
  // Trend of the last clear octave, in log λ against log k (power law) and against k
  // (exponential); the slower of the two decays is the one assumed.
  const std::size_t last = first_hidden - 1;
  const std::size_t from = first_hidden / 2;
  const double drop = std::log(lambda[from] / lambda[last]);  // >= 0
  const double per_log_k = drop / std::log(static_cast<double>(last + 1) / (from + 1));
  const double per_k = drop / static_cast<double>(last - from);
  auto trend = [&](std::size_t j) {
    const double power = per_log_k * std::log(static_cast<double>(j + 1) / (last + 1));
    const double exponential = per_k * static_cast<double>(j - last);
    return lambda[last] * std::exp(-std::min(power, exponential));
  };
  // A cliff: the first hidden eigenvalue is far below the trend even at its upper end.
  if (lambda[first_hidden] + band < trend(first_hidden) / 16.0) return std::nullopt;
  for (std::size_t j = first_hidden; j < k_count; ++j) {
    out.eigenvalues[j] = std::min(trend(j), std::max(lambda[j], 0.0) + band);
  }
  return out;
}

// Each eigenvalue's error is estimated as in CertifyGramSpectrum: for one clear of the band,
// 6 standard deviations of v_kᵀ E v_k plus the second-order term band² / λ_k; inside the band,
// the band itself. Then, with ΔT the trace's error (0 for an uncentred Gram, whose diagonal is
// exact; the centring's rounding for a centred one):
// - stable rank and NESum are T / λ_1: relative error <= ΔT / T + e_1 / λ_1;
// - the participation ratio is T² / Σλ²: relative error <= 2 ΔT / T + Σ(2 λ_k e_k + e_k²) / Σλ²;
// - α-ReQ is a weighted least-squares slope of y_i = log λ_i, |∂α/∂y_i| = w_i |x_i − x̄| / Sxx,
//   |Δy_i| <= −log(1 − e_i / λ_i), summed over the fitted ranks; infinite when a rank of the fit
//   range is within its error of the 1e-12 λ_1 cut-off, or of zero.
double SisterMetricsErrorBound(const GramSpectrum& spectrum) {
  constexpr double kUnit64 = 0x1p-53;
  const double infinity = std::numeric_limits<double>::infinity();
  const std::vector<double>& lambda = spectrum.eigenvalues;
  const std::size_t k_count = lambda.size();
  if (k_count == 0 || !(lambda[0] > 0.0)) return 0.0;  // degenerate: no values to be wrong
  const double solver = 4.0 * std::sqrt(static_cast<double>(k_count)) * kUnit64 * lambda[0];
  const double band = 2.0 * spectrum.noise_frobenius + solver;
  const double entry_rms = spectrum.noise_frobenius / static_cast<double>(k_count);
  const double lambda_std = std::sqrt(2.0) * entry_rms + 2.0 * kUnit64 * lambda[0];
  auto error_of = [&](double l) {
    return l >= 4.0 * band && l > 0.0 ? 6.0 * lambda_std + band * band / l : band;
  };
  const double trace = spectrum.trace;
  if (!(trace > 0.0) || error_of(lambda[0]) >= lambda[0]) return infinity;
  const double trace_error = spectrum.centring_noise;
  double sum_sq = 0.0;
  double sum_sq_error = 0.0;
  for (double l : lambda) {
    const double e = error_of(l);
    sum_sq += l * l;
    sum_sq_error += 2.0 * std::fabs(l) * e + e * e;
  }
  const double ratio_error = trace_error / trace + error_of(lambda[0]) / lambda[0];
  const double participation_error = 2.0 * trace_error / trace + sum_sq_error / sum_sq;
  // α-ReQ over 1-based ranks 11 … min(100, K) with λ_i > 1e-12 λ_1.
  double alpha_error = 0.0;
  const std::size_t last = std::min<std::size_t>(100, k_count);
  const double cutoff = 1e-12 * lambda[0];
  std::vector<double> x, w, dy;
  for (std::size_t i = 11; i <= last; ++i) {
    const double l = lambda[i - 1];
    const double e = error_of(l);
    if (std::fabs(l - cutoff) <= e) return infinity;  // the cut may move
    if (l <= cutoff) continue;
    if (e >= l) return infinity;
    x.push_back(-std::log(static_cast<double>(i)));
    w.push_back(1.0 / static_cast<double>(i));
    dy.push_back(-std::log1p(-e / l));
  }
  if (x.size() >= 5) {
    double sw = 0.0, swx = 0.0;
    for (std::size_t j = 0; j < x.size(); ++j) {
      sw += w[j];
      swx += w[j] * x[j];
    }
    const double mean_x = swx / sw;
    double sxx = 0.0;
    for (std::size_t j = 0; j < x.size(); ++j) sxx += w[j] * (x[j] - mean_x) * (x[j] - mean_x);
    for (std::size_t j = 0; j < x.size(); ++j) {
      alpha_error += w[j] * std::fabs(x[j] - mean_x) / sxx * dy[j];
    }
  }
  return std::max({ratio_error, participation_error, alpha_error});
}

}  // namespace rankme::metrics::internal
