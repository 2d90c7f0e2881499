#include "cli/option_checks.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <cstdlib>

#include "rankme/core/metric_catalog.h"

namespace rankme::cli {

namespace {

bool ParseDouble(const std::string& text, double& value) {
  if (text.empty()) return false;
  char* end = nullptr;
  value = std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size();
}

template <typename Integer>
bool ParseInteger(const std::string& text, Integer& value) {
  const char* begin = text.data();
  if (!text.empty() && text[0] == '+') ++begin;
  const auto result = std::from_chars(begin, text.data() + text.size(), value);
  return result.ec == std::errc() && result.ptr == text.data() + text.size();
}

std::string RangeText(double min, double max) {
  if (std::isinf(max)) return fmt::format("a finite number >= {:g}", min);
  return fmt::format("a finite number from {:g} to {:g}", min, max);
}

}  // namespace

CLI::Validator FiniteNumber(double min, double max) {
  return CLI::Validator(
      [min, max](std::string& text) -> std::string {
        double value = 0;
        if (!ParseDouble(text, value) || !std::isfinite(value) || value < min || value > max) {
          return fmt::format("'{}' is not {}", text, RangeText(min, max));
        }
        return {};
      },
      "NUMBER");
}

CLI::Validator WholeNumber(std::int64_t min, std::int64_t max) {
  return CLI::Validator(
      [min, max](std::string& text) -> std::string {
        std::int64_t value = 0;
        if (!ParseInteger(text, value) || value < min || value > max) {
          return max == INT64_MAX
                     ? fmt::format("'{}' is not a whole number >= {}", text, min)
                     : fmt::format("'{}' is not a whole number from {} to {}", text, min, max);
        }
        return {};
      },
      "INT");
}

CLI::Validator OutputPath() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        return text.empty() ? "an empty file name (use - for stdout)" : std::string();
      },
      "FILE");
}

CLI::Validator SeedNumber() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        std::uint64_t value = 0;
        if (!ParseInteger(text, value)) {
          return fmt::format("'{}' is not a seed: a whole number from 0 to 2^64 - 1", text);
        }
        return {};
      },
      "SEED");
}

CLI::Validator SampleCount() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        std::int64_t value = 0;
        if (!ParseInteger(text, value) || value < 0 || value == 1) {
          return fmt::format("'{}' is not a row count: 0 (every row) or a whole number >= 2", text);
        }
        return {};
      },
      "ROWS");
}

}  // namespace rankme::cli

namespace rankme::cli {

CLI::Validator MetricName() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        if (FindMetric(text) != nullptr) return {};
        return fmt::format("unknown metric '{}': expected one of {}", text, MetricNameList());
      },
      "METRIC");
}

}  // namespace rankme::cli
