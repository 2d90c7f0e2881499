// `rankme best` for people and for scripts.
#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "app/json_text_internal.h"
#include "app/selection_internal.h"
#include "rankme/app/selection.h"
#include "rankme/report/number_format.h"
#include "rankme/report/table.h"

namespace rankme::app {

namespace {

using ranking::ConfigurationRow;
using report::FormatScore;

std::string Hyperparameters(const std::map<std::string, std::string>& values) {
  std::vector<std::string> parts;
  for (const auto& [key, literal] : values) {
    parts.push_back(key + "=" + ranking::DisplayValue(literal));
  }
  return fmt::format("{}", fmt::join(parts, " "));
}

std::string MeanStd(const ranking::Summary& s) {
  if (s.n == 0) return "no value";
  return fmt::format("{} over {} seed{}", report::FormatMeanStd(s.mean, s.std), s.n,
                     s.n == 1 ? "" : "s");
}

std::string Margin(const ranking::Pick& pick, const ranking::ValueOrder& order) {
  if (!pick.margin) return "no runner-up";
  if (pick.tied) return "tied with the runner-up (picked by config id)";
  std::string verdict = "spread unknown (fewer than two seeds)";
  if (pick.within_spread) {
    verdict = *pick.within_spread ? "WITHIN the seed spread (mean ± std intervals overlap)"
                                  : "larger than the seed spread";
  }
  const std::string in_stds =
      pick.margin_in_stds ? fmt::format(" = {:.1f} seed-stds", *pick.margin_in_stds) : "";
  const std::string unit = order.kind == ranking::ValueOrder::Kind::kCloserToTarget
                               ? fmt::format(" (in distance to {:g})", order.target)
                               : "";
  return fmt::format("margin {}{}{}: {}", report::FormatValue(*pick.margin), unit, in_stds,
                     verdict);
}

void Runs(std::string& out, const ConfigurationRow& row) {
  const std::optional<double> spread = row.summary.std;
  for (const auto& run : row.runs) {
    out += fmt::format("    {} (seed {}): ", report::VisibleText(run.run),
                       report::VisibleText(run.seed.value_or("-")));
    if (run.value) {
      std::vector<std::string> names;
      for (std::size_t i : run.used) names.push_back(run.checkpoints[i].checkpoint);
      out += fmt::format("{} at {}\n", report::FormatWithSpread(*run.value, spread),
                         fmt::join(names, ", "));
    } else {
      out += fmt::format("no value: {} ({})\n", ranking::ValueStatusName(run.status), run.reason);
    }
    for (const auto& files : run.files) {
      // Stored as a JSON list (several files when a checkpoint is split into per-rank shards).
      const nlohmann::json list = internal::StoredJson(files);
      if (!list.is_array()) {
        out += fmt::format("      {}\n", report::VisibleText(files));
        continue;
      }
      for (const auto& file : list) {
        out += fmt::format("      {}\n",
                           report::VisibleText(file.is_string() ? file.get<std::string>()
                                                                : internal::JsonText(file)));
      }
    }
  }
}

// "alpha_req of embeddings", with the direction when it is not "higher is better".
std::string SignalName(const SignalSummary& summary) {
  const std::string direction =
      summary.order.IsIdentity() ? "" : fmt::format(" ({})", summary.order.Describe());
  return fmt::format("{}{} of {}", summary.signal.metric, direction,
                     report::VisibleText(summary.signal.tensor));
}

// The hyperparameters of `values` that vary in the sweep (the within key left out): what tells
// a configuration from the others.
std::string VaryingHyperparameters(const ranking::Leaderboard& board,
                                   const std::map<std::string, std::string>& values) {
  std::map<std::string, std::string> shown;
  for (const std::string& key : board.varying_keys) {
    const auto it = values.find(key);
    if (key != board.within && it != values.end()) shown.insert(*it);
  }
  return Hyperparameters(shown.empty() ? values : shown);
}

void SecondOpinions(std::string& out, const BestReport& report, const std::string& group) {
  std::vector<std::pair<std::string, const SignalPick*>> lines;
  std::size_t agree = 0, width = 0;
  for (const SignalSummary& summary : report.second_opinions) {
    for (const SignalPick& pick : summary.picks) {
      if (pick.group != group) continue;
      lines.emplace_back(SignalName(summary), &pick);
      agree += pick.agrees ? 1 : 0;
      width = std::max(width, lines.back().first.size());
    }
  }
  if (lines.empty()) return;
  out += fmt::format(
      "  second opinions (every other metric × tensor, {} checkpoint): {} of {} agree\n",
      report.board.checkpoint.ToString(), agree, lines.size());
  for (const auto& [name, pick] : lines) {
    out += fmt::format("    {:<{}}  ", name, width);
    if (pick->config_id.empty()) {
      out += "no pick\n";
    } else if (pick->agrees) {
      out += fmt::format("same pick, {}\n", MeanStd(pick->summary));
    } else {
      out += fmt::format("DIFFERS: {} ({}), {}\n", pick->config_id,
                         VaryingHyperparameters(report.board, pick->hyperparameters),
                         MeanStd(pick->summary));
    }
  }
}

nlohmann::json SecondOpinionsJson(const BestReport& report) {
  nlohmann::json out = nlohmann::json::array();
  for (const SignalSummary& summary : report.second_opinions) {
    for (const SignalPick& pick : summary.picks) {
      const bool has = !pick.config_id.empty();
      out.push_back(
          {{"metric", summary.signal.metric},
           {"tensor", summary.signal.tensor},
           {"direction", summary.order.Describe()},
           {"group",
            pick.group.empty() ? nlohmann::json(nullptr) : internal::StoredJson(pick.group)},
           {"config_id", has ? nlohmann::json(pick.config_id) : nlohmann::json(nullptr)},
           {"agrees", has ? nlohmann::json(pick.agrees) : nlohmann::json(nullptr)},
           {"value", has ? nlohmann::json(pick.summary.mean) : nlohmann::json(nullptr)},
           {"std", pick.summary.std ? nlohmann::json(*pick.summary.std) : nlohmann::json(nullptr)},
           {"n", pick.summary.n}});
    }
  }
  return out;
}

}  // namespace

std::string RenderBestText(const BestReport& report) {
  const auto& board = report.board;
  std::string out;
  for (const ranking::Pick& pick : report.picks) {
    const std::string where = board.within.empty() ? ""
                                                   : fmt::format(" within {} = {}", board.within,
                                                                 ranking::DisplayValue(pick.group));
    if (!pick.best) {
      out += fmt::format("no configuration{} has a value\n\n", where);
      continue;
    }
    const ConfigurationRow& row = board.configurations[*pick.best];
    out += fmt::format("best configuration{}: {}\n", where, row.config_id);
    out += fmt::format("  hyperparameters: {}\n", Hyperparameters(row.hyperparameters));
    out += fmt::format("  {} of {} ({} checkpoint; {}): {}\n", board.metric, board.tensor,
                       board.checkpoint.ToString(), board.order.Describe(), MeanStd(row.summary));
    if (pick.runner_up) {
      const ConfigurationRow& next = board.configurations[*pick.runner_up];
      out += fmt::format("  runner-up {}: {}; {}\n", next.config_id, MeanStd(next.summary),
                         Margin(pick, board.order));
    }
    for (const auto& reason : row.flag_reasons) out += fmt::format("  flag: {}\n", reason);
    out += "  runs:\n";
    Runs(out, row);
    for (const Alternative& alt : report.alternatives) {
      if (alt.group != pick.group) continue;
      if (alt.config_id.empty()) {
        out += fmt::format("  with {}: no pick\n", alt.what);
      } else if (alt.differs) {
        out += fmt::format("  with {}: the pick CHANGES to {} ({})\n", alt.what, alt.config_id,
                           Hyperparameters(alt.hyperparameters));
      } else {
        out += fmt::format("  with {}: same pick\n", alt.what);
      }
    }
    SecondOpinions(out, report, pick.group);
    out += "\n";
  }
  if (!out.empty()) out.pop_back();
  return out;
}

std::string RenderBestJson(const BestReport& report) {
  const auto& board = report.board;
  nlohmann::json out = BoardJson(board);
  out["picks"] = nlohmann::json::array();
  for (const ranking::Pick& pick : report.picks) {
    nlohmann::json p = {
        {"group", pick.group.empty() ? nlohmann::json(nullptr) : internal::StoredJson(pick.group)}};
    p["best"] =
        pick.best ? ConfigurationJson(board.configurations[*pick.best]) : nlohmann::json(nullptr);
    p["runner_up"] = pick.runner_up ? ConfigurationJson(board.configurations[*pick.runner_up])
                                    : nlohmann::json(nullptr);
    p["margin"] = pick.margin ? nlohmann::json(*pick.margin) : nlohmann::json(nullptr);
    p["within_spread"] =
        pick.within_spread ? nlohmann::json(*pick.within_spread) : nlohmann::json(nullptr);
    p["margin_in_stds"] =
        pick.margin_in_stds ? nlohmann::json(*pick.margin_in_stds) : nlohmann::json(nullptr);
    p["tied"] = pick.tied;
    p["alternatives"] = nlohmann::json::array();
    for (const Alternative& alt : report.alternatives) {
      if (alt.group != pick.group) continue;
      p["alternatives"].push_back(
          {{"what", alt.what}, {"config_id", alt.config_id}, {"differs", alt.differs}});
    }
    out["picks"].push_back(std::move(p));
  }
  out["direction"] = board.order.Describe();
  out["second_opinions"] = SecondOpinionsJson(report);
  return internal::JsonDocument(out);
}

}  // namespace rankme::app
