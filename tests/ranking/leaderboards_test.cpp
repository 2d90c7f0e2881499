// BuildLeaderboards (one preparation, several policies) against BuildLeaderboard per policy.
#include <catch2/catch.hpp>
#include <cmath>

#include "ranking/ranking_test_support.h"
#include "rankme/ranking/leaderboard.h"

using namespace rankme;
using namespace rankme::ranking;
using rankme::testing::InputBuilder;

namespace {

// Everything a board shows, field by field (doubles compared exactly: the same arithmetic must
// give the same bits).
void CheckSame(const Leaderboard& a, const Leaderboard& b) {
  CHECK(a.metric == b.metric);
  CHECK(a.tensor == b.tensor);
  CHECK(a.tensor_defaulted == b.tensor_defaulted);
  CHECK(a.tensors == b.tensors);
  CHECK(a.checkpoint == b.checkpoint);
  CHECK(a.settings_key == b.settings_key);
  CHECK(a.rows == b.rows);
  CHECK(a.varying_keys == b.varying_keys);
  CHECK(a.groups == b.groups);
  CHECK(a.notes == b.notes);
  REQUIRE(a.configurations.size() == b.configurations.size());
  for (std::size_t i = 0; i < a.configurations.size(); ++i) {
    const ConfigurationRow& x = a.configurations[i];
    const ConfigurationRow& y = b.configurations[i];
    INFO(x.config_id);
    CHECK(x.config_id == y.config_id);
    CHECK(x.rank == y.rank);
    CHECK(x.summary.n == y.summary.n);
    CHECK((x.summary.n == 0 || x.summary.mean == y.summary.mean));
    CHECK(x.summary.std == y.summary.std);
    CHECK(x.flag_reasons == y.flag_reasons);
    CHECK(x.rows == y.rows);
    CHECK(x.cols == y.cols);
    REQUIRE(x.runs.size() == y.runs.size());
    for (std::size_t r = 0; r < x.runs.size(); ++r) {
      const RunValue& u = x.runs[r];
      const RunValue& v = y.runs[r];
      INFO(u.run);
      CHECK(u.run == v.run);
      CHECK(u.value == v.value);
      CHECK(u.status == v.status);
      CHECK(u.reason == v.reason);
      CHECK(u.used == v.used);
      CHECK(u.rows == v.rows);
      CHECK(u.cols == v.cols);
      CHECK(u.any_failed == v.any_failed);
      CHECK(u.any_diverged == v.any_diverged);
      REQUIRE(u.checkpoints.size() == v.checkpoints.size());
      for (std::size_t k = 0; k < u.checkpoints.size(); ++k) {
        CHECK(u.checkpoints[k].checkpoint_id == v.checkpoints[k].checkpoint_id);
        CHECK(u.checkpoints[k].checkpoint == v.checkpoints[k].checkpoint);
        CHECK(u.checkpoints[k].value == v.checkpoints[k].value);
        CHECK(u.checkpoints[k].status == v.checkpoints[k].status);
        CHECK(u.checkpoints[k].reason == v.checkpoints[k].reason);
      }
    }
  }
}

}  // namespace

