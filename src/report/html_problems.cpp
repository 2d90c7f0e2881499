// The problems panel: flagged configurations, runs without a value, and every tensor that
// could not be scored, each with its reason.
#include <fmt/format.h>

#include "report/html_internal.h"

namespace rankme::report::html {

namespace {

// Beyond this many failure rows the table stops (the database keeps them all).
constexpr std::size_t kMaxFailureRows = 2000;

}  // namespace

std::string RenderProblems(const ReportData& data) {
  std::string out = R"(<section id="problems"><h2>Failures and flags</h2>)";
  std::string flagged;
  for (const ReportConfiguration& c : data.configurations) {
    if (c.flags.empty()) continue;
    flagged += fmt::format(R"(<tr data-config="{}"><td>{}</td><td>)", EscapeHtml(c.config_id),
                           EscapeHtml(ConfigLabel(data, c)));
    for (const std::string& flag : c.flags) {
      flagged +=
          fmt::format(R"(<span class="flag {}">{}</span>)", EscapeHtml(flag), EscapeHtml(flag));
    }
    flagged += "</td><td>";
    for (const std::string& reason : c.flag_reasons) flagged += EscapeHtml(reason) + " ";
    flagged += "</td></tr>";
  }
  std::string runs;
  for (const ReportConfiguration& c : data.configurations) {
    for (const ReportRun& r : c.runs) {
      if (r.value) continue;
      runs += fmt::format(
          R"(<tr data-config="{}"><td>{}</td><td>{}</td><td><span class="flag {}">{}</span>)"
          R"(</td><td>{}</td></tr>)",
          EscapeHtml(c.config_id), EscapeHtml(r.name), EscapeHtml(ConfigLabel(data, c)),
          EscapeHtml(r.status), EscapeHtml(r.status), EscapeHtml(r.reason));
    }
  }
  if (flagged.empty() && runs.empty() && data.failures.empty()) {
    out += R"(<p class="hint">None: every checkpoint was scored and no configuration is flagged.)"
           R"(</p>)";
    return out + "</section>";
  }
  if (!flagged.empty()) {
    out += R"(<h3>Flagged configurations</h3><div class="tablewrap"><table class="sortable" )"
           R"(id="flags-table"><thead><tr><th>configuration</th><th>flags</th><th>why</th>)"
           R"(</tr></thead><tbody>)" +
           flagged + "</tbody></table></div>";
  }
  if (!runs.empty()) {
    out += R"(<h3>Runs without a value</h3><div class="tablewrap"><table class="sortable" )"
           R"(id="runs-table"><thead><tr><th>run</th><th>configuration</th><th>status</th>)"
           R"(<th>why</th></tr></thead><tbody>)" +
           runs + "</tbody></table></div>";
  }
  if (!data.failures.empty()) {
    out += fmt::format(
        R"(<h3>Files that could not be scored ({})</h3><div class="tablewrap">)"
        R"(<table class="sortable" id="failures-table"><thead><tr><th>run</th><th>checkpoint</th>)"
        R"(<th>tensor</th><th>status</th><th>kind</th><th>reason</th></tr></thead><tbody>)",
        data.failures.size());
    for (std::size_t i = 0; i < data.failures.size() && i < kMaxFailureRows; ++i) {
      const ReportFailure& f = data.failures[i];
      out += fmt::format(
          R"(<tr><td>{}</td><td>{}</td><td>{}</td><td><span class="flag {}">{}</span></td>)"
          R"(<td>{}</td><td>{}</td></tr>)",
          EscapeHtml(f.run), EscapeHtml(f.checkpoint),
          EscapeHtml(f.tensor.empty() ? "–" : f.tensor), EscapeHtml(f.status), EscapeHtml(f.status),
          EscapeHtml(f.kind), EscapeHtml(f.message));
    }
    out += "</tbody></table></div>";
    if (data.failures.size() > kMaxFailureRows) {
      out += fmt::format(R"(<p class="hint">The first {} are shown; <code>rankme runs</code> and )"
                         R"(<code>rankme show RUN</code> list them all.</p>)",
                         kMaxFailureRows);
    }
  }
  return out + "</section>";
}

}  // namespace rankme::report::html
