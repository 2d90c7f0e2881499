// Leaderboard and marginals as terminal tables, Markdown, CSV, JSON and LaTeX.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "app/json_text_internal.h"
#include "app/selection_internal.h"
#include "rankme/app/selection.h"
#include "rankme/report/number_format.h"
#include "rankme/report/table.h"
#include "rankme/report/table_formats.h"

namespace rankme::app {

namespace {

using report::Table;
using A = Table::Align;

nlohmann::json Hyperparameters(const std::map<std::string, std::string>& values) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [key, literal] : values) {
    out[key] = internal::StoredJson(literal);
  }
  return out;
}

std::vector<std::string> ShownKeys(const ranking::Leaderboard& board) {
  std::vector<std::string> keys;
  for (const auto& key : board.varying_keys) {
    if (key != board.within) keys.push_back(key);
  }
  return keys;
}

}  // namespace

// CSV keeps every digit (for scripts); the other text formats show the digits a person can
// compare: rounded at the seed spread's second significant digit when there is one, else four
// significant digits.
std::string ExportNumber(double value, ExportFormat format, std::optional<double> spread) {
  return format == ExportFormat::kCsv ? fmt::format("{:.17g}", value)
                                      : report::FormatWithSpread(value, spread);
}

std::string ExportOptional(const std::optional<double>& value, ExportFormat format) {
  return value ? ExportNumber(*value, format) : "";
}

std::string RenderTableAs(const Table& table, ExportFormat format, const std::string& caption) {
  switch (format) {
    case ExportFormat::kMarkdown:
      return report::RenderMarkdown(table);
    case ExportFormat::kCsv:
      return report::RenderCsv(table);
    case ExportFormat::kLatex:
      return report::RenderLatex(table, {caption, ""});
    default:
      return report::RenderText(table);
  }
}

