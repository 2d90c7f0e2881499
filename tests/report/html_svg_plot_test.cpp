#include <catch2/catch.hpp>
#include <cmath>
#include <string>

#include "report/svg_plot_internal.h"

namespace svg = rankme::report::svg;

TEST_CASE("LinearTicks are 1, 2, 2.5 or 5 times a power of ten apart and cover the range",
          "[report]") {
  struct Case {
    double lo, hi;
  };
  for (const Case c : {Case{0, 1}, Case{13.2, 41.7}, Case{-3, 7}, Case{0.00031, 0.0029},
                       Case{100, 5000}, Case{2.05e3, 2.0507e3}}) {
    const auto ticks = svg::LinearTicks(c.lo, c.hi);
    INFO(c.lo << " .. " << c.hi);
    REQUIRE(ticks.size() >= 3);
    CHECK(ticks.size() <= 12);
    CHECK(ticks.front() <= c.lo);
    CHECK(ticks.back() >= c.hi);
    const double step = ticks[1] - ticks[0];
    const double mantissa = step / std::pow(10.0, std::floor(std::log10(step) + 1e-9));
    CHECK((std::fabs(mantissa - 1) < 1e-6 || std::fabs(mantissa - 2) < 1e-6 ||
           std::fabs(mantissa - 2.5) < 1e-6 || std::fabs(mantissa - 5) < 1e-6));
    for (std::size_t i = 1; i < ticks.size(); ++i) {
      CHECK(ticks[i] - ticks[i - 1] == Approx(step).epsilon(1e-9));
    }
  }
}

TEST_CASE("LogTicks are the powers of ten of the range, with 2 and 5 when it is short",
          "[report]") {
  CHECK(svg::LogTicks(1e-3, 1e2) == std::vector<double>{1e-3, 1e-2, 1e-1, 1, 10, 100});
  const auto short_range = svg::LogTicks(1, 100);
  CHECK(short_range == std::vector<double>{1, 2, 5, 10, 20, 50, 100});
}

TEST_CASE("SVG plot puts each point where its axes say", "[report]") {
  svg::Plot plot;
  plot.width = 668;   // plot area x from 68 to 650: 582 px
  plot.height = 384;  // plot area y from 334 down to 34: 300 px
  plot.x.label = "step";
  plot.y.label = "rankme";
  svg::Series s;
  s.kind = "run";
  s.points = {{0, 0}, {100, 50}, {200, 100}};
  plot.series.push_back(s);
  const std::string out = svg::Render(plot);
  // Ticks 0..200 and 0..100 are the domain: (100, 50) is the middle of the plot area.
  CHECK(out.find(R"(d="M68.0 334.0L359.0 184.0L650.0 34.0")") != std::string::npos);
  CHECK(out.find(R"(data-kind="run")") != std::string::npos);
  CHECK(out.find("no data") == std::string::npos);
}

TEST_CASE("SVG plot leaves out what a log axis cannot show and says when nothing is left",
          "[report]") {
  svg::Plot plot;
  plot.y.log = true;
  svg::Series s;
  s.points = {{1, 0}, {2, -1}};
  plot.series.push_back(s);
  const std::string out = svg::Render(plot);
  CHECK(out.find("class=\"series\"") == std::string::npos);
  CHECK(out.find("no data") != std::string::npos);
}

TEST_CASE("FormatTick writes short exact labels", "[report]") {
  CHECK(svg::FormatTick(0.001) == "0.001");
  CHECK(svg::FormatTick(2500) == "2500");
  CHECK(svg::FormatTick(1e-6) == "1e-06");
  CHECK(svg::FormatTick(12.5) == "12.5");
  CHECK(svg::FormatTick(0) == "0");
}

TEST_CASE("SVG plot of an integer axis puts no tick between whole numbers", "[report]") {
  svg::Plot plot;
  plot.x.integer = true;
  svg::Series s;
  s.points = {{0, 10}, {1, 20}, {2, 30}};
  plot.series.push_back(s);
  const std::string out = svg::Render(plot);
  CHECK(out.find(">0.5<") == std::string::npos);
  CHECK(out.find(">1.5<") == std::string::npos);
  CHECK(out.find(">1<") != std::string::npos);
  CHECK(out.find(">2<") != std::string::npos);
}
