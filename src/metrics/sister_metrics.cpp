// Stable rank, NESum, participation ratio and α-ReQ of a spectrum. Every value is divided by the
// largest one before it is squared, so that no finite spectrum overflows or underflows.
#include "rankme/metrics/sister_metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace rankme::metrics {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// (σ_k / σ_1)², descending; empty when σ_1 is zero or not finite.
std::vector<double> RelativeEigenvalues(std::span<const double> sigma) {
  const double largest = sigma.empty() ? 0.0 : *std::max_element(sigma.begin(), sigma.end());
  if (!(largest > 0.0) || !std::isfinite(largest)) return {};
  std::vector<double> lambda(sigma.size());
  for (std::size_t k = 0; k < sigma.size(); ++k) {
    const double r = std::max(sigma[k], 0.0) / largest;
    lambda[k] = r * r;
  }
  std::sort(lambda.begin(), lambda.end(), std::greater<>());
  return lambda;
}

double SumOf(const std::vector<double>& values) {
  double sum = 0.0;
  for (double v : values) sum += v;
  return sum;
}

}  // namespace

double StableRank(std::span<const double> sigma) {
  const std::vector<double> lambda = RelativeEigenvalues(sigma);
  return lambda.empty() ? kNaN : SumOf(lambda);  // λ_1 = 1
}

double Nesum(std::span<const double> centered_sigma) { return StableRank(centered_sigma); }

double ParticipationRatio(std::span<const double> centered_sigma) {
  const std::vector<double> lambda = RelativeEigenvalues(centered_sigma);
  if (lambda.empty()) return kNaN;
  double sum = 0.0;
  double sum_sq = 0.0;
  for (double l : lambda) {
    sum += l;
    sum_sq += l * l;
  }
  return sum * sum / sum_sq;
}

AlphaReqFit FitAlphaReq(std::span<const double> centered_sigma) {
  AlphaReqFit fit{kNaN, kNaN, 0};
  const std::vector<double> lambda = RelativeEigenvalues(centered_sigma);
  if (lambda.empty()) return fit;
  const std::size_t last = std::min<std::size_t>(100, lambda.size());
  std::vector<double> x, y, w;
  for (std::size_t i = 11; i <= last; ++i) {
    const double l = lambda[i - 1];
    if (!(l > 1e-12)) continue;  // λ_i <= 1e-12 λ_1 (λ_1 = 1 here)
    x.push_back(-std::log(static_cast<double>(i)));
    y.push_back(std::log(l));
    w.push_back(1.0 / static_cast<double>(i));
  }
  fit.ranks = static_cast<int>(x.size());
  if (x.size() < 5) return fit;
  double sw = 0.0, swx = 0.0, swy = 0.0;
  for (std::size_t j = 0; j < x.size(); ++j) {
    sw += w[j];
    swx += w[j] * x[j];
    swy += w[j] * y[j];
  }
  const double mean_x = swx / sw;
  const double mean_y = swy / sw;
  double sxx = 0.0, sxy = 0.0, syy = 0.0;
  for (std::size_t j = 0; j < x.size(); ++j) {
    sxx += w[j] * (x[j] - mean_x) * (x[j] - mean_x);
    sxy += w[j] * (x[j] - mean_x) * (y[j] - mean_y);
    syy += w[j] * (y[j] - mean_y) * (y[j] - mean_y);
  }
  fit.alpha = sxy / sxx;
  const double intercept = mean_y - fit.alpha * mean_x;
  double residual = 0.0;
  for (std::size_t j = 0; j < x.size(); ++j) {
    const double r = y[j] - (fit.alpha * x[j] + intercept);
    residual += w[j] * r * r;
  }
  fit.r_squared = syy > 0.0 ? 1.0 - residual / syy : kNaN;  // a flat fit explains nothing
  return fit;
}

std::vector<MetricValue> SpectrumMetrics(const RankmeResult& result, double eps) {
  std::vector<MetricValue> out;
  const bool flat = result.status == SpectrumStatus::kDegenerate;
  out.push_back({"rankme", result.value, std::nullopt, result.error_bound, result.method_used, flat});
  const CenteredSpectrum& c = result.centered;
  const bool centered_flat = c.status == SpectrumStatus::kDegenerate;
  if (c.computed) {
    out.push_back({"rankme_centered",
                   centered_flat ? kNaN : RankmeFromSingularValues(c.singular_values, eps),
                   std::nullopt, c.error_bound, c.method_used, centered_flat});
  }
  out.push_back({"stable_rank", flat ? kNaN : StableRank(result.singular_values), std::nullopt,
                 result.sister_error_bound, result.method_used, flat});
  if (c.computed) {
    const AlphaReqFit fit = centered_flat ? AlphaReqFit{kNaN, kNaN, 0}
                                          : FitAlphaReq(c.singular_values);
    auto centred = [&](std::string_view name, double value, std::optional<double> r2) {
      out.push_back({name, centered_flat ? kNaN : value, r2, c.sister_error_bound, c.method_used,
                     centered_flat});
    };
    centred("nesum", Nesum(c.singular_values), std::nullopt);
    centred("participation_ratio", ParticipationRatio(c.singular_values), std::nullopt);
    centred("alpha_req", fit.alpha,
            std::isnan(fit.r_squared) ? std::nullopt : std::optional<double>(fit.r_squared));
  }
  return out;
}

}  // namespace rankme::metrics
