// Every run of the report, folded away under the leaderboard: name, configuration, seed, value and
// the checkpoint it came from.
#include <fmt/format.h>

#include "rankme/report/number_format.h"
#include "report/html_internal.h"

namespace rankme::report::html {

std::string RenderRuns(const ReportData& data) {
  std::size_t count = 0;
  std::string rows;
  for (const ReportConfiguration& c : data.configurations) {
    const std::string label = EscapeHtml(ConfigLabel(data, c));
    for (const ReportRun& r : c.runs) {
      ++count;
      rows += fmt::format(
          R"(<tr data-config="{}"><td class="mono run">{}</td><td>{}</td><td class="num">{}</td>)"
          R"(<td class="num" data-v="{}">{}</td><td>{}</td><td class="num">{}</td></tr>)",
          EscapeHtml(c.config_id), EscapeHtml(r.name), label, EscapeHtml(r.seed),
          r.value ? FormatScore(*r.value) : "", r.value ? FormatValue(*r.value) : "–",
          EscapeHtml(r.value ? r.checkpoint : r.status + ": " + r.reason), r.series.size());
    }
  }
  return fmt::format(
      R"(<details class="runs"><summary>All {} runs</summary><div class="tablewrap">)"
      R"(<table class="sortable" id="runs-all"><thead><tr><th>run</th><th>configuration</th>)"
      R"(<th class="num" data-type="num">seed</th><th class="num" data-type="num">{}</th>)"
      R"(<th>checkpoint</th><th class="num" data-type="num">checkpoints scored</th></tr></thead>)"
      R"(<tbody>{}</tbody></table></div></details>)",
      count, EscapeHtml(MetricName(data)), rows);
}

}  // namespace rankme::report::html
