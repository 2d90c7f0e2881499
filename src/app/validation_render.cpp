// `rankme validate`: the ranked signal's agreement with the labels, and every signal's (metric ×
// tensor), as terminal tables, Markdown, CSV, JSON and LaTeX.
#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "app/json_text_internal.h"
#include "app/selection_internal.h"
#include "rankme/app/selection.h"
#include "rankme/report/table.h"
#include "rankme/report/table_formats.h"

namespace rankme::app {

namespace {

using report::Table;
using A = Table::Align;

// One line of the table of signals: a signal's agreement overall or in one group.
struct SignalLine {
  const SignalSummary* signal = nullptr;
  const ranking::Agreement* agreement = nullptr;
  bool overall = false;
};

// Overall lines first, then each group's in group order; within each, lowest regret first
// (unknown regret last), then highest rho, then catalog order.
std::vector<SignalLine> SortedLines(const ValidateReport& report) {
  std::vector<SignalLine> lines;
  for (const SignalSummary& signal : report.signals) {
    if (!signal.validation) continue;
    lines.push_back({&signal, &signal.validation->overall, true});
    for (const auto& group : signal.validation->groups) lines.push_back({&signal, &group, false});
  }
  auto group_rank = [&](const SignalLine& line) {
    if (line.overall) return std::size_t{0};
    const auto& groups = report.board.groups;
    return static_cast<std::size_t>(std::find(groups.begin(), groups.end(), line.agreement->group) -
                                    groups.begin()) +
           1;
  };
  std::stable_sort(lines.begin(), lines.end(), [&](const SignalLine& a, const SignalLine& b) {
    if (group_rank(a) != group_rank(b)) return group_rank(a) < group_rank(b);
    const auto& x = *a.agreement;
    const auto& y = *b.agreement;
    if (x.regret.has_value() != y.regret.has_value()) return x.regret.has_value();
    if (x.regret && *x.regret != *y.regret) return *x.regret < *y.regret;
    if (x.spearman.has_value() != y.spearman.has_value()) return x.spearman.has_value();
    return x.spearman && *x.spearman > *y.spearman;
  });
  return lines;
}

std::string GroupName(const SignalLine& line) {
  return line.overall ? "all" : ranking::DisplayValue(line.agreement->group);
}

std::vector<std::string> Flags(const SignalLine& line) {
  std::vector<std::string> flags;
  if (line.signal->ranked) flags.emplace_back("ranked");
  if (!line.signal->order.IsIdentity()) flags.emplace_back("goodness");
  if (line.agreement->reversed) flags.emplace_back("reversed");
  return flags;
}

// What the flags of the lines mean, and how the table is sorted: in ASCII, for every format.
std::vector<std::string> Footnotes(const ValidateReport& report,
                                   const std::vector<SignalLine>& lines) {
  const std::string& label = report.validation.label;
  std::vector<std::string> notes = {fmt::format(
      "regret: the best {} minus the {} of the signal's pick; each group's signals are sorted "
      "by regret, lowest first",
      label, label)};
  if (std::any_of(lines.begin(), lines.end(), [](const SignalLine& l) { return l.signal->ranked; }))
    notes.push_back("ranked: the signal ranked above (--metric, --tensor)");
  for (const SignalSummary& signal : report.signals) {
    if (signal.order.IsIdentity()) continue;
    notes.push_back(fmt::format(
        "goodness: {}'s rho and tau-b correlate its goodness -|value - {:g}| ({}) with {}, so a "
        "positive rho means that its notion of better agrees with the labels (--alpha-target "
        "moves the target)",
        signal.signal.metric, signal.order.target, signal.order.Describe(), label));
    break;
  }
  if (std::any_of(lines.begin(), lines.end(),
                  [](const SignalLine& l) { return l.agreement->reversed; })) {
    notes.push_back(fmt::format(
        "reversed: Spearman's rho < {:g} over at least {} configurations: the metric's assumed "
        "direction disagrees with the labels here",
        ranking::kReversedRho, ranking::kReversedMinConfigurations));
  }
  return notes;
}

nlohmann::json GroupJson(const ranking::Agreement& a, bool overall) {
  return overall ? nlohmann::json("all") : internal::StoredJson(a.group);
}

nlohmann::json AgreementJson(const ranking::Agreement& a, bool overall) {
  return {{"group", GroupJson(a, overall)},
          {"n", a.n},
          {"spearman", OptionalJson(a.spearman)},
          {"kendall_tau_b", OptionalJson(a.kendall)},
          {"pick", a.pick},
          {"pick_label", OptionalJson(a.pick_label)},
          {"label_best", a.label_best},
          {"label_best_value", OptionalJson(a.label_best_value)},
          {"regret", OptionalJson(a.regret)}};
}

nlohmann::json ValidationJson(const ValidateReport& report, const std::vector<SignalLine>& lines) {
  const auto& v = report.validation;
  nlohmann::json out = BoardJson(report.board);
  out["label"] = v.label;
  out["imported"] = report.imported;
  out["unmatched"] = report.unmatched;
  out["validation_notes"] = v.notes;
  out["agreement"] = nlohmann::json::array();
  out["agreement"].push_back(AgreementJson(v.overall, true));
  for (const auto& g : v.groups) out["agreement"].push_back(AgreementJson(g, false));
  out["configurations"] = nlohmann::json::array();
  for (const auto& c : v.configurations) {
    out["configurations"].push_back({{"config_id", c.config_id},
                                     {"metric", OptionalJson(c.metric)},
                                     {"label", OptionalJson(c.label)},
                                     {"label_runs", c.label_runs}});
  }
  out["signals"] = nlohmann::json::array();
  for (const SignalLine& line : lines) {
    nlohmann::json entry = AgreementJson(*line.agreement, line.overall);
    entry["metric"] = line.signal->signal.metric;
    entry["tensor"] = line.signal->signal.tensor;
    entry["direction"] = line.signal->order.Describe();
    entry["correlated"] = line.signal->order.IsIdentity() ? "value" : "goodness";
    entry["ranked"] = line.signal->ranked;
    entry["reversed"] = line.agreement->reversed;
    out["signals"].push_back(std::move(entry));
  }
  out["signal_notes"] = Footnotes(report, lines);
  return out;
}

Table AgreementTable(const ValidateReport& report, ExportFormat format) {
  const auto& v = report.validation;
  std::vector<const ranking::Agreement*> lines = {&v.overall};
  for (const auto& g : v.groups) lines.push_back(&g);
  Table table;
  table.headers = {"group",           "n",     "spearman",
                   "kendall_tau_b",   "pick",  "pick " + v.label,
                   "best " + v.label, "regret"};
  table.align = {A::kLeft, A::kRight, A::kRight, A::kRight,
                 A::kLeft, A::kRight, A::kRight, A::kRight};
  for (const auto* a : lines) {
    table.rows.push_back(
        {a == &v.overall ? "all" : ranking::DisplayValue(a->group), std::to_string(a->n),
         ExportOptional(a->spearman, format), ExportOptional(a->kendall, format), a->pick,
         ExportOptional(a->pick_label, format), ExportOptional(a->label_best_value, format),
         ExportOptional(a->regret, format)});
  }
  return table;
}

Table SignalTable(const ValidateReport& report, const std::vector<SignalLine>& lines,
                  ExportFormat format) {
  const std::string& label = report.validation.label;
  Table table;
  table.headers = {"group",  "metric", "tensor",        "n",    "spearman", "kendall_tau_b",
                   "regret", "pick",   "pick " + label, "flags"};
  table.align = {A::kLeft,  A::kLeft,  A::kLeft, A::kRight, A::kRight,
                 A::kRight, A::kRight, A::kLeft, A::kRight, A::kLeft};
  for (const SignalLine& line : lines) {
    const ranking::Agreement& a = *line.agreement;
    table.rows.push_back({GroupName(line), line.signal->signal.metric, line.signal->signal.tensor,
                          std::to_string(a.n), ExportOptional(a.spearman, format),
                          ExportOptional(a.kendall, format), ExportOptional(a.regret, format),
                          a.pick, ExportOptional(a.pick_label, format),
                          fmt::format("{}", fmt::join(Flags(line), " "))});
  }
  return table;
}

// The footnotes below a table: plain lines, Markdown list items, LaTeX paragraphs.
std::string RenderFootnotes(const std::vector<std::string>& notes, ExportFormat format) {
  std::string out;
  for (const std::string& note : notes) {
    switch (format) {
      case ExportFormat::kMarkdown:
        out += "- " + note + "\n";
        break;
      case ExportFormat::kLatex:
        out += "\\noindent " + report::EscapeLatex(note) + "\\par\n";
        break;
      default:
        out += "  " + note + "\n";
    }
  }
  return out;
}

std::string SignalsTitle(const ValidateReport& report, ExportFormat format) {
  const std::string title =
      fmt::format("every signal (metric x tensor) against {}", report.validation.label);
  switch (format) {
    case ExportFormat::kMarkdown:
      return "**" + title + "**\n\n";
    case ExportFormat::kLatex:  // the table float's caption
    case ExportFormat::kCsv:    // nothing but the table
      return "";
    default:
      return title + ":\n";
  }
}

}  // namespace

std::vector<std::string> SignalFootnotes(const ValidateReport& report) {
  return Footnotes(report, SortedLines(report));
}

std::string RenderValidation(const ValidateReport& report, ExportFormat format,
                             ValidationTables tables) {
  const std::vector<SignalLine> lines = SortedLines(report);
  if (format == ExportFormat::kJson) return internal::JsonDocument(ValidationJson(report, lines));
  const std::string caption = fmt::format("{} of {} against {}", report.board.metric,
                                          report.board.tensor, report.validation.label);
  std::string out;
  if (tables == ValidationTables::kBoth) {
    out = RenderTableAs(AgreementTable(report, format), format, caption);
    if (format == ExportFormat::kCsv || lines.empty()) return out;
    out += "\n";
  }
  out += SignalsTitle(report, format);
  out += RenderTableAs(
      SignalTable(report, lines, format), format,
      fmt::format("every signal (metric x tensor) against {}", report.validation.label));
  if (format == ExportFormat::kCsv) return out;
  if (format == ExportFormat::kMarkdown) out += "\n";
  return out + RenderFootnotes(Footnotes(report, lines), format);
}

}  // namespace rankme::app
