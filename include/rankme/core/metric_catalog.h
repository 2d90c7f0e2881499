#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace rankme {

/// Which way a metric is better.
enum class MetricDirection {
  kHigher,          ///< larger values are better
  kCloserToTarget,  ///< values closer to a target (alpha_req: 1, --alpha-target) are better
};

/// Which spectrum of a checkpoint a metric is a function of.
enum class MetricSource {
  kUncentered,  ///< singular values of Z
  kCentered,    ///< singular values of Z − 1·mean(Z) (covariance eigenvalues λ = σ² / (N − 1))
  kViews,       ///< a `<name>_views` tensor (n × q × D) of the checkpoint
};

/// One label-free metric: its `--metric` name, direction, what it reads and where it comes from
/// (DESIGN.md §2 is the contract for the definitions).
struct MetricInfo {
  std::string_view name;
  MetricDirection direction;
  double target;  ///< for kCloserToTarget: the default target
  MetricSource source;
  std::string_view definition;  ///< one line, for --help, the README and reports
  std::string_view reference;
};

/// Every metric rankme computes, rankme first, in the order tables list them.
std::span<const MetricInfo> AllMetrics();

/// The metric named `name`, or nullptr.
const MetricInfo* FindMetric(std::string_view name);

/// The names of AllMetrics(), comma-separated (for messages: "expected one of ...").
std::string MetricNameList();

/// How good `value` of `metric` is, as a number where larger is better: the value itself for
/// kHigher, −|value − target| for kCloserToTarget (`target` overrides the metric's default).
double MetricGoodness(const MetricInfo& metric, double value,
                      std::optional<double> target = std::nullopt);

}  // namespace rankme
