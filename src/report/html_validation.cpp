// The validation panel (when label-based numbers were supplied): the metric against the
// label-based number, one point per configuration, with rank correlations and regret.
#include <fmt/format.h>

#include <map>

#include "rankme/report/number_format.h"
#include "report/html_internal.h"
#include "report/svg_plot_internal.h"

namespace rankme::report::html {

namespace {

std::string Optional(const std::optional<double>& v, const char* format = "{:.3f}") {
  return v ? fmt::format(fmt::runtime(format), *v) : std::string("n/a");
}

}  // namespace

std::string RenderValidation(const ReportData& data, const Colours& colours) {
  const ReportValidation& v = *data.validation;
  std::map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < data.configurations.size(); ++i) {
    index[data.configurations[i].config_id] = i;
  }
  auto label_of = [&](const std::string& id) {
    const auto it = index.find(id);
    return it == index.end() ? id : ConfigLabel(data, data.configurations[it->second]);
  };
  std::string out = R"(<section id="validation"><h2>Against labels</h2>)";
  out += fmt::format(
      R"(<p class="hint">Each configuration's mean {} against its mean <b>{}</b>, a number )"
      R"(that needs labels. A good label-free criterion ranks configurations the same way.</p>)",
      EscapeHtml(MetricName(data)), EscapeHtml(v.label));
  out += "<p>";
  out += fmt::format(R"(<span class="stat">Spearman ρ <b>{}</b></span>)", Optional(v.spearman));
  out += fmt::format(R"(<span class="stat">Kendall τ <b>{}</b></span>)", Optional(v.kendall));
  out += fmt::format(R"(<span class="stat">regret <b>{}</b></span>)",
                     v.regret ? FormatValue(*v.regret) : "n/a");
  out += fmt::format(R"(<span class="stat">configurations <b>{}</b></span>)", v.points.size());
  out += "</p>";
  if (!v.picked.empty()) {
    out += fmt::format(
        R"(<p>{} picks <span class="mono">{}</span>; the labels pick <span class="mono">{}</span>.)"
        R"( Regret is the label-based number the labels' pick reaches minus what the )"
        R"({} pick reaches.</p>)",
        EscapeHtml(MetricName(data)), EscapeHtml(label_of(v.picked)), EscapeHtml(label_of(v.best)),
        EscapeHtml(MetricName(data)));
  }
  svg::Plot plot;
  plot.panel = "validation";
  plot.title = MetricName(data) + " against " + v.label;
  plot.x.label = MetricName(data) + " (mean over seeds)";
  plot.y.label = v.label;
  plot.width = 600;
  plot.height = 380;
  plot.annotations = {"ρ = " + Optional(v.spearman) + ", τ = " + Optional(v.kendall),
                      "regret = " + (v.regret ? FormatValue(*v.regret) : std::string("n/a"))};
  std::vector<std::size_t> shown;
  for (const bool highlighted : {false, true}) {
    for (const ReportValidation::Point& p : v.points) {
      const auto it = index.find(p.config_id);
      const bool on = it != index.end() && colours.highlighted[it->second];
      if (on != highlighted) continue;
      if (it != index.end()) shown.push_back(it->second);
      svg::Series s;
      s.kind = "configuration";
      s.config_id = p.config_id;
      s.colour = it == index.end() ? kGrey : colours.colour[it->second];
      s.line = false;
      s.markers = true;
      s.width = p.config_id == v.picked || p.config_id == v.best ? 3.5 : 2;
      s.points.emplace_back(p.score, p.label);
      std::string role;
      if (p.config_id == v.picked) role += "\npicked by " + MetricName(data);
      if (p.config_id == v.best) role += "\nbest by " + v.label;
      s.point_titles.push_back(fmt::format("{}\n{} {}, {} {}{}", label_of(p.config_id),
                                           MetricName(data), FormatValue(p.score), v.label,
                                           FormatValue(p.label), role));
      plot.series.push_back(std::move(s));
    }
  }
  out += "<div class=\"grid wide\"><figure>" + svg::Render(plot) + Legend(data, colours, shown) +
         "</figure></div>";
  if (!v.notes.empty()) {
    out += R"(<ul class="notes">)";
    for (const std::string& note : v.notes) out += "<li>" + EscapeHtml(note) + "</li>";
    out += "</ul>";
  }
  return out + "</section>";
}

}  // namespace rankme::report::html
