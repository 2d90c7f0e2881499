// Ranking by every metric's direction: alpha_req closer to its target, the others higher; the
// collapse flag only where min(N, D) is the metric's ceiling; validation on goodness.
#include <catch2/catch.hpp>

#include "ranking/ranking_test_support.h"
#include "rankme/core/error.h"
#include "rankme/core/metric_catalog.h"
#include "rankme/ranking/marginals.h"
#include "rankme/ranking/pick.h"
#include "rankme/ranking/validation.h"
#include "rankme/ranking/value_order.h"

using namespace rankme;
using namespace rankme::ranking;
using rankme::testing::InputBuilder;
using rankme::testing::Row;

namespace {

// One configuration per value (config ids a, b, c, ...), one seed, one checkpoint.
InputBuilder OneSeedEach(const std::string& metric, const std::vector<double>& values) {
  InputBuilder b;
  b.input.metric = metric;
  for (std::size_t i = 0; i < values.size(); ++i) {
    const std::string id(1, static_cast<char>('a' + i));
    b.AddRun(id, {{"lr", std::to_string(i)}}, "0", {values[i]});
  }
  return b;
}

std::vector<std::string> Order(const Leaderboard& board) {
  std::vector<std::string> ids;
  for (const auto& row : board.configurations) ids.push_back(row.config_id);
  return ids;
}

}  // namespace

TEST_CASE("ValueOrder's goodness is MetricGoodness for every metric of the catalog", "[ranking]") {
  for (const MetricInfo& metric : AllMetrics()) {
    CAPTURE(metric.name);
    for (const std::optional<double> target : {std::optional<double>(), std::optional(2.5)}) {
      const ValueOrder order = ValueOrder::Of(metric, target);
      CHECK(order == ValueOrder::OfMetric(std::string(metric.name), target));
      for (double value : {-3.0, 0.0, 0.999, 1.0, 1.25, 40.0}) {
        CHECK(order.Goodness(value) == MetricGoodness(metric, value, target));
      }
    }
  }
  CHECK(ValueOrder::OfMetric("rankme").Describe() == "higher is better");
  CHECK(ValueOrder::OfMetric("alpha_req").Describe() == "closer to 1 is better");
  CHECK(ValueOrder::OfMetric("alpha_req", 1.5).Describe() == "closer to 1.5 is better");
  CHECK(ValueOrder{ValueOrder::Kind::kLower, 0}.Describe() == "lower is better");
  CHECK_THROWS_WITH(ValueOrder::OfMetric("rank_me"),
                    "unknown metric 'rank_me': expected one of " + MetricNameList());
}

TEST_CASE("alpha_req ranks the configuration closest to 1 first, a target moves the order",
          "[ranking]") {
  InputBuilder b = OneSeedEach("alpha_req", {0.7, 0.95, 1.2, 1.6});
  const Leaderboard board = BuildLeaderboard(b.input, {});
  CHECK(Order(board) == std::vector<std::string>{"b", "c", "a", "d"});
  CHECK(*Row(board, "b").rank == 1);
  CHECK(*Row(board, "d").rank == 4);
  // The printed value stays alpha itself; goodness is what ranks.
  CHECK(Row(board, "b").summary.mean == 0.95);
  CHECK(Row(board, "b").goodness == Approx(-0.05));
  CHECK(rankme::testing::HasNote(board, "alpha_req: closer to 1 is better"));
  const auto picks = PickBest(board);
  REQUIRE(picks.size() == 1);
  CHECK(*picks[0].margin == Approx(0.15));  // |0.95 - 1| against |1.2 - 1|

  RankingOptions moved;
  moved.target = 1.5;
  const Leaderboard at = BuildLeaderboard(b.input, moved);
  CHECK(Order(at) == std::vector<std::string>{"d", "c", "b", "a"});
  CHECK(at.order.Describe() == "closer to 1.5 is better");

  // Higher-is-better metrics ignore the target.
  b.input.metric = "stable_rank";
  CHECK(Order(BuildLeaderboard(b.input, moved)) == std::vector<std::string>{"d", "c", "b", "a"});
  b.input.metric = "nope";
  CHECK_THROWS_AS(BuildLeaderboard(b.input, {}), UsageError);
}

TEST_CASE("alpha_req values as far below as above the target tie", "[ranking]") {
  const Leaderboard board = BuildLeaderboard(OneSeedEach("alpha_req", {0.75, 1.25, 2.0}).input, {});
  CHECK(*Row(board, "a").rank == 1);
  CHECK(*Row(board, "b").rank == 1);
  CHECK(*Row(board, "c").rank == 3);
  const auto picks = PickBest(board);
  CHECK(picks[0].tied);
  CHECK(*picks[0].margin == 0);
}

