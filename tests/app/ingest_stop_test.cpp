// Ingest asked to stop by its observer (Ctrl-C in Python): the work in flight is committed,
// nothing else is read, and the next ingest completes the sweep. And the --json summary.
#include <catch2/catch.hpp>
#include <filesystem>

#include "app/ingest_test_support.h"
#include "rankme/app/ingest.h"

namespace fs = std::filesystem;
using rankme::testing::IngestOptionsFor;
using rankme::testing::MakeSweep;
using rankme::testing::QueryInt;
using rankme::testing::StoredScores;
using rankme::testing::TempDir;

namespace {

// Asks to stop once `after` sources are done (0: at once, before any work).
class StopAfter final : public rankme::app::IngestObserver {
 public:
  explicit StopAfter(std::int64_t after) : after_(after) {}
  void OnPlan(const std::string&, std::int64_t total, std::int64_t) override { total_ = total; }
  void OnSource(std::int64_t done, std::int64_t, const std::string&, const std::string&) override {
    done_ = done;
  }
  bool StopRequested() override {
    ++polls_;
    return done_ >= after_;
  }
  std::int64_t total_ = 0, done_ = 0, polls_ = 0;

 private:
  std::int64_t after_;
};

std::int64_t RankmeScores(const std::string& db) {
  return QueryInt(db, "SELECT count(*) FROM scores WHERE metric = 'rankme'");
}

}  // namespace

TEST_CASE("Ingest stops when its observer asks, with what was scored committed", "[ingest]") {
  TempDir dir;
  const std::string root = (dir.path() / "sweep").string();
  // 24 sources, each long enough to score that the writer keeps up with the workers.
  MakeSweep(root,
            "--layout plain --runs 3 --checkpoints 4 --rows 4000 --cols 128 "
            "--no-truth-scores");
  std::string db;
  for (const int jobs : {1, 2}) {
    db = dir.File("rankme" + std::to_string(jobs) + ".db");
    auto options = IngestOptionsFor(root, db);
    options.jobs = jobs;
    StopAfter observer(2);
    const auto summary = rankme::app::Ingest(options, &observer);
    CHECK(summary.stopped);
    CHECK(observer.total_ == 24);
    CHECK(observer.polls_ >= 2);
    // Every outcome reported was written, and what the workers had taken; nothing more.
    CHECK(summary.scored == RankmeScores(db));
    CHECK(summary.scored >= 2);
    CHECK(summary.scored < 12);
    CHECK(summary.runs == 3);
    CHECK(QueryInt(db, "SELECT count(*) FROM runs") == 3);
    CHECK(summary.missing == 0);  // not marked: the sweep was not finished

    const auto rest = rankme::app::Ingest(options);
    CHECK_FALSE(rest.stopped);
    CHECK(rest.scored == 24 - summary.scored);
    CHECK(RankmeScores(db) == 24);
  }
  // The same scores as an ingest never stopped.
  const std::string fresh = dir.File("fresh.db");
  rankme::app::Ingest(IngestOptionsFor(root, fresh));
  const auto a = StoredScores(db, fs::canonical(root).string());
  const auto b = StoredScores(fresh, fs::canonical(root).string());
  REQUIRE(a.size() == b.size());
  for (const auto& [key, score] : a) CHECK(score.value == b.at(key).value);
}

TEST_CASE("Ingest asked to stop before any work reads nothing but keeps the runs", "[ingest]") {
  TempDir dir;
  const std::string root = (dir.path() / "sweep").string();
  MakeSweep(root, "--layout plain --runs 2 --checkpoints 2");
  const std::string db = dir.File("rankme.db");
  StopAfter observer(0);
  auto options = IngestOptionsFor(root, db);
  options.roots = {root, root};  // the second root is never reached
  const auto summary = rankme::app::Ingest(options, &observer);
  CHECK(summary.stopped);
  CHECK(summary.sweeps == 1);
  CHECK(summary.files_read == 0);
  CHECK(RankmeScores(db) == 0);
  CHECK(QueryInt(db, "SELECT count(*) FROM runs") == 2);
  CHECK(rankme::app::Ingest(IngestOptionsFor(root, db)).scored == 8);
}

TEST_CASE("RenderIngestJson holds every count of the summary", "[ingest]") {
  rankme::app::IngestSummary s;
  s.sweeps = 1;
  s.runs = 2;
  s.configurations = 3;
  s.checkpoints = 4;
  s.sources = 5;
  s.scored = 6;
  s.scored_by_method = {{"gram32", 4}, {"qr", 2}};
  s.reused = 7;
  s.unchanged = 8;
  s.touched = 9;
  s.failed = 10;
  s.not_ready = 11;
  s.missing = 12;
  s.files_read = 13;
  s.seconds = 1.5;
  s.warnings = {"bad \x01 file"};
  s.notes = {"lr: named from optim.lr"};
  s.stopped = true;
  const auto j = nlohmann::json::parse(rankme::app::RenderIngestJson(s, "/x/r.db"));
  CHECK(j["database"] == "/x/r.db");
  const std::pair<const char*, std::int64_t> counts[] = {
      {"sweeps", 1},     {"runs", 2},     {"configurations", 3}, {"checkpoints", 4}, {"sources", 5},
      {"scored", 6},     {"reused", 7},   {"unchanged", 8},      {"touched", 9},     {"failed", 10},
      {"not_ready", 11}, {"missing", 12}, {"files_read", 13}};
  for (const auto& [key, value] : counts) CHECK(j[key] == value);
  CHECK(j["scored_by_method"] == nlohmann::json({{"gram32", 4}, {"qr", 2}}));
  CHECK(j["seconds"] == 1.5);
  CHECK(j["warnings"] == nlohmann::json({"bad \x01 file"}));
  CHECK(j["notes"] == nlohmann::json({"lr: named from optim.lr"}));
  CHECK(j["stopped"] == true);
  CHECK(j.size() == 19);
}
