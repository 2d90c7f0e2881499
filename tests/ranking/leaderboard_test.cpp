#include "rankme/ranking/leaderboard.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>

#include "ranking/ranking_test_support.h"
#include "rankme/core/error.h"
#include "rankme/ranking/marginals.h"
#include "rankme/ranking/pick.h"

using namespace rankme;
using namespace rankme::ranking;
using rankme::testing::HasNote;
using rankme::testing::InputBuilder;
using rankme::testing::Row;

namespace {

// value of configuration c, seed s, checkpoint k: distinct, non-monotone in k for some runs.
double Value(int c, int s, int k) {
  return 10.0 + 3.0 * c + 0.37 * s * s + std::sin(1.0 + c + 2 * s + k);
}

struct Expected {
  double mean, std, min, max;
};

Expected Independent(const std::vector<double>& v) {
  double sum = 0;
  for (double x : v) sum += x;
  const double mean = sum / static_cast<double>(v.size());
  double ss = 0;
  for (double x : v) ss += (x - mean) * (x - mean);
  return {mean, std::sqrt(ss / static_cast<double>(v.size() - 1)),
          *std::min_element(v.begin(), v.end()), *std::max_element(v.begin(), v.end())};
}

const char* const kIds[] = {"c0", "c1", "c2"};

// 3 configurations (lr) × 3 seeds × 4 checkpoints.
InputBuilder ThreeByThree() {
  InputBuilder b;
  const char* lrs[] = {"0.1", "0.01", "0.001"};
  for (int c = 0; c < 3; ++c) {
    for (int s = 0; s < 3; ++s) {
      std::vector<std::optional<double>> values;
      for (int k = 0; k < 4; ++k) values.push_back(Value(c, s, k));
      b.AddRun(kIds[c], {{"lr", lrs[c]}, {"method", "\"vicreg\""}}, std::to_string(s), values);
    }
  }
  return b;
}

}  // namespace

TEST_CASE("Leaderboard aggregates seeds under every checkpoint policy", "[ranking]") {
  const InputBuilder b = ThreeByThree();
  struct PolicyCase {
    const char* policy;
    double (*pick)(int c, int s);
  };
  const PolicyCase cases[] = {
      {"last", [](int c, int s) { return Value(c, s, 3); }},
      {"best",
       [](int c, int s) {
         double m = Value(c, s, 0);
         for (int k = 1; k < 4; ++k) m = std::max(m, Value(c, s, k));
         return m;
       }},
      {"step=200", [](int c, int s) { return Value(c, s, 1); }},
      {"mean-last=2", [](int c, int s) { return (Value(c, s, 2) + Value(c, s, 3)) / 2; }},
  };
  for (const auto& pc : cases) {
    CAPTURE(pc.policy);
    RankingOptions options;
    options.checkpoint = CheckpointPolicy::Parse(pc.policy);
    const Leaderboard board = BuildLeaderboard(b.input, options);
    REQUIRE(board.configurations.size() == 3);
    std::vector<std::pair<double, std::string>> order;
    for (int c = 0; c < 3; ++c) {
      std::vector<double> v;
      for (int s = 0; s < 3; ++s) v.push_back(pc.pick(c, s));
      const Expected e = Independent(v);
      const std::string id = kIds[c];
      const auto& row = Row(board, id);
      CHECK(row.summary.n == 3);
      CHECK(row.summary.mean == Approx(e.mean).epsilon(1e-14));
      CHECK(*row.summary.std == Approx(e.std).epsilon(1e-12));
      CHECK(row.summary.min == e.min);
      CHECK(row.summary.max == e.max);
      CHECK(row.flags.Names().empty());
      order.emplace_back(-e.mean, id);
    }
    std::sort(order.begin(), order.end());
    for (std::size_t i = 0; i < 3; ++i) {
      CHECK(board.configurations[i].config_id == order[i].second);
      CHECK(board.configurations[i].rank == static_cast<int>(i) + 1);
    }
    CHECK(board.varying_keys == std::vector<std::string>{"lr"});
    CHECK(board.tensor == "embeddings");
  }
}

