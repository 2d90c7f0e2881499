// How ranking orders values: by a metric's direction and target, or plainly up or down.
#include "rankme/ranking/value_order.h"

#include <fmt/format.h>

#include <cmath>

#include "rankme/core/error.h"

namespace rankme::ranking {

ValueOrder ValueOrder::Of(const MetricInfo& metric, std::optional<double> target) {
  if (metric.direction == MetricDirection::kHigher) return {};
  return {Kind::kCloserToTarget, target.value_or(metric.target)};
}

ValueOrder ValueOrder::OfMetric(const std::string& name, std::optional<double> target) {
  const MetricInfo* metric = FindMetric(name);
  if (metric == nullptr) {
    throw UsageError(
        fmt::format("unknown metric '{}': expected one of {}", name, MetricNameList()));
  }
  return Of(*metric, target);
}

double ValueOrder::Goodness(double value) const {
  switch (kind) {
    case Kind::kHigher:
      return value;
    case Kind::kLower:
      return -value;
    case Kind::kCloserToTarget:
      return -std::fabs(value - target);
  }
  return value;
}

std::string ValueOrder::Describe() const {
  switch (kind) {
    case Kind::kHigher:
      return "higher is better";
    case Kind::kLower:
      return "lower is better";
    case Kind::kCloserToTarget:
      return fmt::format("closer to {:g} is better", target);
  }
  return "";
}

}  // namespace rankme::ranking
