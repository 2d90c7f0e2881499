// The "metrics side by side" panel: what every scored signal (metric × tensor) picks in each
// group, whether that is the report's pick, and with labels how far each signal can be trusted.
#include <fmt/format.h>

#include "rankme/report/number_format.h"
#include "report/html_internal.h"

namespace rankme::report::html {

namespace {

std::string Fixed(const std::optional<double>& v) {
  return v ? fmt::format("{:.3f}", *v) : std::string("n/a");
}

// The pick as the other panels name it (its varying hyperparameters), else its id.
std::string PickName(const ReportData& data, const std::string& config_id) {
  for (const ReportConfiguration& c : data.configurations) {
    if (c.config_id == config_id) return ConfigLabel(data, c);
  }
  return config_id;
}

// "closer to 1" of "closer to 1 is better": the column says "better".
std::string Better(const std::string& direction) {
  const std::string suffix = " is better";
  if (direction.size() > suffix.size() &&
      direction.compare(direction.size() - suffix.size(), suffix.size(), suffix) == 0) {
    return direction.substr(0, direction.size() - suffix.size());
  }
  return direction;
}

std::string SignalRow(const ReportData& data, const ReportSignal& s, bool grouped, bool labelled) {
  std::string out = fmt::format(R"(<tr data-config="{}"{}>)", EscapeHtml(s.config_id),
                                s.ranked ? R"( class="best")" : "");
  if (grouped) out += "<td>" + EscapeHtml(s.group) + "</td>";
  out += fmt::format(
      R"(<td class="mono">{}{}</td><td class="mono">{}</td><td style="white-space:nowrap">{}</td>)",
      EscapeHtml(s.metric), s.ranked ? " (ranked)" : "", EscapeHtml(s.tensor),
      EscapeHtml(Better(s.direction)));
  if (s.config_id.empty()) {
    out += R"(<td colspan="3" class="nodata">no configuration has a value</td>)";
  } else {
    // The id (short, as the leaderboard's last column shows it); its hyperparameters on hover.
    out += fmt::format(R"(<td class="mono" title="{}">{}</td><td class="num">{}</td><td>{}</td>)",
                       EscapeHtml(PickName(data, s.config_id)), EscapeHtml(s.config_id),
                       FormatMeanStd(s.mean, s.std),
                       s.agrees ? "same pick" : R"(<span class="flag mixed">differs</span>)");
  }
  if (labelled) {
    out += fmt::format(
        R"(<td class="num">{}{}</td><td class="num">{}</td><td class="num">{}</td>)"
        R"(<td class="num">{}</td><td>{}</td>)",
        Fixed(s.spearman), s.goodness ? "*" : "", Fixed(s.kendall),
        s.regret ? FormatValue(*s.regret) : "n/a", s.labelled,
        s.reversed ? R"(<span class="flag diverged" title="its assumed direction disagrees with )"
                     R"(the labels here">reversed</span>)"
                   : "");
  }
  return out + "</tr>";
}

}  // namespace

std::string RenderSignals(const ReportData& data) {
  const bool grouped = !data.within.empty();
  const bool labelled = data.validation.has_value();
  std::string out = R"(<section id="signals"><h2>Metrics side by side</h2>)";
  out += fmt::format(
      R"(<p class="hint">What every label-free signal (metric × tensor) picks, ranked like the )"
      R"(leaderboard ({} checkpoint of each run), and whether it picks the same configuration as )"
      R"({} of {}. Where they disagree, the pick rests on the choice of signal.{}</p>)",
      EscapeHtml(Setting(data, "checkpoint")), EscapeHtml(MetricName(data)),
      EscapeHtml(data.tensor),
      labelled ? fmt::format(" ρ, τ and regret against <b>{}</b> say which signal the labels "
                             "support: regret is the best {} minus that of the signal's pick.",
                             EscapeHtml(data.validation->label), EscapeHtml(data.validation->label))
               : "");
  out += R"(<div class="tablewrap"><table id="signals-table"><thead><tr>)";
  if (grouped) out += "<th>" + EscapeHtml(data.within) + "</th>";
  out += R"(<th>metric</th><th>tensor</th><th>better</th><th>pick (id; hover for its )"
         R"(hyperparameters)</th>)"
         R"(<th class="num">value (mean ± std)</th><th>vs the report's pick</th>)";
  if (labelled) {
    out += R"(<th class="num">Spearman ρ</th><th class="num">Kendall τ</th>)"
           R"(<th class="num">regret</th><th class="num">configurations</th><th>flag</th>)";
  }
  out += "</tr></thead><tbody>";
  for (const ReportSignal& s : data.signals) out += SignalRow(data, s, grouped, labelled);
  out += "</tbody></table></div>";
  const std::vector<std::string>& notes = data.signal_notes;
  if (!notes.empty()) {
    out += R"(<ul class="notes">)";
    for (const std::string& note : notes) out += "<li>" + EscapeHtml(note) + "</li>";
    out += "</ul>";
  }
  return out + "</section>";
}

}  // namespace rankme::report::html