TEST_CASE("Leaderboard flags collapsed, diverged, failed, incomplete and mixed configurations",
          "[ranking]") {
  InputBuilder b;
  auto hp = [](const char* v) { return std::map<std::string, std::string>{{"wd", v}}; };
  b.AddRun("healthy", hp("0"), "0", {30.0, 31.0});
  b.AddRun("healthy", hp("0"), "1", {29.0, 33.0});
  b.AddRun("healthy", hp("0"), "2", {28.0, 32.5});
  // 0.5 and 0.7 < 0.01 × min(512, 64) = 0.64 on average: collapsed.
  b.AddRun("collapsed", hp("1"), "0", {5.0, 0.5});
  b.AddRun("collapsed", hp("1"), "1", {4.0, 0.7});
  b.AddRun("collapsed", hp("1"), "2", {4.0, 0.6});
  // Seed 2 diverged at its last checkpoint: no value, flagged, not dropped.
  b.AddRun("diverged", hp("2"), "0", {20.0, 21.0});
  b.AddRun("diverged", hp("2"), "1", {20.0, 22.0});
  const auto nan_run = b.AddRun("diverged", hp("2"), "2", {20.0});
  b.AddUnscored(nan_run, 1, "embeddings", "failed", "data",
                "non-finite value (nan) at row 3, column 1 (0-based)");
  // An unreadable early checkpoint: flagged failed; its last checkpoint still counts.
  b.AddRun("failed", hp("3"), "0", {std::nullopt, 25.0});
  b.AddRun("failed", hp("3"), "1", {24.0, 26.0});
  b.AddRun("failed", hp("3"), "2", {24.0, 27.0});
  // Two seeds where siblings have three.
  b.AddRun("short", hp("4"), "0", {10.0, 11.0});
  b.AddRun("short", hp("4"), "1", {10.0, 12.0});
  // One seed with a wider projector: D differs inside the configuration.
  rankme::testing::Scored wide;
  wide.cols = 128;
  b.AddRun("mixed", hp("5"), "0", {15.0, 16.0});
  b.AddRun("mixed", hp("5"), "1", {15.0, 17.0});
  b.AddRun("mixed", hp("5"), "2", {15.0, 18.0}, wide);

  const Leaderboard board = BuildLeaderboard(b.input, {});
  using Names = std::vector<std::string>;
  CHECK(Row(board, "healthy").flags.Names().empty());
  CHECK(Row(board, "collapsed").flags.Names() == Names{"collapsed"});
  CHECK(Row(board, "collapsed").summary.mean == Approx((0.5 + 0.7 + 0.6) / 3));
  CHECK(Row(board, "diverged").flags.Names() == Names{"diverged", "incomplete"});
  CHECK(Row(board, "diverged").summary.n == 2);
  CHECK(Row(board, "diverged").summary.mean == Approx((21.0 + 22.0) / 2));
  const auto& nan_value = Row(board, "diverged").runs[2];
  CHECK_FALSE(nan_value.value.has_value());
  CHECK(nan_value.status == ValueStatus::kDiverged);
  CHECK(Row(board, "failed").flags.Names() == Names{"failed"});
  CHECK(Row(board, "failed").summary.mean == Approx((25.0 + 26.0 + 27.0) / 3));
  CHECK(Row(board, "short").flags.Names() == Names{"incomplete"});
  CHECK(Row(board, "mixed").flags.Names() == Names{"mixed"});
  CHECK(board.configurations.front().config_id == "healthy");
}

TEST_CASE("Leaderboard gives tied means the same rank and skips the next", "[ranking]") {
  InputBuilder b;
  b.AddRun("a", {{"x", "1"}}, "0", {5.0});
  b.AddRun("b", {{"x", "2"}}, "0", {7.0});
  b.AddRun("c", {{"x", "3"}}, "0", {7.0});
  b.AddRun("d", {{"x", "4"}}, "0", {std::nullopt});
  const Leaderboard board = BuildLeaderboard(b.input, {});
  CHECK(Row(board, "b").rank == 1);
  CHECK(Row(board, "c").rank == 1);
  CHECK(Row(board, "a").rank == 3);
  CHECK_FALSE(Row(board, "d").rank.has_value());
  CHECK(board.configurations.back().config_id == "d");
  const auto picks = PickBest(board);
  REQUIRE(picks.size() == 1);
  CHECK(picks[0].tied);
  CHECK(*picks[0].margin == 0.0);
}

