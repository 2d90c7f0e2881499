// The spectra panel: singular values against their index (log–log) at the chosen checkpoint of
// each seed of the best configurations.
#include <fmt/format.h>

#include <cmath>
#include <map>
#include <set>

#include "rankme/report/number_format.h"
#include "report/html_internal.h"
#include "report/svg_plot_internal.h"

namespace rankme::report::html {

namespace {

// Indices 0 … n-1 to draw: all when n <= limit, else about `limit` log-spaced ones including the
// first and the last (a log-scaled x axis spreads the tail, so evenly spaced indices would waste
// points there).
std::vector<std::size_t> Thin(std::size_t n, std::size_t limit) {
  std::vector<std::size_t> out;
  if (n <= limit || limit < 2) {
    for (std::size_t i = 0; i < n; ++i) out.push_back(i);
    return out;
  }
  const double span = std::log(static_cast<double>(n));
  std::size_t previous = n;
  for (std::size_t k = 0; k < limit; ++k) {
    const double t = static_cast<double>(k) / static_cast<double>(limit - 1);
    auto i = static_cast<std::size_t>(std::llround(std::exp(t * span))) - 1;
    i = std::min(i, n - 1);
    if (i != previous) out.push_back(i);
    previous = i;
  }
  if (out.back() != n - 1) out.push_back(n - 1);
  return out;
}

}  // namespace

std::string RenderSpectra(const ReportData& data, const Colours& colours,
                          const HtmlReportOptions& options) {
  std::string out = R"(<section id="spectra"><h2>Spectra of the best configurations</h2>)";
  out += fmt::format(
      R"(<p class="hint">Singular values σ<sub>k</sub> of the {} at the checkpoint each run is )"
      R"(ranked by, against k, both axes logarithmic. A flat, long spectrum is a high RankMe; a )"
      R"(steep drop or a short one is (dimensional) collapse. One line per seed.</p>)",
      EscapeHtml(data.tensor.empty() ? std::string("embeddings") : data.tensor));
  std::map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < data.configurations.size(); ++i) {
    index[data.configurations[i].config_id] = i;
  }
  svg::Plot plot;
  plot.panel = "spectra";
  plot.title = "Singular values at the ranked checkpoint";
  plot.x.label = "index k";
  plot.x.log = true;
  plot.y.label = "singular value σ_k";
  plot.y.log = true;
  plot.width = 600;
  plot.height = 380;
  std::vector<std::size_t> shown;
  std::set<std::string> seen;
  std::map<std::string, int> seed_of_config;
  for (const ReportSpectrum& spectrum : data.spectra) {
    const auto it = index.find(spectrum.config_id);
    if (it == index.end() || spectrum.singular_values.empty()) continue;
    const std::size_t i = it->second;
    const ReportConfiguration& c = data.configurations[i];
    if (seen.insert(c.config_id).second) shown.push_back(i);
    svg::Series s;
    s.kind = "spectrum";
    s.config_id = c.config_id;
    s.colour = colours.colour[i];
    s.width = 1.6;
    // Seeds of one configuration share its colour; dashes tell the second and third apart.
    static const char* const kDashes[] = {"", "6 3", "2 2", "8 3 2 3"};
    s.dash = kDashes[seed_of_config[c.config_id]++ % 4];
    const auto& sigma = spectrum.singular_values;
    std::size_t positive = 0;
    for (double v : sigma) positive += v > 0 ? 1 : 0;
    for (std::size_t k : Thin(sigma.size(), options.spectrum_points)) {
      s.points.emplace_back(static_cast<double>(k + 1), sigma[k]);
    }
    s.title = fmt::format("{}\nrun {} at {}\nσ_1 = {}, σ_{} = {}; {} of {} values above zero",
                          ConfigLabel(data, c), spectrum.run, spectrum.checkpoint,
                          FormatScore(sigma.front()), sigma.size(), FormatScore(sigma.back()),
                          positive, sigma.size());
    plot.series.push_back(std::move(s));
  }
  if (shown.empty()) {
    out += R"(<p class="hint">No spectrum is stored for the ranked checkpoints.</p>)";
  }
  out += "<div class=\"grid wide\"><figure>" + svg::Render(plot);
  out += Legend(data, colours, shown);
  return out + "</figure></div></section>";
}

}  // namespace rankme::report::html
