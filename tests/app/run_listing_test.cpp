// ListScores: every stored score in one read, in the order `runs` and `show RUN` give them.
#include "rankme/app/run_listing.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "support/score_database.h"
#include "support/temp_dir.h"

using namespace rankme;

namespace {

// Three runs of two configurations, two checkpoints each, two tensors and two metrics; run
// names chosen so that name order differs from ListRuns' (configuration, then name) order.
std::string WriteDatabase(const testing::TempDir& dir) {
  const std::string path = dir.File("scores.db");
  testing::ScoreDatabase db(path);
  const struct {
    const char* name;
    const char* config;
    const char* seed;
  } runs[] = {{"a_run", "cfg_b", "0"}, {"b_run", "cfg_a", "1"}, {"c_run", "cfg_a", "0"}};
  double value = 1;
  for (const auto& r : runs) {
    const auto run =
        db.AddRun(r.name, r.config, {{"lr", r.config[4] == 'a' ? "0.1" : "0.2"}}, r.seed);
    for (int k = 0; k < 2; ++k) {
      const auto checkpoint = db.AddCheckpoint(run, "step_" + std::to_string(k), k * 100, {}, k);
      for (const char* tensor : {"representations", "embeddings"}) {
        for (const char* metric : {"rankme", "stable_rank"}) {
          db.AddScore(checkpoint, tensor, metric, value++);
        }
      }
    }
  }
  db.Close();
  return path;
}

}  // namespace

TEST_CASE("ListScores gives every run's scores as ShowRun does, runs in ListRuns order", "[app]") {
  testing::TempDir dir;
  const std::string db = WriteDatabase(dir);
  std::vector<CheckpointScore> expected;
  for (const auto& overview : app::ListRuns(db)) {
    for (const auto& s : app::ShowRun(db, overview.run.path).scores) expected.push_back(s);
  }
  const auto scores = app::ListScores(db);
  REQUIRE(scores.size() == 3 * 2 * 2 * 2);
  REQUIRE(scores.size() == expected.size());
  for (std::size_t i = 0; i < scores.size(); ++i) {
    CHECK(scores[i].run == expected[i].run);
    CHECK(scores[i].checkpoint == expected[i].checkpoint);
    CHECK(scores[i].tensor == expected[i].tensor);
    CHECK(scores[i].metric == expected[i].metric);
    CHECK(scores[i].value == expected[i].value);
  }
  CHECK(scores.front().config_id == "cfg_a");  // configuration first, then name
  CHECK(scores.back().run == "a_run");
}

TEST_CASE("ListScores keeps the metric and tensor asked for", "[app]") {
  testing::TempDir dir;
  const std::string db = WriteDatabase(dir);
  const auto rankme = app::ListScores(db, {.metric = "rankme", .tensor = ""});
  CHECK(rankme.size() == 12);
  for (const auto& s : rankme) CHECK(s.metric == "rankme");
  const auto one = app::ListScores(db, {.metric = "stable_rank", .tensor = "embeddings"});
  CHECK(one.size() == 6);
  for (const auto& s : one) CHECK((s.metric == "stable_rank" && s.tensor == "embeddings"));
  CHECK(app::ListScores(db, {.metric = "", .tensor = "nothing"}).empty());
}

TEST_CASE("RenderScoresJson is show's scores, each with its run, configuration and seed", "[app]") {
  testing::TempDir dir;
  const std::string db = WriteDatabase(dir);
  const auto rows = nlohmann::json::parse(app::RenderScoresJson(app::ListScores(db)));
  const auto shown = nlohmann::json::parse(app::RenderRunJson(app::ShowRun(db, "c_run")));
  std::size_t matched = 0;
  for (const auto& row : rows) {
    if (row["run"] != "c_run") continue;
    nlohmann::json expected = shown["scores"][matched++];
    expected["run"] = shown["run"];
    expected["config_id"] = shown["config_id"];
    expected["seed"] = shown["seed"];
    CHECK(row == expected);
  }
  CHECK(matched == shown["scores"].size());
  CHECK(rows[0]["seed"] == "1");
}
