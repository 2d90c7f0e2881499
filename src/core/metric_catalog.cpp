// The label-free metrics: names, directions and definitions in one table.
#include "rankme/core/metric_catalog.h"

#include <array>
#include <cmath>

namespace rankme {

namespace {

constexpr std::array<MetricInfo, 7> kMetrics{{
    {"rankme", MetricDirection::kHigher, 0.0, MetricSource::kUncentered,
     "exp(-sum p log p), p = sigma / ||sigma||_1 + eps (uncentred singular values)",
     "Garrido et al., ICML 2023"},
    {"rankme_centered", MetricDirection::kHigher, 0.0, MetricSource::kCentered,
     "RankMe of the singular values of the column-centred matrix", "Garrido et al., ICML 2023"},
    {"stable_rank", MetricDirection::kHigher, 0.0, MetricSource::kUncentered,
     "sum sigma^2 / sigma_1^2 (uncentred)", "Rudelson & Vershynin, 2007"},
    {"nesum", MetricDirection::kHigher, 0.0, MetricSource::kCentered,
     "sum lambda / lambda_1 of the covariance eigenvalues", "He & Ozay, ICML 2022"},
    {"participation_ratio", MetricDirection::kHigher, 0.0, MetricSource::kCentered,
     "(sum lambda)^2 / sum lambda^2 of the covariance eigenvalues", "Gao et al., 2017"},
    {"alpha_req", MetricDirection::kCloserToTarget, 1.0, MetricSource::kCentered,
     "alpha of lambda_i ~ i^-alpha, weighted least squares over ranks 11..100 (R^2 stored)",
     "Agrawal et al., NeurIPS 2022"},
    {"lidar", MetricDirection::kHigher, 0.0, MetricSource::kViews,
     "RankMe-style entropy of the LDA eigenvalues of a views tensor (n x q x D)",
     "Thilak et al., ICLR 2024"},
}};

}  // namespace

std::span<const MetricInfo> AllMetrics() { return kMetrics; }

const MetricInfo* FindMetric(std::string_view name) {
  for (const MetricInfo& metric : kMetrics) {
    if (metric.name == name) return &metric;
  }
  return nullptr;
}

std::string MetricNameList() {
  std::string out;
  for (const MetricInfo& metric : kMetrics) {
    if (!out.empty()) out += ", ";
    out += metric.name;
  }
  return out;
}

double MetricGoodness(const MetricInfo& metric, double value, std::optional<double> target) {
  if (metric.direction == MetricDirection::kHigher) return value;
  return -std::fabs(value - target.value_or(metric.target));
}

}  // namespace rankme
