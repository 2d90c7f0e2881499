#pragma once

#include <cstddef>
#include <vector>

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

}  // namespace rankme::app
