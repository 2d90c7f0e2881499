#include "rankme/report/number_format.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <limits>

namespace rankme::report {
namespace {

TEST_CASE("Mean ± std is rounded at the std's second significant digit", "[report]") {
  struct Case {
    double mean, std;
    const char* text;
  };
  const Case cases[] = {
      {25.9950497, 3.924903, "26.0 \u00b1 3.9"},  // the example
      {41.8312, 0.2731, "41.83 \u00b1 0.27"},
      {1234.4, 56.0, "1234 \u00b1 56"},
      {2345.6, 123.4, "2350 \u00b1 120"},  // spread >= 100: round to tens
      {0.118807256, 0.0123, "0.119 \u00b1 0.012"},
      {7.04, 0.0996, "7.04 \u00b1 0.10"},  // 0.0996 rounds up to 0.10: two decimals
      {5.0, 1.0, "5.0 \u00b1 1.0"},
      {-0.001, 0.5, "0.00 \u00b1 0.50"},  // no "-0.00"
      {3.14159265, 0.0, "3.142"},         // no spread: four significant digits
  };
  for (const Case& c : cases) {
    INFO(c.mean << " " << c.std);
    CHECK(FormatMeanStd(c.mean, c.std) == c.text);
  }
  CHECK(FormatMeanStd(3.14159265, std::nullopt) == "3.142");
  CHECK(FormatMeanStd(2.0, std::numeric_limits<double>::quiet_NaN()) == "2.000");
}

TEST_CASE("Values without a spread show four significant digits in fixed notation", "[report]") {
  CHECK(FormatValue(6.050637784630948) == "6.051");
  CHECK(FormatValue(2050.78) == "2051");
  CHECK(FormatValue(0.118807256) == "0.1188");
  CHECK(FormatValue(9.99996) == "10.00");  // the carry keeps four significant digits
  CHECK(FormatValue(12345.6) == "12350");
  CHECK(FormatValue(-1.23456) == "-1.235");
  CHECK(FormatValue(0) == "0");
  CHECK(FormatValue(1e-9) == "0.000000001000");
}

TEST_CASE("Min and max beside a spread use the spread's decimals", "[report]") {
  CHECK(FormatWithSpread(22.071, 3.9249) == "22.1");
  CHECK(FormatWithSpread(29.9, 3.9249) == "29.9");
  CHECK(FormatWithSpread(29.9, std::nullopt) == "29.90");
  CHECK(SpreadDecimals(3.9249) == 1);
  CHECK(SpreadDecimals(0.0123) == 3);
  CHECK(SpreadDecimals(392.4) == -1);
  CHECK(SpreadDecimals(0.0) == std::nullopt);
  CHECK(SpreadDecimals(-1.0) == std::nullopt);
  CHECK(SpreadDecimals(std::numeric_limits<double>::infinity()) == std::nullopt);
  // Every rounded text parses back within half a unit of the last shown place.
  for (double spread : {0.000123, 0.0456, 0.789, 3.21, 45.6, 789.0, 12345.0}) {
    const int decimals = *SpreadDecimals(spread);
    for (double value : {0.5, 12.345678, 987.654321, 20481.5}) {
      const double shown = std::stod(FormatAtDecimals(value, decimals));
      CHECK(std::fabs(shown - value) <= 0.5 * std::pow(10.0, -decimals) * (1 + 1e-12));
    }
  }
}

}  // namespace
}  // namespace rankme::report
