// Every scored signal (metric × tensor) ranked like the main ranking, one at a time: what each
// picks per group and, with labels, how it agrees with them.
#include "app/ranking_input_internal.h"
#include "app/signals_internal.h"
#include "rankme/ranking/pick.h"
#include "rankme/ranking/validation.h"

namespace rankme::app {

std::vector<SignalPick> SignalPicks(const ranking::Leaderboard& board,
                                    const ranking::Leaderboard& main) {
  const std::vector<ranking::Pick> main_picks = ranking::PickBest(main);
  std::vector<SignalPick> out;
  for (const ranking::Pick& pick : ranking::PickBest(board)) {
    SignalPick p;
    p.group = pick.group;
    if (pick.best) {
      const ranking::ConfigurationRow& row = board.configurations[*pick.best];
      p.config_id = row.config_id;
      p.summary = row.summary;
      p.hyperparameters = row.hyperparameters;
      p.agrees = p.config_id == ranking::PickedConfig(main, main_picks, pick.group);
    }
    out.push_back(std::move(p));
  }
  return out;
}

std::vector<SignalSummary> SummarizeSignals(store::Catalog& catalog, ranking::RankingInput& input,
                                            const ranking::RankingOptions& options,
                                            const ranking::Leaderboard& main,
                                            const SignalLabels* labels) {
  std::vector<SignalSummary> out;
  for (const Signal& signal : ScoredSignals(catalog)) {
    input.metric = signal.metric;
    input.tensor_counts = {{signal.tensor, 0}};
    LoadScores(catalog, signal.tensor, input);
    ranking::RankingOptions variant = options;
    variant.tensor = signal.tensor;
    const ranking::Leaderboard board = ranking::BuildLeaderboard(input, variant);
    SignalSummary summary;
    summary.signal = signal;
    summary.order = board.order;
    summary.ranked = signal.metric == main.metric && signal.tensor == main.tensor;
    summary.picks = SignalPicks(board, main);
    if (labels) {
      summary.validation =
          ranking::Validate(board, labels->labels, labels->checkpoints, labels->higher_is_better);
    }
    out.push_back(std::move(summary));
  }
  return out;
}

}  // namespace rankme::app
