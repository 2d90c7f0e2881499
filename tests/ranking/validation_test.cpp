#include "rankme/ranking/validation.h"

#include <catch2/catch.hpp>

#include "ranking/ranking_test_support.h"
#include "rankme/ranking/statistics.h"

using namespace rankme;
using namespace rankme::ranking;
using rankme::testing::InputBuilder;

TEST_CASE("Validate follows the checkpoint policy, averages seeds and computes the regret",
          "[ranking]") {
  InputBuilder b;
  // Label-free values at checkpoints 0, 1; configuration order by last value: c, a, b.
  const auto a0 = b.AddRun("a", {{"lr", "1"}}, "0", {10.0, 20.0});
  const auto a1 = b.AddRun("a", {{"lr", "1"}}, "1", {10.0, 22.0});
  const auto b0 = b.AddRun("b", {{"lr", "2"}}, "0", {30.0, 15.0});
  const auto c0 = b.AddRun("c", {{"lr", "3"}}, "0", {5.0, 25.0});
  std::vector<CheckpointRecord> checkpoints;
  for (auto run : {a0, a1, b0, c0}) {
    for (int k = 0; k < 2; ++k) {
      checkpoints.push_back({run * 1000 + k, run, "step", (k + 1) * 100, std::nullopt, k});
    }
  }
  auto label = [](std::int64_t run, std::optional<std::int64_t> ckpt, double v) {
    return LabelValue{run, ckpt, "acc", v, "f"};
  };
  const std::vector<LabelValue> labels = {label(a0, a0 * 1000, 0.9),
                                          label(a0, a0 * 1000 + 1, 0.70),  // last: 0.70
                                          label(a1, a1 * 1000 + 1, 0.74),  // last labelled: 0.74
                                          label(b0, std::nullopt, 0.80),   // run-level
                                          label(c0, c0 * 1000 + 1, 0.60)};
  const Leaderboard board = BuildLeaderboard(b.input, {});
  const Validation v = Validate(board, labels, checkpoints);
  const double label_a = (0.70 + 0.74) / 2, label_b = 0.80, label_c = 0.60;
  // metric means: a = 21, b = 15, c = 25; pick = c; best label = b.
  CHECK(v.overall.n == 3);
  CHECK(v.overall.pick == "c");
  CHECK(*v.overall.pick_label == Approx(label_c));
  CHECK(v.overall.label_best == "b");
  CHECK(*v.overall.regret == Approx(label_b - label_c));
  CHECK(*v.overall.spearman == Approx(*SpearmanRho({21, 15, 25}, {label_a, label_b, label_c})));
  CHECK(*v.overall.spearman == Approx(-1.0));  // ranks (2,1,3) vs (2,3,1): d² = 0+4+4 → 1-6·8/24
  CHECK(*v.overall.kendall == Approx(-1.0));   // every pair discordant

  RankingOptions best;
  best.checkpoint = CheckpointPolicy::Parse("best");
  const Validation vb = Validate(BuildLeaderboard(b.input, best), labels, checkpoints);
  // best label per run: a0 0.9, a1 0.74; metric best: a 21, b 30, c 25 → pick b.
  CHECK(vb.overall.pick == "b");
  CHECK(vb.overall.label_best == "a");
  CHECK(*vb.overall.regret == Approx((0.9 + 0.74) / 2 - 0.80));
}
