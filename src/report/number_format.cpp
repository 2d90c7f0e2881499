#include "rankme/report/number_format.h"

#include <fmt/format.h>

#include <cmath>

namespace rankme::report {

std::string FormatScore(double value) {
  if (std::isnan(value)) return "nan";
  return fmt::format("{:.9g}", value);
}

}  // namespace rankme::report