TEST_CASE("Leaderboard ranks within a key and says when methods are mixed", "[ranking]") {
  InputBuilder b;
  b.AddRun("s1", {{"method", "\"simclr\""}, {"t", "0.1"}}, "0", {30.0});
  b.AddRun("s2", {{"method", "\"simclr\""}, {"t", "1"}}, "0", {10.0});
  b.AddRun("v1", {{"method", "\"vicreg\""}, {"t", "0.1"}}, "0", {20.0});
  b.AddRun("v2", {{"method", "\"vicreg\""}, {"t", "1"}}, "0", {25.0});
  const Leaderboard mixed = BuildLeaderboard(b.input, {});
  CHECK(HasNote(mixed, "mixes method = simclr, vicreg"));
  CHECK(Row(mixed, "v2").rank == 2);

  RankingOptions within;
  within.within = "method";
  const Leaderboard board = BuildLeaderboard(b.input, within);
  CHECK_FALSE(HasNote(board, "mixes"));
  CHECK(HasNote(board, "ranked within method"));
  CHECK(board.groups == std::vector<std::string>{"\"simclr\"", "\"vicreg\""});
  CHECK(Row(board, "s1").rank == 1);
  CHECK(Row(board, "s2").rank == 2);
  CHECK(Row(board, "v2").rank == 1);
  CHECK(Row(board, "v1").rank == 2);
  const auto picks = PickBest(board);
  REQUIRE(picks.size() == 2);
  CHECK(board.configurations[*picks[1].best].config_id == "v2");
  CHECK(*picks[1].margin == Approx(5.0));
  CHECK_FALSE(picks[1].within_spread.has_value());  // one seed each: spread unknown

  within.within = "nope";
  CHECK_THROWS_AS(BuildLeaderboard(b.input, within), UsageError);
}

TEST_CASE("Leaderboard never averages scores of different settings or row counts", "[ranking]") {
  InputBuilder b;
  rankme::testing::Scored other;
  other.settings = R"({"eps":1e-05})";
  rankme::testing::Scored fewer_rows;
  fewer_rows.rows = 256;
  const auto r0 = b.AddRun("a", {{"lr", "1"}}, "0", {10.0, 11.0});
  b.AddValues(r0, {99.0, 99.0}, other);  // the same checkpoints re-scored with another eps
  b.AddRun("a", {{"lr", "1"}}, "1", {12.0, 13.0});
  b.AddRun("b", {{"lr", "2"}}, "0", {14.0, 15.0});
  b.AddRun("b", {{"lr", "2"}}, "1", {50.0, 60.0}, fewer_rows);  // another evaluation set
  const Leaderboard board = BuildLeaderboard(b.input, {});
  CHECK(board.settings_key == R"({"eps":1e-07})");
  CHECK(board.rows == 512);
  CHECK(HasNote(board, "never averaged"));
  CHECK(Row(board, "a").summary.mean == Approx((11.0 + 13.0) / 2));
  const auto& row_b = Row(board, "b");
  CHECK(row_b.summary.n == 1);
  CHECK(row_b.summary.mean == 15.0);
  CHECK(row_b.flags.mixed);
  CHECK(row_b.flags.incomplete);
  CHECK(row_b.runs[1].status == ValueStatus::kIncomparable);
}

