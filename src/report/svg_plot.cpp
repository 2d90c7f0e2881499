#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "rankme/report/html_report.h"
#include "report/svg_plot_internal.h"

namespace rankme::report::svg {

namespace {

constexpr double kLeft = 68, kRight = 18, kTop = 34, kBottom = 50;

// Where data values land: a linear, logarithmic or categorical map onto [from, to] pixels.
struct Scale {
  bool log = false;
  double lo = 0, hi = 1;    // domain (log10 of it for log axes)
  double from = 0, to = 1;  // pixels
  bool Drawable(double v) const { return std::isfinite(v) && (!log || v > 0); }
  double operator()(double v) const {
    const double t = log ? std::log10(v) : v;
    return from + (t - lo) / (hi - lo) * (to - from);
  }
};

std::string Px(double v) { return fmt::format("{:.1f}", v); }

// The range of the drawable values of one coordinate (and the error bars for y).
std::pair<double, double> Extent(const Plot& plot, bool y, bool log) {
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  auto take = [&](double v) {
    if (!std::isfinite(v) || (log && v <= 0)) return;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  };
  for (const Series& s : plot.series) {
    for (std::size_t i = 0; i < s.points.size(); ++i) {
      const double v = y ? s.points[i].second : s.points[i].first;
      take(v);
      if (y && i < s.errors.size() && std::isfinite(v)) {
        take(v - s.errors[i]);
        take(v + s.errors[i]);
      }
    }
  }
  return {lo, hi};
}

// Sets the scale's domain from the data and returns the tick values to draw.
std::vector<double> Fit(const Plot& plot, const Axis& axis, bool y, Scale& scale) {
  if (!axis.categories.empty()) {
    scale.lo = -0.5;
    scale.hi = static_cast<double>(axis.categories.size()) - 0.5;
    std::vector<double> ticks;
    for (std::size_t i = 0; i < axis.categories.size(); ++i) ticks.push_back(i);
    return ticks;
  }
  scale.log = axis.log;
  auto [lo, hi] = Extent(plot, y, axis.log);
  if (!std::isfinite(lo)) lo = axis.log ? 1 : 0, hi = axis.log ? 10 : 1;
  if (axis.log) {
    // The data's own range (a little padded), labelled with the ticks that fall inside it.
    double a = std::log10(lo), b = std::log10(hi);
    if (b - a < 0.3) a -= 0.15, b += 0.15;
    const double pad = 0.03 * (b - a);
    scale.lo = a - pad;
    scale.hi = b + pad;
    std::vector<double> ticks;
    for (double t : LogTicks(std::pow(10.0, std::floor(a)), std::pow(10.0, std::ceil(b)))) {
      const double e = std::log10(t);
      if (e >= scale.lo - 1e-9 && e <= scale.hi + 1e-9) ticks.push_back(t);
    }
    return ticks;
  }
  if (hi - lo < 1e-12 * std::max(1.0, std::fabs(hi))) {
    const double pad = lo == 0 ? 1 : std::fabs(lo) * 0.05;
    lo -= pad;
    hi += pad;
  }
  std::vector<double> ticks = LinearTicks(lo, hi);
  if (axis.integer) {
    std::erase_if(ticks, [](double t) { return t != std::floor(t); });
    if (ticks.empty()) ticks = {std::floor(lo), std::ceil(hi)};
  }
  scale.lo = std::min(lo, ticks.front());
  scale.hi = std::max(hi, ticks.back());
  return ticks;
}

std::string Text(double x, double y, const std::string& text, const char* anchor,
                 const char* extra = "") {
  return fmt::format(R"(<text x="{}" y="{}" text-anchor="{}"{}>{}</text>)", Px(x), Px(y), anchor,
                     extra, EscapeHtml(text));
}

std::string Shorten(const std::string& text, std::size_t limit) {
  if (text.size() <= limit) return text;
  std::string out = text.substr(0, limit - 1);
  out += "\u2026";
  return out;
}

std::string DrawSeries(const Series& s, const Scale& sx, const Scale& sy) {
  std::vector<std::pair<double, double>> pixels;
  std::vector<std::size_t> index;
  for (std::size_t i = 0; i < s.points.size(); ++i) {
    const auto [x, y] = s.points[i];
    if (!sx.Drawable(x) || !sy.Drawable(y)) continue;
    pixels.emplace_back(sx(x), sy(y));
    index.push_back(i);
  }
  if (pixels.empty()) return "";
  std::string out = fmt::format(R"(<g class="series" data-kind="{}" data-config="{}")",
                                EscapeHtml(s.kind), EscapeHtml(s.config_id));
  if (s.opacity < 1) out += fmt::format(R"( opacity="{:.2f}")", s.opacity);
  out += ">";
  if (!s.title.empty()) out += fmt::format("<title>{}</title>", EscapeHtml(s.title));
  for (std::size_t k = 0; k < index.size(); ++k) {
    const std::size_t i = index[k];
    if (i >= s.errors.size() || !(s.errors[i] > 0)) continue;
    const double y = s.points[i].second;
    const double top = sy.Drawable(y + s.errors[i]) ? sy(y + s.errors[i]) : pixels[k].second;
    const double bottom = sy.Drawable(y - s.errors[i]) ? sy(y - s.errors[i]) : sy.from;
    out += fmt::format(R"(<path d="M{} {}V{}" stroke="{}" stroke-width="1.2"/>)",
                       Px(pixels[k].first), Px(bottom), Px(top), s.colour);
  }
  if (s.line && pixels.size() > 1) {
    std::string d;
    for (std::size_t k = 0; k < pixels.size(); ++k) {
      d += fmt::format("{}{:.1f} {:.1f}", k == 0 ? 'M' : 'L', pixels[k].first, pixels[k].second);
    }
    out += fmt::format(R"(<path class="line" d="{}" fill="none" stroke="{}" stroke-width="{}")", d,
                       s.colour, s.width);
    if (!s.dash.empty()) out += fmt::format(R"( stroke-dasharray="{}")", s.dash);
    out += R"( stroke-linejoin="round" stroke-linecap="round"/>)";
  }
  if (s.markers || pixels.size() == 1) {
    const double r = std::max(2.5, s.width + 1);
    for (std::size_t k = 0; k < pixels.size(); ++k) {
      out += fmt::format(R"(<circle cx="{}" cy="{}" r="{:.1f}" fill="{}")", Px(pixels[k].first),
                         Px(pixels[k].second), r, s.colour);
      const std::size_t i = index[k];
      if (i < s.point_titles.size()) {
        out += fmt::format("><title>{}</title></circle>", EscapeHtml(s.point_titles[i]));
      } else {
        out += "/>";
      }
    }
  }
  return out + "</g>";
}

}  // namespace

std::vector<double> LinearTicks(double lo, double hi, int target) {
  if (!(hi > lo)) return {lo};
  const double raw = (hi - lo) / std::max(1, target - 1);
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  double step = magnitude;
  for (double m : {1.0, 2.0, 2.5, 5.0, 10.0}) {
    step = m * magnitude;
    if (step >= raw) break;
  }
  std::vector<double> ticks;
  const double first = std::floor(lo / step) * step;
  for (int k = 0; k < 64; ++k) {  // from the last tick at or below lo to the first at or above hi
    const double t = first + k * step;
    ticks.push_back(std::fabs(t) < step * 1e-9 ? 0.0 : t);
    if (t >= hi - step * 1e-9) break;
  }
  return ticks;
}

std::vector<double> LogTicks(double lo, double hi) {
  const int a = static_cast<int>(std::floor(std::log10(lo) + 1e-9));
  const int b = static_cast<int>(std::ceil(std::log10(hi) - 1e-9));
  std::vector<double> ticks;
  const bool fine = b - a < 3;
  const int stride = std::max(1, (b - a + 7) / 8);  // at most ~8 labelled decades
  for (int k = a; k <= b; k += stride) {
    const double base = std::pow(10.0, k);
    ticks.push_back(base);
    if (fine && k < b) {
      ticks.push_back(2 * base);
      ticks.push_back(5 * base);
    }
  }
  return ticks;
}

std::string FormatTick(double value) {
  if (value == 0) return "0";
  const double a = std::fabs(value);
  if (a >= 1e6 || a < 1e-3) return fmt::format("{:.3g}", value);
  return fmt::format("{:.6g}", value);
}

std::string Render(const Plot& plot) {
  const double w = plot.width, h = plot.height;
  Scale sx{.from = kLeft, .to = w - kRight};
  Scale sy{.from = h - kBottom, .to = kTop};
  const std::vector<double> xticks = Fit(plot, plot.x, false, sx);
  const std::vector<double> yticks = Fit(plot, plot.y, true, sy);

  std::string out = fmt::format(
      R"(<svg class="plot" data-panel="{}" viewBox="0 0 {} {}" role="img" aria-label="{}">)",
      EscapeHtml(plot.panel), plot.width, plot.height, EscapeHtml(plot.title));
  out += Text(kLeft, 20, plot.title, "start", R"( class="ptitle")");
  // Grid and ticks.
  out += R"(<g class="axes">)";
  const std::size_t categories = plot.x.categories.size();
  const std::size_t label_every = categories > 12 ? (categories + 11) / 12 : 1;
  for (std::size_t i = 0; i < xticks.size(); ++i) {
    const double px = sx(xticks[i]);
    out += fmt::format(R"(<path class="grid" d="M{} {}V{}"/>)", Px(px), Px(sy.from), Px(sy.to));
    if (categories != 0 && i % label_every != 0) continue;
    const std::string label =
        categories ? Shorten(plot.x.categories[i], 14) : FormatTick(xticks[i]);
    out += Text(px, sy.from + 16, label, "middle");
  }
  for (double t : yticks) {
    const double py = sy(t);
    out += fmt::format(R"(<path class="grid" d="M{} {}H{}"/>)", Px(sx.from), Px(py), Px(sx.to));
    out += Text(sx.from - 6, py + 4, FormatTick(t), "end");
  }
  out += fmt::format(R"(<path class="frame" d="M{} {}V{}H{}"/>)", Px(sx.from), Px(sy.to),
                     Px(sy.from), Px(sx.to));
  out += Text((sx.from + sx.to) / 2, h - 12, plot.x.label, "middle", R"( class="alabel")");
  out += fmt::format(
      R"svg(<text class="alabel" transform="translate(16 {}) rotate(-90)" text-anchor="middle">{}</text>)svg",
      Px((sy.from + sy.to) / 2), EscapeHtml(plot.y.label));
  out += "</g>";

  std::string drawn;
  for (const Series& s : plot.series) drawn += DrawSeries(s, sx, sy);
  if (drawn.empty()) {
    out += Text((sx.from + sx.to) / 2, (sy.from + sy.to) / 2, "no data", "middle",
                R"( class="nodata")");
  }
  out += "<g class=\"data\">";
  out += drawn;
  out += "</g>";
  double line_y = kTop + 14;
  for (const std::string& note : plot.annotations) {
    out += Text(sx.from + 8, line_y, note, "start", R"( class="note")");
    line_y += 15;
  }
  out += "</svg>";
  return out;
}

}  // namespace rankme::report::svg
