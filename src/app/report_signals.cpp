// The report's "metrics side by side": every signal's pick per group, from SummarizeSignals.
#include <fmt/format.h>

#include <algorithm>

#include "app/report_internal.h"
#include "rankme/ranking/validation.h"

namespace rankme::app {

namespace {

const ranking::Agreement* AgreementOf(const ranking::Validation& v, const std::string& group) {
  if (v.groups.empty()) return &v.overall;
  for (const ranking::Agreement& a : v.groups) {
    if (a.group == group) return &a;
  }
  return nullptr;
}

report::ReportSignal ToReportSignal(const SignalSummary& summary, const SignalPick& pick) {
  report::ReportSignal s;
  s.metric = summary.signal.metric;
  s.tensor = summary.signal.tensor;
  s.direction = summary.order.Describe();
  s.goodness = !summary.order.IsIdentity();
  s.ranked = summary.ranked;
  s.group = pick.group.empty() ? "" : DisplayValue(pick.group);
  s.config_id = pick.config_id;
  s.n = pick.summary.n;
  s.mean = pick.summary.mean;
  s.std = pick.summary.std;
  s.agrees = pick.agrees;
  const ranking::Agreement* a =
      summary.validation ? AgreementOf(*summary.validation, pick.group) : nullptr;
  if (a != nullptr) {
    s.labelled = a->n;
    s.spearman = a->spearman;
    s.kendall = a->kendall;
    s.regret = a->regret;
    s.reversed = a->reversed;
  }
  return s;
}

}  // namespace

std::vector<report::ReportSignal> ToReportSignals(const std::vector<SignalSummary>& signals) {
  // Groups in the order the boards list them (every board has the same runs, hence groups).
  std::vector<std::string> groups;
  for (const SignalSummary& summary : signals) {
    for (const SignalPick& pick : summary.picks) {
      if (std::find(groups.begin(), groups.end(), pick.group) == groups.end())
        groups.push_back(pick.group);
    }
  }
  std::vector<report::ReportSignal> out;
  for (const std::string& group : groups) {
    for (const SignalSummary& summary : signals) {
      for (const SignalPick& pick : summary.picks) {
        if (pick.group == group) out.push_back(ToReportSignal(summary, pick));
      }
    }
  }
  return out;
}

std::vector<std::string> ReportSignalNotes(const std::vector<SignalSummary>& signals,
                                           bool labelled) {
  std::vector<std::string> notes;
  if (!labelled) return notes;
  for (const SignalSummary& s : signals) {
    if (s.order.IsIdentity()) continue;
    notes.push_back(fmt::format(
        "* ρ and τ of {} correlate its goodness −|value − {:g}| ({}) with the labels: a positive "
        "ρ means that its notion of better agrees with them.",
        s.signal.metric, s.order.target, s.order.Describe()));
    break;
  }
  notes.push_back(fmt::format(
      "reversed: ρ < {:g} over at least {} configurations: the metric's assumed direction "
      "disagrees with the labels there (a description of these configurations, not a test).",
      ranking::kReversedRho, ranking::kReversedMinConfigurations));
  return notes;
}

}  // namespace rankme::app