TEST_CASE("BuildLeaderboards gives, per policy, the board BuildLeaderboard gives", "[ranking]") {
  InputBuilder b;
  auto hp = [](const char* lr, const char* method) {
    return std::map<std::string, std::string>{{"lr", lr}, {"method", method}};
  };
  for (int s = 0; s < 3; ++s) {
    const double x = s;
    b.AddRun("a", hp("0.1", "\"vicreg\""), std::to_string(s), {10 + x, 14 - x, 12 + x});
    b.AddRun("b", hp("0.01", "\"vicreg\""), std::to_string(s), {11 + x, std::nullopt, 13});
  }
  // A run scored under other settings too (its comparable rows must win), one with a
  // non-finite score, one with a pending last checkpoint, and a second tensor.
  rankme::testing::Scored other;
  other.settings = R"({"eps":1e-05})";
  other.rows = 256;
  const auto c0 = b.AddRun("c", hp("0.001", "\"simclr\""), "0", {9.0, 9.5});
  b.AddValues(c0, {1.0, 2.0, 3.0}, other);
  b.AddRun("c", hp("0.001", "\"simclr\""), "1", {9.0, INFINITY, 8.0});
  const auto c2 = b.AddRun("c", hp("0.001", "\"simclr\""), "2", {7.0, 9.0});
  b.AddUnscored(c2, 2, "embeddings", "not_ready", "not_ready", "still written");
  rankme::testing::Scored rep;
  rep.tensor = "representations";
  b.AddValues(c2, {30.0, 31.0, 32.0}, rep);

  const std::vector<CheckpointPolicy> policies = {
      CheckpointPolicy::Parse("mean-last=2"), CheckpointPolicy::Parse("last"),
      CheckpointPolicy::Parse("best"), CheckpointPolicy::Parse("step=200"),
      CheckpointPolicy::Parse("epoch=1")};
  for (const char* within : {"", "method"}) {
    for (const char* tensor : {"", "representations"}) {
      RankingOptions options;
      options.within = within;
      options.tensor = tensor;
      CAPTURE(within, tensor);
      const auto boards = BuildLeaderboards(b.input, options, policies);
      REQUIRE(boards.size() == policies.size());
      for (std::size_t i = 0; i < policies.size(); ++i) {
        CAPTURE(policies[i].ToString());
        RankingOptions single = options;
        single.checkpoint = policies[i];
        CheckSame(boards[i], BuildLeaderboard(b.input, single));
      }
    }
  }
  // The data above does exercise those cases. c's seed 0: its last checkpoint was scored only
  // under the other settings, the earlier ones under both (the comparable score wins).
  RankingOptions options;
  const auto boards = BuildLeaderboards(b.input, options, policies);
  const ConfigurationRow& c = rankme::testing::Row(boards[1], "c");
  CHECK(c.runs[0].status == ValueStatus::kIncomparable);
  CHECK(rankme::testing::Row(boards[2], "c").runs[0].value == 9.5);
  CHECK(c.runs[1].value == 8.0);  // after a non-finite score
  CHECK(c.runs[1].any_diverged);
  CHECK(c.flags.diverged);
  CHECK(c.runs[2].value == 9.0);  // the pending last checkpoint is skipped
  CHECK(rankme::testing::Row(boards[2], "b").runs[0].value == 13.0);
}

TEST_CASE(
    "BuildLeaderboards with others_keep_used_only keeps only the used checkpoints after "
    "the first board",
    "[ranking]") {
  InputBuilder b;
  auto hp = [](const char* lr) { return std::map<std::string, std::string>{{"lr", lr}}; };
  for (int s = 0; s < 3; ++s) {
    const double x = s;
    b.AddRun("a", hp("0.1"), std::to_string(s), {10 + x, 14 - x, 12 + x, 11.0});
    b.AddRun("b", hp("0.01"), std::to_string(s), {11 + x, std::nullopt, 13, 12 - x});
  }
  const std::vector<CheckpointPolicy> policies = {
      CheckpointPolicy::Parse("last"), CheckpointPolicy::Parse("best"),
      CheckpointPolicy::Parse("mean-last=2"), CheckpointPolicy::Parse("step=200")};
  RankingOptions options;
  const auto full = BuildLeaderboards(b.input, options, policies);
  const auto lean = BuildLeaderboards(b.input, options, policies, true);
  REQUIRE(lean.size() == policies.size());
  CheckSame(lean[0], full[0]);  // the first keeps every checkpoint
  REQUIRE(full[0].configurations.at(0).runs.at(0).checkpoints.size() == 4);
  for (std::size_t i = 1; i < policies.size(); ++i) {
    CAPTURE(policies[i].ToString());
    // Expected: the full board with each run's checkpoints cut to its used ones, in used order.
    Leaderboard expect = full[i];
    std::size_t used_total = 0;
    for (ConfigurationRow& row : expect.configurations) {
      for (RunValue& run : row.runs) {
        std::vector<SeriesPoint> kept;
        for (std::size_t& k : run.used) {
          kept.push_back(run.checkpoints.at(k));
          k = kept.size() - 1;
        }
        used_total += kept.size();
        run.checkpoints = kept;
      }
    }
    CHECK(used_total > 0);
    CheckSame(lean[i], expect);
  }
  // mean-last=2 of a's seed 0 ({10, 14, 12, 11}) used its last two points.
  const RunValue& a0 = rankme::testing::Row(lean[2], "a").runs.at(0);
  REQUIRE(a0.checkpoints.size() == 2);
  CHECK(a0.used == std::vector<std::size_t>{0, 1});
  CHECK(a0.checkpoints[0].value == 12.0);
  CHECK(a0.checkpoints[1].value == 11.0);
  CHECK(a0.value == 11.5);
}
