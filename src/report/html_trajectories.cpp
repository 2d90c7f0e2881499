// The training panel: the metric against training progress, one thin line per seed and one thick
// line (their mean at each checkpoint) per configuration, one plot per `within` group.
#include <fmt/format.h>

#include <map>

#include "rankme/report/number_format.h"
#include "report/html_internal.h"
#include "report/svg_plot_internal.h"

namespace rankme::report::html {

namespace {

// The mean over seeds at each x where at least one seed has a value, with the count.
struct MeanPoint {
  double x = 0, mean = 0;
  std::size_t n = 0;
};

std::vector<MeanPoint> SeedMean(const ReportConfiguration& c) {
  std::map<double, std::pair<double, std::size_t>> sums;
  for (const ReportRun& run : c.runs) {
    for (const ReportPoint& p : run.series) {
      auto& [sum, count] = sums[p.x];
      sum += p.value;
      ++count;
    }
  }
  std::vector<MeanPoint> out;
  for (const auto& [x, acc] : sums) {
    out.push_back({x, acc.first / static_cast<double>(acc.second), acc.second});
  }
  return out;
}

std::string Plot(const ReportData& data, const Colours& colours,
                 const std::vector<std::size_t>& members, const std::string& title) {
  svg::Plot plot;
  plot.panel = "trajectories";
  plot.title = title;
  plot.x.label = data.x_label;
  plot.x.integer = true;
  plot.y.label = MetricName(data) + " (" + (data.tensor.empty() ? "?" : data.tensor) + ")";
  plot.width = 600;
  plot.height = 360;
  // Grey configurations first, so the coloured ones lie on top.
  for (const bool highlighted : {false, true}) {
    for (std::size_t i : members) {
      if (colours.highlighted[i] != highlighted) continue;
      const ReportConfiguration& c = data.configurations[i];
      const std::string label = ConfigLabel(data, c);
      for (const ReportRun& run : c.runs) {
        if (run.series.empty()) continue;
        svg::Series s;
        s.kind = "run";
        s.config_id = c.config_id;
        s.colour = colours.colour[i];
        s.width = 1;
        s.opacity = highlighted ? 0.55 : 0.35;
        for (const ReportPoint& p : run.series) s.points.emplace_back(p.x, p.value);
        const ReportPoint& last = run.series.back();
        s.title = fmt::format("{}{}\nrun {}\nlast: {} at {} {} ({})", label,
                              run.seed.empty() ? "" : ", seed " + run.seed, run.name,
                              FormatValue(last.value), data.x_label, svg::FormatTick(last.x),
                              last.checkpoint);
        plot.series.push_back(std::move(s));
      }
      const std::vector<MeanPoint> mean = SeedMean(c);
      if (mean.empty()) continue;
      svg::Series s;
      s.kind = "mean";
      s.config_id = c.config_id;
      s.colour = colours.colour[i];
      s.width = highlighted ? 2.6 : 1.6;
      s.opacity = highlighted ? 1.0 : 0.6;
      s.markers = highlighted;
      s.title = label + (c.rank ? fmt::format(" (rank {})", *c.rank) : "");
      for (const MeanPoint& p : mean) {
        s.points.emplace_back(p.x, p.mean);
        s.point_titles.push_back(fmt::format("{}\n{} {}: mean {} over {} seed{}", label,
                                             data.x_label, svg::FormatTick(p.x),
                                             FormatValue(p.mean), p.n, p.n == 1 ? "" : "s"));
      }
      plot.series.push_back(std::move(s));
    }
  }
  return "<figure>" + svg::Render(plot) + Legend(data, colours, members) + "</figure>";
}

}  // namespace

std::string RenderTrajectories(const ReportData& data, const Colours& colours) {
  std::string out = R"(<section id="training"><h2>During training</h2>)";
  out += fmt::format(
      R"(<p class="hint">{} of every checkpoint against the {}: thin lines are seeds, the thick )"
      R"(line of the same colour their mean. Hover a line or a point for exact values.</p>)",
      EscapeHtml(MetricName(data)), EscapeHtml(data.x_label));
  out += R"(<div class="grid wide">)";
  if (data.within.empty() || data.groups.empty()) {
    out += Plot(data, colours, GroupMembers(data, nullptr),
                MetricName(data) + " against " + data.x_label);
  } else {
    for (const std::string& group : data.groups) {
      out += Plot(data, colours, GroupMembers(data, &group), data.within + " = " + group);
    }
  }
  return out + "</div></section>";
}

}  // namespace rankme::report::html
