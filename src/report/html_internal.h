#pragma once

// Pieces of the HTML report shared by its panels (src/report/html_*.cpp). Each panel is a pure
// function of ReportData that returns one <section>.

#include <optional>
#include <string>
#include <vector>

#include "rankme/report/html_report.h"

namespace rankme::report::html {

/// The colours of the configurations: the best `highlighted` of each group get the Okabe–Ito
/// palette (distinguishable with the common colour-vision deficiencies), the others grey.
struct Colours {
  std::vector<std::string> colour;  ///< by index into ReportData::configurations
  std::vector<bool> highlighted;    ///< same indexing
};
Colours AssignColours(const ReportData& data, const HtmlReportOptions& options);

/// The palette's size: how many configurations per group can be told apart by colour.
std::size_t PaletteSize();

/// Grey used for configurations beyond the palette.
inline constexpr const char* kGrey = "#a3a3a3";

/// A hyperparameter key as a column or axis name: its last dotted component when that is unique
/// among `keys`, else the whole key.
std::string ShortKey(const std::string& key, const std::vector<std::string>& keys);

/// "lr=0.001, method=vicreg": the varying hyperparameters the configuration has (every one when
/// none varies; its config_id when it has none).
std::string ConfigLabel(const ReportData& data, const ReportConfiguration& configuration);

/// The display value of `key` in `configuration`, or empty when it has no such key.
std::optional<std::string> ValueOf(const ReportConfiguration& configuration,
                                   const std::string& key);

/// `text` as a number when all of it is one (e.g. "0.001", "256"); else empty.
std::optional<double> AsNumber(const std::string& text);

/// The value of the setting `name` (ReportData::settings), or "".
std::string Setting(const ReportData& data, const std::string& name);

/// The metric's name for people, e.g. RankMe.
std::string MetricName(const ReportData& data);

/// An HTML legend: one swatch per highlighted configuration among `indices`, then one grey swatch
/// for the others (when any). Items carry data-config so hovering highlights the configuration.
std::string Legend(const ReportData& data, const Colours& colours,
                   const std::vector<std::size_t>& indices);

/// Indices of the configurations of `group` (every configuration when `group` is unset).
std::vector<std::size_t> GroupMembers(const ReportData& data, const std::string* group);

// The panels, in page order.
std::string RenderSummary(const ReportData& data);
std::string RenderLeaderboard(const ReportData& data, const Colours& colours);
/// Every run in a folded table (part of the leaderboard section).
std::string RenderRuns(const ReportData& data);
std::string RenderTrajectories(const ReportData& data, const Colours& colours);
std::string RenderSpectra(const ReportData& data, const Colours& colours,
                          const HtmlReportOptions& options);
std::string RenderMarginals(const ReportData& data, const Colours& colours);
std::string RenderValidation(const ReportData& data, const Colours& colours);
/// "Metrics side by side": every signal's pick per group, and its agreement with the labels.
std::string RenderSignals(const ReportData& data);
std::string RenderProblems(const ReportData& data);
std::string RenderSettings(const ReportData& data);

/// The page's stylesheet and script (src/report/html_assets.cpp).
extern const char* const kStyle;
extern const char* const kScript;
/// base64 of the SHA-256 of kScript, named in the Content-Security-Policy so that the page runs
/// that script and no other. Any change to kScript must update it (a test checks the pair).
extern const char* const kScriptSha256;

}  // namespace rankme::report::html
