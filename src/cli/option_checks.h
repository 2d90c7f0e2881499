#pragma once
// Checks of option values, shared by every command. Each refuses NaN and infinities where a
// finite number is meant, names the accepted range in short numbers (never DBL_MAX spelled out)
// and reads integers exactly, so an out-of-range value is an error, not clamped.

#include <CLI/CLI.hpp>
#include <cstdint>
#include <limits>
#include <string>

namespace rankme::cli {

/// A finite number in [min, max] (max = +inf: no upper bound).
CLI::Validator FiniteNumber(double min, double max = std::numeric_limits<double>::infinity());

/// An integer written in decimal in [min, max], checked on the text before conversion so that
/// 99999999999999999999 or -1 for an unsigned option is refused instead of wrapped or clamped.
CLI::Validator WholeNumber(std::int64_t min, std::int64_t max = INT64_MAX);

/// A seed: an integer in [0, 2^64 - 1].
CLI::Validator SeedNumber();

/// --max-samples: 0 (every row) or at least 2 (fewer than two rows cannot be scored).
CLI::Validator SampleCount();

/// -o: a file name, never empty (an empty one would silently mean stdout).
CLI::Validator OutputPath();

/// --metric: a name of the metric catalog (AllMetrics()); the message lists them all.
CLI::Validator MetricName();

}  // namespace rankme::cli