TEST_CASE("Checkpoint policies: missing steps, short runs and files not ready", "[ranking]") {
  InputBuilder b;
  b.AddRun("a", {{"lr", "1"}}, "0", {10.0, 11.0, 12.0});
  b.AddRun("a", {{"lr", "1"}}, "1", {10.0, 14.0});
  const auto pending = b.AddRun("a", {{"lr", "1"}}, "2", {10.0, 13.0});
  b.AddUnscored(pending, 2, "embeddings", "not_ready", "not_ready", "still being written");

  RankingOptions options;
  const Leaderboard last = BuildLeaderboard(b.input, options);
  CHECK(Row(last, "a").summary.mean == Approx((12.0 + 14.0 + 13.0) / 3));  // pending skipped

  options.checkpoint = CheckpointPolicy::Parse("mean-last=3");
  const Leaderboard mean3 = BuildLeaderboard(b.input, options);
  CHECK(Row(mean3, "a").summary.n == 1);
  CHECK(Row(mean3, "a").summary.mean == Approx(11.0));
  CHECK(Row(mean3, "a").runs[1].status == ValueStatus::kTooFew);

  options.checkpoint = CheckpointPolicy::Parse("step=300");
  const Leaderboard step = BuildLeaderboard(b.input, options);
  CHECK(Row(step, "a").summary.n == 1);
  CHECK(Row(step, "a").runs[2].status == ValueStatus::kNoCheckpoint);

  CHECK_THROWS_AS(CheckpointPolicy::Parse("mean-last=0"), UsageError);
  CHECK_THROWS_AS(CheckpointPolicy::Parse("first"), UsageError);
  CHECK(CheckpointPolicy::Parse("epoch=4").ToString() == "epoch=4");
}

TEST_CASE("Leaderboard defaults to embeddings and refuses an unknown tensor", "[ranking]") {
  InputBuilder b;
  rankme::testing::Scored rep;
  rep.tensor = "representations";
  const auto run = b.AddRun("a", {{"lr", "1"}}, "0", {10.0});
  b.AddValues(run, {20.0}, rep);
  b.AddRun("b", {{"lr", "2"}}, "0", {}, rep);  // only representations: not scored in embeddings
  b.AddValues(2, {30.0}, rep);
  const Leaderboard board = BuildLeaderboard(b.input, {});
  CHECK(board.tensor == "embeddings");
  CHECK(board.tensor_defaulted);
  CHECK(HasNote(board, "tensor: embeddings (default"));
  CHECK(Row(board, "b").runs[0].status == ValueStatus::kNotScored);
  CHECK_FALSE(Row(board, "b").rank.has_value());
  RankingOptions options;
  options.tensor = "representations";
  CHECK(BuildLeaderboard(b.input, options).configurations.front().config_id == "b");
  options.tensor = "logits";
  CHECK_THROWS_AS(BuildLeaderboard(b.input, options), UsageError);
}

TEST_CASE("Marginals average configuration means per value of each varying key", "[ranking]") {
  InputBuilder b;
  // lr × wd, two seeds each; the configuration means are (v0 + v1) / 2.
  const double v[4][2] = {{10, 12}, {20, 22}, {15, 19}, {30, 26}};
  const char* lr[4] = {"0.1", "0.1", "0.01", "0.01"};
  const char* wd[4] = {"0", "1e-05", "0", "1e-05"};
  for (int c = 0; c < 4; ++c) {
    for (int s = 0; s < 2; ++s) {
      const char* const ids[4] = {"c0", "c1", "c2", "c3"};
      b.AddRun(ids[c], {{"lr", lr[c]}, {"wd", wd[c]}, {"method", "\"x\""}}, std::to_string(s),
               {v[c][s]});
    }
  }
  const auto m = Marginals(BuildLeaderboard(b.input, {}));
  auto mean = [&](int c) { return (v[c][0] + v[c][1]) / 2; };
  REQUIRE(m.size() == 4);
  // numeric order: lr 0.01 before 0.1, wd 0 before 1e-05; "method" does not vary.
  CHECK((m[0].key == "lr" && m[0].value == "0.01"));
  CHECK(m[0].mean == Approx((mean(2) + mean(3)) / 2));
  CHECK(m[0].best == Approx(std::max(mean(2), mean(3))));
  CHECK(m[0].configurations == 2);
  CHECK(m[0].runs == 4);
  CHECK((m[1].key == "lr" && m[1].value == "0.1"));
  CHECK(m[1].mean == Approx((mean(0) + mean(1)) / 2));
  CHECK((m[2].key == "wd" && m[2].value == "0"));
  CHECK(m[2].mean == Approx((mean(0) + mean(2)) / 2));
  CHECK((m[3].key == "wd" && m[3].value == "1e-05"));
  CHECK(m[3].mean == Approx((mean(1) + mean(3)) / 2));
}
