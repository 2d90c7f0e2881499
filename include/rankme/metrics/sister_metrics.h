#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rankme/metrics/rankme.h"

namespace rankme::metrics {

// The sister metrics of RankMe as functions of a spectrum (DESIGN.md §2). Each takes singular
// values in descending order, in any units (every metric here is scale-invariant): σ of Z for
// the stable rank, σ of the centred Zc for the others (the covariance eigenvalues are
// λ = σ² / (N − 1); the factor cancels). Each returns NaN when the largest value is zero.

/// Σσ² / σ₁².
double StableRank(std::span<const double> sigma);

/// NESum (He & Ozay 2022): Σλ / λ₁, λ the covariance eigenvalues (σ of Zc squared).
double Nesum(std::span<const double> centered_sigma);

/// Participation ratio: (Σλ)² / Σλ².
double ParticipationRatio(std::span<const double> centered_sigma);

/// α-ReQ (Agrawal et al. 2022): α of λ_i ∝ i^(−α) by weighted least squares of log λ_i on
/// −log i over the 1-based ranks i = 11 … min(100, number of λ), weights 1/i, ranks with
/// λ_i <= 1e-12 λ₁ left out; fewer than 5 ranks leave `alpha` NaN (with `ranks` saying how many).
struct AlphaReqFit {
  double alpha;      ///< the fitted exponent, or NaN
  double r_squared;  ///< weighted R² of the fit, or NaN
  int ranks = 0;     ///< ranks in the fit
};
AlphaReqFit FitAlphaReq(std::span<const double> centered_sigma);

/// One metric of one matrix, as stored and printed.
struct MetricValue {
  std::string_view name;  ///< as in the metric catalog (rankme/core/metric_catalog.h)
  double value;           ///< NaN when undefined (degenerate spectrum, too few ranks for α-ReQ)
  std::optional<double> r_squared;  ///< α-ReQ's fit
  double error_bound;               ///< estimated error (relative; absolute for α-ReQ)
  std::string method;               ///< the tier that produced the spectrum
  bool degenerate;                  ///< the spectrum it reads is degenerate
};

/// RankMe and every sister metric of a spectrum computed by ComputeRankme (catalog order; the
/// centred ones only when result.centered.computed). `eps`: RankMe's, for both RankMe values.
std::vector<MetricValue> SpectrumMetrics(const RankmeResult& result, double eps);

}  // namespace rankme::metrics
