// The leaderboard panel: one sortable row per configuration.
#include <fmt/format.h>

#include "rankme/report/number_format.h"
#include "report/html_internal.h"

namespace rankme::report::html {

namespace {

// A column is numeric when every configuration's value is a number (or absent).
bool NumericKey(const ReportData& data, const std::string& key) {
  for (const ReportConfiguration& c : data.configurations) {
    const auto value = ValueOf(c, key);
    if (value && !AsNumber(*value)) return false;
  }
  return true;
}

std::string SeedsCell(const ReportConfiguration& c) {
  std::string text, title;
  for (const ReportRun& run : c.runs) {
    const std::string seed = run.seed.empty() ? run.name : "seed " + run.seed;
    const std::string value = run.value ? FormatScore(*run.value) : run.status;
    if (!text.empty()) text += ", ";
    text += run.value ? fmt::format("{:.4g}", *run.value) : run.status;
    title += fmt::format("{}: {} — {} {}\n", seed, value, run.name,
                         run.checkpoint.empty() ? run.reason : "@ " + run.checkpoint);
  }
  if (!title.empty()) title.pop_back();
  return fmt::format(R"(<td class="seeds" title="{}">{}</td>)", EscapeHtml(title),
                     EscapeHtml(text));
}

}  // namespace

std::string RenderLeaderboard(const ReportData& data, const Colours& colours) {
  std::string out = R"(<section id="leaderboard"><h2>Leaderboard</h2>)";
  out += fmt::format(
      R"(<p class="hint">One row per configuration, its seeds aggregated as mean ± sample )"
      R"(standard deviation. Click a column to sort; hover a row to find the configuration in )"
      R"(every plot.{}</p>)",
      data.within.empty() ? ""
                          : " Ranks are within each value of " + EscapeHtml(data.within) + ".");
  std::vector<std::string> keys = data.varying_keys;
  if (keys.empty() && !data.configurations.empty()) {
    for (const auto& [k, v] : data.configurations.front().hyperparameters) keys.push_back(k);
  }
  out +=
      R"(<div class="tablewrap tall"><table class="sortable" id="leaderboard-table"><thead><tr>)";
  out += R"(<th class="num" data-type="num" data-key="rank">rank</th>)";
  for (const std::string& key : keys) {
    const bool numeric = NumericKey(data, key);
    out += fmt::format(R"(<th{} data-key="param" title="{}">{}</th>)",
                       numeric ? R"( class="num" data-type="num")" : "", EscapeHtml(key),
                       EscapeHtml(ShortKey(key, keys)));
  }
  out += fmt::format(R"(<th class="num" data-type="num" data-key="score">{} (mean ± std)</th>)"
                     R"(<th class="num" data-type="num" data-key="n">seeds</th>)"
                     R"(<th data-key="values">per seed</th><th data-key="flags">flags</th>)"
                     R"(<th data-key="id">id</th></tr></thead><tbody>)",
                     EscapeHtml(MetricName(data)));
  for (std::size_t i = 0; i < data.configurations.size(); ++i) {
    const ReportConfiguration& c = data.configurations[i];
    out += fmt::format(R"(<tr data-config="{}"{}>)", EscapeHtml(c.config_id),
                       c.rank == 1 ? R"( class="best")" : "");
    const std::string swatch =
        fmt::format(R"(<span class="swatch" style="background:{}"></span>)", colours.colour[i]);
    out += fmt::format(R"(<td class="num" data-v="{}">{}{}</td>)",
                       c.rank ? std::to_string(*c.rank) : "", swatch,
                       c.rank ? std::to_string(*c.rank) : "–");
    for (const std::string& key : keys) {
      const std::string value = ValueOf(c, key).value_or("");
      const bool numeric = AsNumber(value).has_value();
      out += fmt::format(R"(<td{}>{}</td>)", numeric ? R"( class="num")" : "", EscapeHtml(value));
    }
    if (c.n != 0) {
      out += fmt::format(R"(<td class="num score" data-v="{}" title="mean {}{}">{}</td>)",
                         FormatScore(c.mean), FormatScore(c.mean),
                         c.std ? ", std " + FormatScore(*c.std) : "", FormatMeanStd(c.mean, c.std));
    } else {
      out += R"(<td class="num score" data-v="">–</td>)";
    }
    out += fmt::format(R"(<td class="num">{}/{}</td>)", c.n, c.runs.size());
    out += SeedsCell(c);
    out += "<td>";
    for (std::size_t f = 0; f < c.flags.size(); ++f) {
      out += fmt::format(R"(<span class="flag {}" title="{}">{}</span>)", EscapeHtml(c.flags[f]),
                         f < c.flag_reasons.size() ? EscapeHtml(c.flag_reasons[f]) : "",
                         EscapeHtml(c.flags[f]));
    }
    out += "</td>";
    out += "<td class=\"mono\">" + EscapeHtml(c.config_id) + "</td></tr>";
  }
  return out + "</tbody></table></div>" + RenderRuns(data) + "</section>";
}

}  // namespace rankme::report::html
