#pragma once

#include <optional>
#include <string>

namespace rankme::report {

/// A single measured score for people: 9 significant digits (RankMe is accurate to 1e-6
/// relative, so the digits shown are digits that mean something), e.g. 23.2876541. Used where
/// one file's or one checkpoint's value is the point (`score`, `runs`, `show`).
std::string FormatScore(double value);

/// How many decimals show `spread` (a seed std) to its second significant digit: 3.92 -> 1,
/// 0.0123 -> 3, 392 -> -1 (round to tens). Non-positive or non-finite spreads give nullopt.
std::optional<int> SpreadDecimals(double spread);

/// `value` rounded at `decimals` places (negative: to tens, hundreds, ...), fixed notation,
/// e.g. (25.9950497, 1) -> "26.0", (2345.6, -1) -> "2350".
std::string FormatAtDecimals(double value, int decimals);

/// A value compared across configurations without a spread of its own: 4 significant digits in
/// fixed notation (6.050638 -> "6.051", 2050.78 -> "2051", 0.118807 -> "0.1188").
std::string FormatValue(double value);

/// A value beside a seed spread: rounded to the spread's second significant digit, or
/// FormatValue when there is no usable spread (one seed, or all seeds equal).
std::string FormatWithSpread(double value, std::optional<double> spread);

/// "mean ± std" for people, both at the std's second significant digit (25.9950497, 3.924903
/// -> "26.0 ± 3.9"); just FormatValue(mean) without a usable std.
std::string FormatMeanStd(double mean, std::optional<double> std);

}  // namespace rankme::report
