#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "rankme/app/selection.h"
#include "rankme/ranking/leaderboard.h"
#include "rankme/report/table.h"

namespace rankme::app {

/// One configuration with its runs, checkpoints and files, as the JSON exports write it.
nlohmann::json ConfigurationJson(const ranking::ConfigurationRow& row);
/// What a leaderboard assumed (metric, tensor, policy, settings, notes), as JSON.
nlohmann::json BoardJson(const ranking::Leaderboard& board);

/// A number of an export: CSV keeps every digit (for scripts); the other text formats show the
/// digits a person can compare (rounded at the seed spread's second significant digit when
/// there is one, else four significant digits).
std::string ExportNumber(double value, ExportFormat format,
                         std::optional<double> spread = std::nullopt);
/// ExportNumber of the value, or "" when there is none.
std::string ExportOptional(const std::optional<double>& value, ExportFormat format);
/// `table` as text, Markdown, CSV or LaTeX (`caption` for LaTeX's table float).
std::string RenderTableAs(const report::Table& table, ExportFormat format,
                          const std::string& caption);
/// The value, or null.
nlohmann::json OptionalJson(const std::optional<double>& value);

}  // namespace rankme::app