nlohmann::json OptionalJson(const std::optional<double>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

nlohmann::json ConfigurationJson(const ranking::ConfigurationRow& row) {
  nlohmann::json runs = nlohmann::json::array();
  for (const auto& run : row.runs) {
    nlohmann::json checkpoints = nlohmann::json::array();
    for (std::size_t i : run.used) checkpoints.push_back(run.checkpoints[i].checkpoint);
    nlohmann::json files = nlohmann::json::array();
    for (const auto& f : run.files) files.push_back(internal::StoredJson(f));
    runs.push_back({{"run", run.run},
                    {"seed", run.seed ? nlohmann::json(*run.seed) : nlohmann::json(nullptr)},
                    {"value", OptionalJson(run.value)},
                    {"status", std::string(ranking::ValueStatusName(run.status))},
                    {"reason", run.reason},
                    {"checkpoints", checkpoints},
                    {"files", files}});
  }
  return {{"config_id", row.config_id},
          {"rank", row.rank ? nlohmann::json(*row.rank) : nlohmann::json(nullptr)},
          {"group", row.group.empty() ? nlohmann::json(nullptr) : internal::StoredJson(row.group)},
          {"hyperparameters", Hyperparameters(row.hyperparameters)},
          {"n", row.summary.n},
          {"mean", row.summary.n ? nlohmann::json(row.summary.mean) : nlohmann::json(nullptr)},
          {"std", OptionalJson(row.summary.std)},
          {"min", row.summary.n ? nlohmann::json(row.summary.min) : nlohmann::json(nullptr)},
          {"max", row.summary.n ? nlohmann::json(row.summary.max) : nlohmann::json(nullptr)},
          {"rows", row.rows},
          {"cols", row.cols},
          {"flags", row.flags.Names()},
          {"flag_reasons", row.flag_reasons},
          {"runs", runs}};
}

nlohmann::json BoardJson(const ranking::Leaderboard& board) {
  return {
      {"metric", board.metric},
      {"direction", board.order.Describe()},
      {"tensor", board.tensor},
      {"tensor_defaulted", board.tensor_defaulted},
      {"checkpoint", board.checkpoint.ToString()},
      {"within", board.within.empty() ? nlohmann::json(nullptr) : nlohmann::json(board.within)},
      {"settings", nlohmann::json::parse(board.settings_key.empty() ? "null" : board.settings_key,
                                         nullptr, false)},
      {"rows", board.rows},
      {"varying_keys", board.varying_keys},
      {"hidden_keys", board.hidden_keys},
      {"notes", board.notes}};
}

std::string RenderLeaderboard(const ranking::Leaderboard& board, ExportFormat format,
                              std::size_t top) {
  std::map<std::string, std::size_t> shown;
  auto keep = [&](const ranking::ConfigurationRow& row) {
    return top == 0 || shown[row.group]++ < top;
  };
  if (format == ExportFormat::kJson) {
    nlohmann::json out = BoardJson(board);
    out["configurations"] = nlohmann::json::array();
    for (const auto& row : board.configurations) {
      if (keep(row)) out["configurations"].push_back(ConfigurationJson(row));
    }
    return internal::JsonDocument(out);
  }
  const auto keys = ShownKeys(board);
  Table table;
  table.headers = {"rank"};
  table.align = {A::kRight};
  if (!board.within.empty()) {
    table.headers.push_back(board.within);
    table.align.push_back(A::kLeft);
  }
  for (const auto& key : keys) {
    table.headers.push_back(key);
    table.align.push_back(A::kLeft);
  }
  for (const char* h : {"mean", "std", "n", "min", "max"}) {
    table.headers.emplace_back(h);
    table.align.push_back(A::kRight);
  }
  table.headers.insert(table.headers.end(), {"flags", "config"});
  for (const auto& row : board.configurations) {
    if (!keep(row)) continue;
    std::vector<std::string> cells = {row.rank ? std::to_string(*row.rank) : "-"};
    if (!board.within.empty()) cells.push_back(ranking::DisplayValue(row.group));
    for (const auto& key : keys) {
      const auto it = row.hyperparameters.find(key);
      cells.push_back(it == row.hyperparameters.end() ? "-" : ranking::DisplayValue(it->second));
    }
    const bool has = row.summary.n > 0;
    const std::optional<double> spread = row.summary.std;
    cells.push_back(has ? ExportNumber(row.summary.mean, format, spread) : "");
    cells.push_back(spread ? ExportNumber(*spread, format, spread) : "");
    cells.push_back(std::to_string(row.summary.n));
    cells.push_back(has ? ExportNumber(row.summary.min, format, spread) : "");
    cells.push_back(has ? ExportNumber(row.summary.max, format, spread) : "");
    cells.push_back(fmt::format("{}", fmt::join(row.flags.Names(), " ")));
    cells.push_back(row.config_id);
    table.rows.push_back(std::move(cells));
  }
  return RenderTableAs(
      table, format,
      fmt::format("{} of {} ({} checkpoint), mean over seeds; {}", board.metric, board.tensor,
                  board.checkpoint.ToString(), board.order.Describe()));
}

std::string RenderMarginals(const ranking::Leaderboard& board,
                            const std::vector<ranking::MarginalRow>& rows, ExportFormat format) {
  if (format == ExportFormat::kJson) {
    nlohmann::json out = BoardJson(board);
    out["marginals"] = nlohmann::json::array();
    for (const auto& m : rows) {
      out["marginals"].push_back(
          {{"group", m.group.empty() ? nlohmann::json(nullptr) : internal::StoredJson(m.group)},
           {"key", m.key},
           {"value", internal::StoredJson(m.value)},
           {"configurations", m.configurations},
           {"runs", m.runs},
           {"mean", m.mean},
           {"best", m.best}});
    }
    return internal::JsonDocument(out);
  }
  Table table;
  if (!board.within.empty()) table.headers.push_back(board.within);
  table.headers.insert(table.headers.end(),
                       {"hyperparameter", "value", "configurations", "runs", "mean", "best"});
  table.align.assign(table.headers.size() - 4, A::kLeft);
  table.align.insert(table.align.end(), 4, A::kRight);
  for (const auto& m : rows) {
    std::vector<std::string> cells;
    if (!board.within.empty()) cells.push_back(ranking::DisplayValue(m.group));
    cells.insert(cells.end(), {m.key, ranking::DisplayValue(m.value),
                               std::to_string(m.configurations), std::to_string(m.runs),
                               ExportNumber(m.mean, format), ExportNumber(m.best, format)});
    table.rows.push_back(std::move(cells));
  }
  return RenderTableAs(
      table, format,
      fmt::format("mean {} of {} per hyperparameter value", board.metric, board.tensor));
}

}  // namespace rankme::app