TEST_CASE("checkpoint best and the marginals' best follow the metric's direction", "[ranking]") {
  InputBuilder b;
  b.input.metric = "alpha_req";
  b.AddRun("a", {{"lr", "1"}, {"wd", "0"}}, "0", {3.0, 1.1, 0.5});
  b.AddRun("b", {{"lr", "1"}, {"wd", "1"}}, "0", {2.0, 2.0, 1.4});
  b.AddRun("c", {{"lr", "2"}, {"wd", "0"}}, "0", {2.0, 2.0, 2.0});
  RankingOptions best;
  best.checkpoint = CheckpointPolicy::Parse("best");
  const Leaderboard board = BuildLeaderboard(b.input, best);
  CHECK(Row(board, "a").summary.mean == 1.1);  // the checkpoint closest to 1
  CHECK(Row(board, "b").summary.mean == 1.4);
  bool lr_seen = false;
  for (const MarginalRow& m : Marginals(board)) {
    if (m.key != "lr" || m.value != "1") continue;
    CHECK(m.best == 1.1);  // not the larger 1.4
    CHECK(m.mean == Approx(1.25));
    lr_seen = true;
  }
  CHECK(lr_seen);
  best.target = 0.4;
  CHECK(Row(BuildLeaderboard(b.input, best), "a").summary.mean == 0.5);
}

TEST_CASE("Only rankme and rankme_centered flag collapse below a fraction of min(N, D)",
          "[ranking]") {
  // 512 × 64: the threshold is 0.01 × 64 = 0.64.
  for (const auto& [metric, flagged] :
       std::vector<std::pair<std::string, bool>>{{"rankme", true},
                                                 {"rankme_centered", true},
                                                 {"stable_rank", false},
                                                 {"nesum", false},
                                                 {"participation_ratio", false},
                                                 {"alpha_req", false},
                                                 {"lidar", false}}) {
    CAPTURE(metric);
    const Leaderboard board = BuildLeaderboard(OneSeedEach(metric, {0.5, 30.0}).input, {});
    CHECK(Row(board, "a").flags.collapsed == flagged);
    if (flagged) {
      CHECK_THAT(Row(board, "a").flag_reasons.front(), Catch::Contains("< 0.01 × min(N, D)"));
    }
  }
}

TEST_CASE("Validate correlates alpha_req's goodness, not its value, with the labels", "[ranking]") {
  InputBuilder b = OneSeedEach("alpha_req", {0.5, 0.9, 1.3, 2.0});
  const Leaderboard board = BuildLeaderboard(b.input, {});
  // Labels best where alpha is nearest 1: goodness -0.5, -0.1, -0.3, -1.0 orders them exactly.
  const std::vector<double> accuracy = {0.6, 0.9, 0.8, 0.5};
  std::vector<LabelValue> labels;
  for (std::size_t i = 0; i < accuracy.size(); ++i) {
    labels.push_back({static_cast<std::int64_t>(i + 1), std::nullopt, "acc", accuracy[i], "f"});
  }
  const Validation v = Validate(board, labels, {});
  CHECK(*v.overall.spearman == Approx(1.0));
  CHECK(*v.overall.kendall == Approx(1.0));
  CHECK(v.overall.pick == "b");
  CHECK(*v.overall.regret == 0);
  CHECK(v.order.kind == ValueOrder::Kind::kCloserToTarget);
  // The raw values would not order them so: rho of (0.5, 0.9, 1.3, 2.0) against the labels.
  CHECK(*SpearmanRho({0.5, 0.9, 1.3, 2.0}, accuracy) == Approx(-0.4));
}

TEST_CASE("A signal is reversed where rho < -0.3 over at least 5 configurations", "[ranking]") {
  struct Case {
    std::vector<double> labels;  // against metric values 1, 2, 3, ...
    double rho;
    bool reversed;
  };
  const Case cases[] = {
      {{0.4, 0.5, 0.1, 0.3, 0.2}, -0.6, true},   // label ranks 4 5 1 3 2: d² = 32
      {{0.3, 0.5, 0.1, 0.2, 0.4}, -0.1, false},  // 3 5 1 2 4: d² = 22
      {{0.4, 0.3, 0.2, 0.1}, -1.0, false},       // too few configurations to say
      {{0.1, 0.2, 0.3, 0.4, 0.5}, 1.0, false},
  };
  for (const Case& c : cases) {
    CAPTURE(c.labels);
    std::vector<double> values;
    std::vector<LabelValue> labels;
    for (std::size_t i = 0; i < c.labels.size(); ++i) {
      values.push_back(static_cast<double>(i + 1));
      labels.push_back({static_cast<std::int64_t>(i + 1), std::nullopt, "acc", c.labels[i], "f"});
    }
    const Validation v =
        Validate(BuildLeaderboard(OneSeedEach("rankme", values).input, {}), labels, {});
    CHECK(*v.overall.spearman == Approx(c.rho));
    CHECK(v.overall.reversed == c.reversed);
  }
}
