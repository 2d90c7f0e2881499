// RankMe of a spectrum, and how much it can move when the spectrum does.
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "metrics/metrics_internal.h"
#include "rankme/metrics/rankme.h"

namespace rankme::metrics {

namespace internal {

double SpectrumEntropy(std::span<const double> sigma, double eps) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  double largest = 0.0;
  for (double s : sigma) largest = std::max(largest, s);
  if (!(largest > 0.0) || !std::isfinite(largest)) return nan;
  // p_k = sigma_k / sum is scale-invariant: divide by a power of two near the largest value
  // (exact), so that the sum of up to 2^31 values cannot overflow and subnormal ones keep
  // their ratio to it.
  const int shift = -std::ilogb(largest);
  const double factor_hi = std::ldexp(1.0, shift / 2);
  const double factor_lo = std::ldexp(1.0, shift - shift / 2);
  std::vector<double> scaled(sigma.begin(), sigma.end());
  double sum = 0.0;
  for (double& s : scaled) {
    s = s * factor_hi * factor_lo;
    sum += s;
  }
  if (!(sum > 0.0) || !std::isfinite(sum)) return nan;
  double entropy = 0.0;
  for (double s : scaled) {
    const double p = s / sum + eps;
    if (p > 0.0) entropy -= p * std::log(p);
  }
  return entropy;
}

// With S = sum(sigma) and p_k = sigma_k / S + eps,
//   dH/dsigma_j = -(1/S) [(log p_j + 1) - m],   m = sum_k (sigma_k / S)(log p_k + 1),
// and 1 - m = -sum_k w_k log p_k with weights w_k = sigma_k / S <= p_k, so
// -log(1 + eps) <= 1 - m <= -sum_k w_k log w_k <= log K. Hence
//   |dH/dsigma_j| <= (|log p_j| + max(log K, log(1 + eps))) / S,
// and moving sigma_j by at most h_j, with S >= S_lo and p_j within [p_lo, p_hi] along the way,
// changes H by at most h_j (max(|log p_lo|, |log p_hi|) + max(log K, log(1 + eps))) / S_lo.
// Summing over j (moving one value at a time) bounds the total change.
double BoundEntropyChange(std::span<const double> sigma, std::span<const double> halfwidth,
                          double eps) {
  const double infinity = std::numeric_limits<double>::infinity();
  double sum_lo = 0.0;
  double sum_hi = 0.0;
  for (std::size_t j = 0; j < sigma.size(); ++j) {
    sum_lo += std::max(sigma[j] - halfwidth[j], 0.0);
    sum_hi += sigma[j] + halfwidth[j];
  }
  if (!(sum_lo > 0.0)) return infinity;
  const double spread = std::max(std::log(static_cast<double>(sigma.size())), std::log1p(eps));
  double bound = 0.0;
  for (std::size_t j = 0; j < sigma.size(); ++j) {
    if (halfwidth[j] == 0.0) continue;
    const double p_lo = std::max(sigma[j] - halfwidth[j], 0.0) / sum_hi + eps;
    const double p_hi = (sigma[j] + halfwidth[j]) / sum_lo + eps;
    if (!(p_lo > 0.0)) return infinity;
    const double log_bound = std::max(std::fabs(std::log(p_lo)), std::fabs(std::log(p_hi)));
    bound += halfwidth[j] * (log_bound + spread) / sum_lo;
  }
  return bound;
}

}  // namespace internal

double RankmeFromSingularValues(std::span<const double> sigma, double eps) {
  return std::exp(internal::SpectrumEntropy(sigma, eps));
}

}  // namespace rankme::metrics
