// The hyperparameter panels: for each varying hyperparameter, every configuration's score
// (mean ± std over its seeds) at its value of that hyperparameter, with the mean and the best
// over the configurations sharing each value.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "rankme/report/number_format.h"
#include "report/html_internal.h"
#include "report/svg_plot_internal.h"

namespace rankme::report::html {

namespace {

// Where a level sits on the x axis: its number on numeric axes, its index on categorical ones.
struct XMap {
  bool categorical = false;
  bool log = false;
  std::map<std::string, double> position;  // display value → x
};

XMap MapLevels(const ReportMarginal& marginal) {
  XMap map;
  bool positive = true;
  double lo = 0, hi = 0;
  for (const ReportMarginalLevel& level : marginal.levels) {
    if (!level.numeric) map.categorical = true;
  }
  // Two numbers make a line, not a trend: show them as categories too.
  if (marginal.levels.size() < 3) map.categorical = true;
  for (std::size_t i = 0; i < marginal.levels.size(); ++i) {
    const ReportMarginalLevel& level = marginal.levels[i];
    const double v = map.categorical ? static_cast<double>(i) : *level.numeric;
    map.position[level.value] = v;
    if (!map.categorical) {
      positive = positive && v > 0;
      lo = i == 0 ? v : std::min(lo, v);
      hi = i == 0 ? v : std::max(hi, v);
    }
  }
  map.log = !map.categorical && positive && hi >= 9.99 * lo;  // a decade or more
  if (!map.categorical && !positive) {
    // Zero beside values decades apart (weight decay 0, 1e-4, …, 0.1): neither a linear nor a log
    // axis shows them, so they stand in order as categories.
    double smallest = 0;
    for (const ReportMarginalLevel& level : marginal.levels) {
      const double a = std::fabs(*level.numeric);
      if (a > 0 && (smallest == 0 || a < smallest)) smallest = a;
    }
    const double largest = std::max(std::fabs(lo), std::fabs(hi));
    if (smallest > 0 && largest >= 99.9 * smallest) {
      map.categorical = true;
      for (std::size_t i = 0; i < marginal.levels.size(); ++i) {
        map.position[marginal.levels[i].value] = static_cast<double>(i);
      }
    }
  }
  return map;
}

std::string Panel(const ReportData& data, const Colours& colours, const ReportMarginal& marginal) {
  const XMap xmap = MapLevels(marginal);
  svg::Plot plot;
  plot.panel = "marginal";
  plot.title = marginal.group.empty()
                   ? marginal.key
                   : marginal.key + " (" + data.within + " = " + marginal.group + ")";
  plot.x.label = marginal.key;
  plot.x.log = xmap.log;
  if (xmap.categorical) {
    for (const ReportMarginalLevel& level : marginal.levels)
      plot.x.categories.push_back(level.value);
  }
  plot.y.label = MetricName(data) + " (mean over seeds)";
  plot.width = 600;
  plot.height = 360;
  // Level summaries first (behind the configurations).
  svg::Series mean, best;
  mean.kind = "level-mean";
  mean.colour = "#59636e";
  mean.dash = "5 4";
  mean.width = 1.4;
  mean.title = "mean over the configurations with each value";
  best.kind = "level-best";
  best.colour = "#1f2328";
  best.width = 1.4;
  best.title = "best configuration with each value";
  for (const ReportMarginalLevel& level : marginal.levels) {
    const double x = xmap.position.at(level.value);
    mean.points.emplace_back(x, level.mean);
    best.points.emplace_back(x, level.best);
  }
  if (xmap.categorical) {  // no line between categories: the mean of each as a grey mark
    mean.line = false;
    mean.markers = true;
    mean.width = 2;
    for (const ReportMarginalLevel& level : marginal.levels) {
      mean.point_titles.push_back(fmt::format(
          "{} = {}: mean {} over {} configuration{}", marginal.key, level.value,
          FormatValue(level.mean), level.configurations, level.configurations == 1 ? "" : "s"));
    }
    plot.series.push_back(std::move(mean));
  } else {
    plot.series.push_back(std::move(mean));
    plot.series.push_back(std::move(best));
  }
  // Configurations: grey ones behind, coloured in front; spread sideways within a category.
  std::map<std::string, std::size_t> placed;
  std::map<std::string, std::size_t> per_level;
  auto member = [&](const ReportConfiguration& c) {
    return c.n != 0 && (marginal.group.empty() || c.group == marginal.group);
  };
  for (const ReportConfiguration& c : data.configurations) {
    if (!member(c)) continue;
    if (const auto v = ValueOf(c, marginal.key)) ++per_level[*v];
  }
  for (const bool highlighted : {false, true}) {
    for (std::size_t i = 0; i < data.configurations.size(); ++i) {
      const ReportConfiguration& c = data.configurations[i];
      if (colours.highlighted[i] != highlighted || !member(c)) continue;
      const auto value = ValueOf(c, marginal.key);
      if (!value || !xmap.position.count(*value)) continue;
      double x = xmap.position.at(*value);
      if (xmap.categorical) {
        const double count = static_cast<double>(per_level[*value]);
        const double slot = static_cast<double>(placed[*value]++);
        x += count > 1 ? 0.5 * (slot / (count - 1) - 0.5) : 0;
      }
      svg::Series s;
      s.kind = "configuration";
      s.config_id = c.config_id;
      s.colour = colours.colour[i];
      s.width = highlighted ? 2.2 : 1.2;
      s.line = false;
      s.markers = true;
      s.points.emplace_back(x, c.mean);
      s.errors.push_back(c.std.value_or(0));
      s.point_titles.push_back(fmt::format("{}\n{} = {}: {} over {} seed{}{}", ConfigLabel(data, c),
                                           marginal.key, *value, FormatMeanStd(c.mean, c.std), c.n,
                                           c.n == 1 ? "" : "s",
                                           c.rank ? fmt::format(" (rank {})", *c.rank) : ""));
      plot.series.push_back(std::move(s));
    }
  }
  return "<figure>" + svg::Render(plot) + "</figure>";
}

}  // namespace

std::string RenderMarginals(const ReportData& data, const Colours& colours) {
  std::string out = R"(<section id="marginals"><h2>Hyperparameters</h2>)";
  out += fmt::format(
      R"(<p class="hint">One panel per hyperparameter that varies in the sweep: each dot is a )"
      R"(configuration (mean ± std of its seeds' {}); the solid line is the best configuration )"
      R"(with each value, the dashed line (or grey dot) their mean.</p>)",
      EscapeHtml(MetricName(data)));
  if (data.marginals.empty()) {
    out += R"(<p class="hint">No hyperparameter varies in this sweep.</p>)";
    return out + "</section>";
  }
  std::string panels;
  for (const ReportMarginal& marginal : data.marginals) {
    // A key with one value in a group does not vary there (e.g. one determined by `within`).
    if (marginal.levels.size() > 1) panels += Panel(data, colours, marginal);
  }
  if (panels.empty()) {
    out += R"(<p class="hint">No hyperparameter takes two values among ranked configurations)";
    out += data.within.empty() ? "" : " of one group";
    out += ".</p>";
    return out + "</section>";
  }
  out += R"(<div class="grid">)" + panels + "</div>";
  std::vector<std::size_t> all = GroupMembers(data, nullptr);
  return out + Legend(data, colours, all) + "</section>";
}

}  // namespace rankme::report::html
