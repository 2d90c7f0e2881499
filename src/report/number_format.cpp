#include "rankme/report/number_format.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace rankme::report {

namespace {

// Decimals beyond which a double has no digits left to show.
constexpr int kMaxDecimals = 17;

// The decimal exponent of |value| (floor(log10)), corrected for log10's rounding near powers
// of ten.
int DecimalExponent(double value) {
  int exponent = static_cast<int>(std::floor(std::log10(std::fabs(value))));
  if (std::fabs(value) >= std::pow(10.0, exponent + 1)) ++exponent;
  if (std::fabs(value) < std::pow(10.0, exponent)) --exponent;
  return exponent;
}

}  // namespace

std::string FormatScore(double value) {
  if (std::isnan(value)) return "nan";
  return fmt::format("{:.9g}", value);
}

std::optional<int> SpreadDecimals(double spread) {
  if (!std::isfinite(spread) || !(spread > 0)) return std::nullopt;
  // Round the spread to two significant digits first: 0.0996 shows as 0.10, not 0.0996.
  int decimals = 1 - DecimalExponent(spread);
  const double scale = std::pow(10.0, decimals);
  if (std::round(spread * scale) >= 100) --decimals;
  return std::min(decimals, kMaxDecimals);
}

std::string FormatAtDecimals(double value, int decimals) {
  if (!std::isfinite(value)) return fmt::format("{}", value);
  if (decimals >= 0) {
    const std::string text = fmt::format("{:.{}f}", value, std::min(decimals, kMaxDecimals));
    // "-0.0" reads as a sign that means nothing.
    if (text.find_first_not_of("-0.") == std::string::npos && text[0] == '-') return text.substr(1);
    return text;
  }
  const double scale = std::pow(10.0, -decimals);
  const double rounded = std::round(value / scale) * scale;
  return fmt::format("{:.0f}", rounded == 0 ? 0.0 : rounded);
}

std::string FormatValue(double value) {
  if (!std::isfinite(value)) return fmt::format("{}", value);
  if (value == 0) return "0";
  int decimals = 3 - DecimalExponent(value);
  // Rounding can carry into a new digit (9.9996 -> 10.000): keep four significant digits.
  const double scale = std::pow(10.0, decimals);
  if (std::fabs(std::round(value * scale)) >= 10000) --decimals;
  return FormatAtDecimals(value, decimals);
}

std::string FormatWithSpread(double value, std::optional<double> spread) {
  const std::optional<int> decimals = spread ? SpreadDecimals(*spread) : std::nullopt;
  return decimals ? FormatAtDecimals(value, *decimals) : FormatValue(value);
}

std::string FormatMeanStd(double mean, std::optional<double> std) {
  const std::optional<int> decimals = std ? SpreadDecimals(*std) : std::nullopt;
  if (!decimals) return FormatValue(mean);
  return FormatAtDecimals(mean, *decimals) + " \u00b1 " + FormatAtDecimals(*std, *decimals);
}

}  // namespace rankme::report
