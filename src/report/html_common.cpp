// Helpers shared by the panels of the HTML report.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <map>

#include "report/html_internal.h"

namespace rankme::report::html {

namespace {

// Okabe & Ito (2008), without yellow (too pale on white), darkest first.
constexpr std::array<const char*, 7> kPalette = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                                 "#E69F00", "#56B4E9", "#000000"};

}  // namespace

std::size_t PaletteSize() { return kPalette.size(); }

Colours AssignColours(const ReportData& data, const HtmlReportOptions& options) {
  const std::size_t limit = std::min(options.highlighted, kPalette.size());
  Colours colours;
  std::map<std::string, std::size_t> used;  // by group
  for (const ReportConfiguration& c : data.configurations) {
    std::size_t& next = used[c.group];
    const bool on = c.rank.has_value() && next < limit;
    colours.highlighted.push_back(on);
    colours.colour.push_back(on ? kPalette[next] : kGrey);
    if (on) ++next;
  }
  return colours;
}

std::string ShortKey(const std::string& key, const std::vector<std::string>& keys) {
  const auto tail = [](const std::string& k) {
    const auto dot = k.rfind('.');
    return dot == std::string::npos ? k : k.substr(dot + 1);
  };
  const std::string mine = tail(key);
  for (const std::string& other : keys) {
    if (other != key && tail(other) == mine) return key;
  }
  return mine;
}

std::optional<std::string> ValueOf(const ReportConfiguration& configuration,
                                   const std::string& key) {
  for (const auto& [k, v] : configuration.hyperparameters) {
    if (k == key) return v;
  }
  return std::nullopt;
}

std::string ConfigLabel(const ReportData& data, const ReportConfiguration& configuration) {
  std::vector<std::string> keys = data.varying_keys;
  if (keys.empty()) {
    for (const auto& [k, v] : configuration.hyperparameters) keys.push_back(k);
  }
  std::string out;
  for (const std::string& key : keys) {
    const auto value = ValueOf(configuration, key);
    if (!value) continue;  // sweeps of mixed layouts name keys differently
    if (!out.empty()) out += ", ";
    out += ShortKey(key, keys);
    out += '=';
    out += *value;
  }
  return out.empty() ? configuration.config_id : out;
}

std::optional<double> AsNumber(const std::string& text) {
  if (text.empty() || std::isspace(static_cast<unsigned char>(text.front()))) return std::nullopt;
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size() || !std::isfinite(value)) return std::nullopt;
  return value;
}

std::string Setting(const ReportData& data, const std::string& name) {
  for (const auto& [k, v] : data.settings) {
    if (k == name) return v;
  }
  return "";
}

std::string MetricName(const ReportData& data) {
  return data.metric == "rankme" ? "RankMe" : data.metric;
}

std::vector<std::size_t> GroupMembers(const ReportData& data, const std::string* group) {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < data.configurations.size(); ++i) {
    if (group == nullptr || data.configurations[i].group == *group) out.push_back(i);
  }
  return out;
}

std::string Legend(const ReportData& data, const Colours& colours,
                   const std::vector<std::size_t>& indices) {
  std::string out = R"(<ul class="legend">)";
  std::size_t others = 0;
  for (std::size_t i : indices) {
    if (!colours.highlighted[i]) {
      ++others;
      continue;
    }
    const ReportConfiguration& c = data.configurations[i];
    out += fmt::format(
        R"(<li data-config="{}"><span class="swatch" style="background:{}"></span>{}{}</li>)",
        EscapeHtml(c.config_id), colours.colour[i],
        c.rank ? fmt::format("<b>#{}</b> ", *c.rank) : "", EscapeHtml(ConfigLabel(data, c)));
  }
  if (others != 0) {
    out += fmt::format(
        R"(<li class="others"><span class="swatch" style="background:{}"></span>{} other )"
        R"(configuration{} (hover a leaderboard row to find one)</li>)",
        kGrey, others, others == 1 ? "" : "s");
  }
  return out + "</ul>";
}

}  // namespace rankme::report::html
