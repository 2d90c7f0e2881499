#pragma once
// What the ranking commands read of a database: runs, failures and the scores of one signal
// (metric × tensor) at a time.

#include <string>
#include <vector>

#include "rankme/app/selection.h"
#include "rankme/ranking/leaderboard.h"
#include "rankme/store/catalog.h"
#include "rankme/store/database.h"

namespace rankme::app {

/// `path` opened read-only, never migrated.
store::Database OpenForReading(const std::string& path);

/// Everything ranking needs, with the scores of the tensor that will be ranked only. Throws
/// UsageError for a metric that is not in the catalog (naming every metric) and for one with
/// no scores when the database has scores of others (naming those).
ranking::RankingInput LoadInput(store::Database& db, const SelectionOptions& options);

/// Makes the scores of input.metric and `tensor` the scores of `input` (replacing any others).
void LoadScores(store::Catalog& catalog, const std::string& tensor, ranking::RankingInput& input);

/// Every signal with scores in the database: the catalog's metrics in its order (names the
/// catalog does not know are left out), each metric's tensors by name.
std::vector<Signal> ScoredSignals(store::Catalog& catalog);

}  // namespace rankme::app
