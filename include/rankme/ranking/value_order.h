#pragma once

#include <optional>
#include <string>

#include "rankme/core/metric_catalog.h"

namespace rankme::ranking {

/// Which of two values ranking prefers: larger ones (most metrics, accuracies), smaller ones
/// (label-based errors) or those closer to a target (a kCloserToTarget metric: alpha_req, whose
/// target 1 `--alpha-target` moves). Everything that orders values (ranks, the `best`
/// checkpoint, picks, margins, correlations with labels) orders them by Goodness.
struct ValueOrder {
  enum class Kind { kHigher, kLower, kCloserToTarget };
  Kind kind = Kind::kHigher;
  double target = 0;  ///< for kCloserToTarget

  /// The order of `metric`: its direction, and its default target unless `target` is given.
  static ValueOrder Of(const MetricInfo& metric, std::optional<double> target = std::nullopt);
  /// The order of the metric called `name`; throws UsageError naming every metric when there is
  /// no such metric.
  static ValueOrder OfMetric(const std::string& name, std::optional<double> target = std::nullopt);

  /// How good `value` is as a number where larger is better: the value (kHigher), its negation
  /// (kLower), −|value − target| (kCloserToTarget; what MetricGoodness computes).
  double Goodness(double value) const;
  /// `a` is strictly better than `b`.
  bool Better(double a, double b) const { return Goodness(a) > Goodness(b); }
  /// Goodness is the value itself, so correlating it is correlating the value.
  bool IsIdentity() const { return kind == Kind::kHigher; }
  /// For people: "higher is better", "lower is better", "closer to 1 is better".
  std::string Describe() const;

  bool operator==(const ValueOrder&) const = default;
};

}  // namespace rankme::ranking
