#pragma once
// Every scored signal (metric × tensor) ranked like the main ranking: for `best`'s second
// opinions, `validate`'s table of signals and the report's metrics side by side.

#include <vector>

#include "rankme/app/selection.h"
#include "rankme/core/records.h"
#include "rankme/ranking/leaderboard.h"
#include "rankme/store/catalog.h"

namespace rankme::app {

/// Where labels come from when signals are compared with them (see ranking::Validate).
struct SignalLabels {
  const std::vector<LabelValue>& labels;
  const std::vector<CheckpointRecord>& checkpoints;
  bool higher_is_better = true;
};

/// What `board` picks in each of its groups, and whether that is `main`'s pick of the group.
std::vector<SignalPick> SignalPicks(const ranking::Leaderboard& board,
                                    const ranking::Leaderboard& main);

/// Every scored signal ranked as `options` ranks (its metric and tensor in their place): its
/// pick in each group, whether that is `main`'s pick, and with `labels` its agreement with
/// them. `input` holds the runs and unscored tensors (as LoadInput leaves them); its metric and
/// scores are spent. The signal `main` ranks is in the list, marked `ranked`.
std::vector<SignalSummary> SummarizeSignals(store::Catalog& catalog, ranking::RankingInput& input,
                                            const ranking::RankingOptions& options,
                                            const ranking::Leaderboard& main,
                                            const SignalLabels* labels = nullptr);

}  // namespace rankme::app
