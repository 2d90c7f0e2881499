// The HTML report's page: head with its Content-Security-Policy, the recommendation, the panels
// in order, settings and the script.
#include <fmt/format.h>

#include "rankme/report/number_format.h"
#include "report/html_internal.h"

namespace rankme::report {

namespace html {

namespace {

std::string PickBox(const ReportData& data, const std::string* group) {
  const ReportConfiguration* pick = nullptr;
  std::size_t ranked = 0;
  for (std::size_t i : GroupMembers(data, group)) {
    const ReportConfiguration& c = data.configurations[i];
    if (!c.rank) continue;
    ++ranked;
    if (pick == nullptr || *c.rank < *pick->rank) pick = &c;
  }
  const std::string where =
      group ? fmt::format(" among {} = {}", EscapeHtml(data.within), EscapeHtml(*group)) : "";
  if (pick == nullptr) {
    return fmt::format(
        R"(<div class="pick warn"><div class="what">No configuration{} has a value yet</div>)"
        R"(<div class="why">See <a href="#problems">failures and flags</a>.</div></div>)",
        where);
  }
  std::string why = fmt::format(
      "{} {} over {} seed{} ({} checkpoint of each run); rank 1 of {} configuration{}{}.",
      EscapeHtml(MetricName(data)), FormatMeanStd(pick->mean, pick->std), pick->n,
      pick->n == 1 ? "" : "s",
      EscapeHtml(Setting(data, "checkpoint").empty() ? std::string("chosen")
                                                     : Setting(data, "checkpoint")),
      ranked, ranked == 1 ? "" : "s", EscapeHtml(", " + data.direction));
  if (!pick->flags.empty()) {
    why += " Flagged:";
    for (const std::string& reason : pick->flag_reasons) {
      why += ' ';
      why += EscapeHtml(reason);
    }
  }
  return fmt::format(
      R"(<div class="pick{}" data-config="{}"><div class="what">Pick configuration{}: )"
      R"(<span class="mono">{}</span></div><div class="why">{} <span class="mono">id {}</span>)"
      R"(</div></div>)",
      pick->flags.empty() ? "" : " warn", EscapeHtml(pick->config_id), where,
      EscapeHtml(ConfigLabel(data, *pick)), why, EscapeHtml(pick->config_id));
}

}  // namespace

std::string RenderSummary(const ReportData& data) {
  std::size_t runs = 0, points = 0;
  for (const ReportConfiguration& c : data.configurations) {
    runs += c.runs.size();
    for (const ReportRun& r : c.runs) points += r.series.size();
  }
  std::string out = "<header>";
  out += "<h1>" + EscapeHtml(data.title) + "</h1>";
  out += fmt::format(
      R"(<p class="sub">{} of <b>{}</b> · {} configuration{} · {} run{} · {} scored checkpoint{})",
      EscapeHtml(MetricName(data)), EscapeHtml(data.tensor.empty() ? "?" : data.tensor),
      data.configurations.size(), data.configurations.size() == 1 ? "" : "s", runs,
      runs == 1 ? "" : "s", points, points == 1 ? "" : "s");
  if (!data.failures.empty()) {
    out += fmt::format(R"( · <a href="#problems">{} problem{}</a>)", data.failures.size(),
                       data.failures.size() == 1 ? "" : "s");
  }
  out += "</p>";
  if (data.groups.empty() || data.within.empty()) {
    out += PickBox(data, nullptr);
  } else {
    for (const std::string& group : data.groups) out += PickBox(data, &group);
  }
  if (!data.notes.empty()) {
    out += R"(<ul class="notes">)";
    for (const std::string& note : data.notes) out += "<li>" + EscapeHtml(note) + "</li>";
    out += "</ul>";
  }
  out += R"(<nav><a href="#leaderboard">Leaderboard</a><a href="#training">Training</a>)"
         R"(<a href="#spectra">Spectra</a><a href="#marginals">Hyperparameters</a>)";
  if (data.validation) out += R"(<a href="#validation">Validation</a>)";
  if (!data.signals.empty()) out += R"(<a href="#signals">Metrics side by side</a>)";
  out += R"(<a href="#problems">Failures and flags</a><a href="#settings">Settings</a></nav>)";
  return out + "</header>";
}

std::string RenderSettings(const ReportData& data) {
  std::string out = R"(<section id="settings"><h2>Settings</h2><dl class="settings">)";
  for (const auto& [name, value] : data.settings) {
    out += "<dt>" + EscapeHtml(name) + "</dt><dd class=\"mono\">" + EscapeHtml(value) + "</dd>";
  }
  out += "</dl>";
  return out + "</section>";
}

}  // namespace html

std::string RenderHtmlReport(const ReportData& data, const HtmlReportOptions& options) {
  const html::Colours colours = html::AssignColours(data, options);
  std::string out;
  out.reserve(1 << 16);
  out += "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n";
  // Nothing may be fetched: no network, no other file. Only the page's own script (by hash),
  // inline styles and data: images.
  out += fmt::format(
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
      "style-src 'unsafe-inline'; img-src data:; script-src 'sha256-{}'; base-uri 'none'; "
      "form-action 'none'\">\n",
      html::kScriptSha256);
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += "<meta name=\"referrer\" content=\"no-referrer\">\n";
  // Appended piece by piece: GCC 12 at -O3 warns (wrongly) about chains of string + string.
  out += "<meta name=\"generator\" content=\"rankme ";
  out += EscapeHtml(RANKME_VERSION);
  out += "\">\n<title>";
  out += EscapeHtml(data.title);
  out += "</title>\n<style>";
  out += html::kStyle;
  out += "</style>\n</head>\n<body>\n<main>\n";
  out += html::RenderSummary(data) + "\n";
  out += html::RenderLeaderboard(data, colours) + "\n";
  out += html::RenderTrajectories(data, colours) + "\n";
  out += html::RenderSpectra(data, colours, options) + "\n";
  out += html::RenderMarginals(data, colours) + "\n";
  if (data.validation) out += html::RenderValidation(data, colours) + "\n";
  if (!data.signals.empty()) out += html::RenderSignals(data) + "\n";
  out += html::RenderProblems(data) + "\n";
  out += html::RenderSettings(data) + "\n";
  out += "<footer>Written by rankme ";
  out += EscapeHtml(RANKME_VERSION);
  out += ". One self-contained file: it loads nothing from anywhere.</footer>\n</main>\n<script>";
  out += html::kScript;
  out += "</script>\n</body></html>\n";
  return out;
}

}  // namespace rankme::report
