#pragma once

// A small SVG chart drawer for the HTML report: axes with ticks and labels, lines, markers with
// hover titles, error bars. Output is an inline <svg> that scales to its container's width.

#include <string>
#include <utility>
#include <vector>

namespace rankme::report::svg {

/// One axis of a plot.
struct Axis {
  std::string label;
  bool log = false;      ///< base-10 logarithmic; values <= 0 are not drawn
  bool integer = false;  ///< counts (steps, epochs): no tick between two whole numbers
  /// When non-empty the axis is categorical: x = i sits at category i (log is ignored).
  std::vector<std::string> categories;
};

/// One series: a line and/or markers, drawn as one <g class="series"> with its hover title.
struct Series {
  std::vector<std::pair<double, double>> points;  ///< (x, y) in data units
  std::string colour = "#555555";
  double width = 1.5;    ///< line width in px
  double opacity = 1.0;  ///< of the whole series
  bool line = true;      ///< connect the points
  bool markers = false;  ///< a circle per point (always when there is a single point)
  std::vector<std::string> point_titles;  ///< hover text per marker (markers only)
  std::vector<double> errors;  ///< ± half-width per point, drawn as vertical bars; may be empty
  std::string title;           ///< hover text of the line
  std::string kind;            ///< data-kind, e.g. run | mean | spectrum | configuration
  std::string config_id;       ///< data-config: lets the page highlight one configuration
  std::string dash;            ///< stroke-dasharray, e.g. "4 3"; empty = solid
};

/// A whole chart.
struct Plot {
  std::string panel;  ///< data-panel attribute of the <svg>, e.g. trajectories
  std::string title;  ///< drawn above the plot area
  Axis x, y;
  std::vector<Series> series;            ///< drawn in order: later series lie on top
  std::vector<std::string> annotations;  ///< short lines written in the plot's top-left corner
  int width = 640;                       ///< viewBox size; the element scales to its container
  int height = 360;
};

/// The plot as an <svg> element. Every text is HTML-escaped. A plot without any drawable point
/// still gets its axes and a "no data" note.
std::string Render(const Plot& plot);

/// "Nice" tick values (1, 2 or 5 × 10^k apart) covering [lo, hi], about `target` of them.
std::vector<double> LinearTicks(double lo, double hi, int target = 6);

/// Powers of ten covering [lo, hi] (lo > 0); with fewer than three decades, 2× and 5× too.
std::vector<double> LogTicks(double lo, double hi);

/// A tick label: short and exact enough, e.g. 0.001, 2500, 1e-06, 12.5.
std::string FormatTick(double value);

}  // namespace rankme::report::svg
