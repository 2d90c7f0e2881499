#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace rankme::metrics {

/// A rows × cols matrix (row-major float64) whose singular values are exactly `sigma` (up to
/// rounding): U diag(sigma) Vᵀ with U (rows × k) and V (cols × k) orthonormal, drawn from
/// Gaussian matrices seeded by `seed`; k = sigma.size() <= min(rows, cols). For demos and
/// tests: the expected RankMe is RankmeFromSingularValues of sigma padded with zeros.
std::vector<double> MatrixWithSpectrum(std::int64_t rows, std::int64_t cols,
                                       std::span<const double> sigma, std::uint64_t seed);

}  // namespace rankme::metrics
