#pragma once

#include <cstddef>
#include <vector>

#include "rankme/app/selection.h"
#include "rankme/core/records.h"
#include "rankme/ranking/leaderboard.h"
#include "rankme/report/html_report.h"
#include "rankme/store/catalog.h"

namespace rankme::app {

/// The stored singular values of the checkpoint each seed of the best `per_group`
/// configurations of every group is ranked by (the last one when a policy uses several).
/// Seeds whose spectrum is not stored are left out.
std::vector<report::ReportSpectrum> ChosenSpectra(const ranking::Leaderboard& board,
                                                  store::Catalog& catalog, std::size_t per_group);

/// A hyperparameter's JSON literal for people: strings decoded (quotes and escapes gone), other
/// values as written.
std::string DisplayValue(const std::string& literal);

/// The "metrics side by side" rows: every signal of `signals` in each group, in catalog then
/// group order (display values of groups), with its agreement with the labels when the
/// signals were compared with them.
std::vector<report::ReportSignal> ToReportSignals(const std::vector<SignalSummary>& signals);

/// What the signals' flags mean, for under their table (`labelled`: compared with labels).
std::vector<std::string> ReportSignalNotes(const std::vector<SignalSummary>& signals,
                                           bool labelled);

}  // namespace rankme::app
