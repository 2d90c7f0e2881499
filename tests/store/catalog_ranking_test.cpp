// The reads `best` and `leaderboard` start from, checked against the plain SQL join they replace
// (from ranking_points on schema 4; by the merge of older schemas, with and without the schema 3
// indexes), on content shared between checkpoints and tensors, several settings per content,
// and rows that must not match.
#include <SQLiteCpp/SQLiteCpp.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "rankme/store/catalog.h"
#include "store/catalog_rows.h"
#include "support/temp_dir.h"

using rankme::store::Catalog;
using rankme::store::Database;
using rankme::store::WriteTransaction;

namespace {

// One joined row, comparable.
using Row = std::tuple<std::int64_t, std::int64_t, std::string, std::optional<std::int64_t>,
                       std::optional<std::int64_t>, std::int64_t, std::optional<double>, bool,
                       std::int64_t, std::int64_t, std::string>;

using rankme::testing::RunAt;
using rankme::testing::TensorRow;

rankme::store::ScoreRow Score(const std::string& hash, const std::string& tensor,
                              std::optional<double> value, const std::string& settings,
                              std::int64_t rows = 512, const std::string& metric = "rankme") {
  return rankme::testing::RankmeScore(hash, tensor, value, settings, rows, metric);
}

// Two runs whose checkpoints share content (the same bytes dumped twice, and one file holding
// both tensors), contents scored under two settings, a degenerate score, a tensor without a
// score, a score without a tensor, a failed read, a tensor not ready and another metric.
void Fill(Database& db) {
  Catalog catalog(db);
  WriteTransaction tx(db);
  const auto sweep = catalog.UpsertSweep("/s");
  const auto a = catalog.UpsertRun(sweep, RunAt("/s/a", "0"));
  const auto b = catalog.UpsertRun(sweep, RunAt("/s/b", "1"));
  const auto a1 = catalog.UpsertCheckpoint(a, "step_100", 100, std::nullopt, 0);
  const auto a2 = catalog.UpsertCheckpoint(a, "step_200", 200, std::nullopt, 1);
  const auto a3 = catalog.UpsertCheckpoint(a, "step_300", 300, std::nullopt, 2);
  const auto b1 = catalog.UpsertCheckpoint(b, "epoch_1", std::nullopt, 1, 0);
  const auto b2 = catalog.UpsertCheckpoint(b, "epoch_2", std::nullopt, 2, 1);
  const auto b3 = catalog.UpsertCheckpoint(b, "epoch_3", std::nullopt, 3, 2);
  // Content order differs from checkpoint order: "c..." before "f...".
  catalog.ReplaceTensors(a1, "[\"a1.pt\"]",
                         {TensorRow(a1, "a1.pt", "embeddings", "f1"),
                          TensorRow(a1, "a1.pt", "representations", "f1")});
  catalog.ReplaceTensors(a2, "[\"a2.npy\"]", {TensorRow(a2, "a2.npy", "embeddings", "c2")});
  catalog.ReplaceTensors(a3, "[\"a3.npy\"]", {TensorRow(a3, "a3.npy", "embeddings", "f1")});
  catalog.ReplaceTensors(b1, "[\"b1.npy\"]", {TensorRow(b1, "b1.npy", "embeddings", "d0")});
  catalog.ReplaceTensors(b2, "[\"b2.npy\"]", {TensorRow(b2, "b2.npy", "embeddings", "e9")});
  catalog.ReplaceTensors(b2, "[\"b2.pt\"]", {TensorRow(b2, "b2.pt", "embeddings", "a7")});
  catalog.ReplaceTensors(b3, "[\"b3.npy\"]",
                         {TensorRow(b3, "b3.npy", "embeddings", std::nullopt, "failed")});
  catalog.ReplaceTensors(b3, "[\"b3.pt\"]",
                         {TensorRow(b3, "b3.pt", "embeddings", "b5", "not_ready")});
  const std::string s7 = R"({"eps":1e-07})", s5 = R"({"eps":1e-05})";
  catalog.SaveScore(Score("f1", "embeddings", 30.5, s7));
  catalog.SaveScore(Score("f1", "embeddings", 31.5, s5, 256));
  catalog.SaveScore(Score("f1", "representations", 40.0, s7));
  catalog.SaveScore(Score("c2", "embeddings", 20.25, s7));
  catalog.SaveScore(Score("d0", "embeddings", std::nullopt, s7));
  catalog.SaveScore(Score("a7", "embeddings", 12.0, s5));
  catalog.SaveScore(Score("b5", "embeddings", 13.0, s7));  // its tensor is not ready
  catalog.SaveScore(Score("99", "embeddings", 14.0, s7));  // no tensor has this content
  catalog.SaveScore(Score("c2", "embeddings", 1.0, s7, 512, "other"));
  // e9 has no score.
  tx.Commit();
}

// The rows visited, sorted (the order differs between schemas and is not promised).
std::vector<Row> Visited(Database& db, const std::string& metric, const std::string& tensor) {
  std::vector<Row> rows;
  Catalog(db).VisitRankingScores(metric, tensor, [&](const rankme::store::RankingScoreView& v) {
    rows.emplace_back(v.run_id, v.checkpoint_id, std::string(v.checkpoint), v.step, v.epoch,
                      v.position, v.value, v.degenerate, v.rows_used, v.cols,
                      std::string(v.settings_key));
  });
  std::sort(rows.begin(), rows.end());
  return rows;
}

// The join as one SQL statement, searching the scores per tensor row; sorted.
std::vector<Row> Joined(const std::string& path, const std::string& metric,
                        const std::string& tensor) {
  SQLite::Database raw(path, SQLite::OPEN_READONLY);
  SQLite::Statement select(
      raw,
      "SELECT c.run_id, c.checkpoint_id, c.name, c.step, c.epoch, c.position, s.value, "
      "s.status = 'degenerate', s.rows_used, s.cols, s.settings_key "
      "FROM tensors t JOIN checkpoints c USING (checkpoint_id) "
      "JOIN scores s ON s.content_hash = t.content_hash AND s.tensor = t.tensor "
      "AND s.metric = ?1 WHERE t.status = 'ok' AND t.tensor = ?2 "
      "ORDER BY t.content_hash, t.checkpoint_id, s.settings_key");
  select.bind(1, metric);
  select.bind(2, tensor);
  std::vector<Row> rows;
  auto optional_int = [&](int i) {
    return select.getColumn(i).isNull()
               ? std::nullopt
               : std::optional<std::int64_t>(select.getColumn(i).getInt64());
  };
  while (select.executeStep()) {
    rows.emplace_back(select.getColumn(0).getInt64(), select.getColumn(1).getInt64(),
                      select.getColumn(2).getString(), optional_int(3), optional_int(4),
                      select.getColumn(5).getInt64(),
                      select.getColumn(6).isNull()
                          ? std::nullopt
                          : std::optional<double>(select.getColumn(6).getDouble()),
                      select.getColumn(7).getInt() != 0, select.getColumn(8).getInt64(),
                      select.getColumn(9).getInt64(), select.getColumn(10).getString());
  }
  std::sort(rows.begin(), rows.end());
  return rows;
}

}  // namespace

TEST_CASE("Catalog::VisitRankingScores gives the rows of the scores join on every schema",
          "[store]") {
  rankme::testing::TempDir dir;
  const std::string path = dir.File("r.db");
  {
    Database db = Database::Open(path);
    Fill(db);
  }
  REQUIRE(Database::LatestSchemaVersion() >= 4);
  // Schema 4 reads ranking_points; marked as schema 3 the same file is read by the merge of
  // tensors and scores, then also without the indexes of schema 3 (as schemas 1 and 2).
  for (const std::string variant : {"ranking_points", "merge", "merge without indexes"}) {
    INFO(variant);
    if (variant != "ranking_points") {
      SQLite::Database raw(path, SQLite::OPEN_READWRITE);
      raw.exec("PRAGMA user_version = 3");
      if (variant == "merge without indexes") {
        raw.exec("DROP INDEX scores_for_ranking; DROP INDEX tensors_for_ranking");
      }
    }
    Database db = Database::Open(path, {.create = false, .migrate = false, .read_only = true});
    for (const std::string tensor : {"embeddings", "representations", "nosuch"}) {
      INFO(tensor);
      CHECK(Visited(db, "rankme", tensor) == Joined(path, "rankme", tensor));
    }
    CHECK(Visited(db, "other", "embeddings") == Joined(path, "other", "embeddings"));
    CHECK(Visited(db, "nosuch", "embeddings").empty());
    // Spelled out once: the checkpoints with content a7, c2, d0 and f1 (two checkpoints x two
    // settings); e9 (no score), 99 (no tensor), b5 (not ready) and the failed read give nothing.
    auto rows = Visited(db, "rankme", "embeddings");
    std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
      return std::tie(std::get<2>(a), std::get<10>(a)) < std::tie(std::get<2>(b), std::get<10>(b));
    });
    std::vector<std::pair<std::string, std::string>> seen;
    for (const Row& row : rows) seen.emplace_back(std::get<2>(row), std::get<10>(row));
    CHECK(seen ==
          std::vector<std::pair<std::string, std::string>>{{"epoch_1", R"({"eps":1e-07})"},
                                                           {"epoch_2", R"({"eps":1e-05})"},
                                                           {"step_100", R"({"eps":1e-05})"},
                                                           {"step_100", R"({"eps":1e-07})"},
                                                           {"step_200", R"({"eps":1e-07})"},
                                                           {"step_300", R"({"eps":1e-05})"},
                                                           {"step_300", R"({"eps":1e-07})"}});
    CHECK(std::get<7>(rows[0]));                    // d0 (epoch_1) is degenerate
    CHECK_FALSE(std::get<6>(rows[0]).has_value());  // ... without a value
    CHECK(std::get<8>(rows[2]) == 256);             // rows_used of the eps 1e-5 score
    CHECK(std::get<6>(rows[3]) == std::optional<double>(30.5));
  }
}

TEST_CASE("Catalog::ScoredTensorNames lists the keys of ScoredTensors on every schema", "[store]") {
  rankme::testing::TempDir dir;
  const std::string path = dir.File("r.db");
  {
    Database db = Database::Open(path);
    Fill(db);
  }
  for (const int version : {Database::LatestSchemaVersion(), 2}) {
    INFO("schema " << version);
    if (version != Database::LatestSchemaVersion()) {
      SQLite::Database raw(path, SQLite::OPEN_READWRITE);
      raw.exec("PRAGMA user_version = " + std::to_string(version));
    }
    Database db = Database::Open(path, {.create = false, .migrate = false, .read_only = true});
    Catalog catalog(db);
    for (const std::string metric : {"rankme", "other", "nosuch"}) {
      std::vector<std::string> keys;
      for (const auto& [name, count] : catalog.ScoredTensors(metric)) keys.push_back(name);
      CHECK(catalog.ScoredTensorNames(metric) == keys);
    }
    CHECK(catalog.ScoredTensorNames("rankme") ==
          std::vector<std::string>{"embeddings", "representations"});
  }
}

TEST_CASE("Catalog::TensorFiles takes, of several sources, the first by content", "[store]") {
  rankme::testing::TempDir dir;
  Database db = Database::Open(dir.File("r.db"));
  Fill(db);
  SQLite::Database raw(dir.File("r.db"), SQLite::OPEN_READONLY);
  const auto b2 =
      raw.execAndGet("SELECT checkpoint_id FROM checkpoints WHERE name = 'epoch_2'").getInt64();
  const auto a1 =
      raw.execAndGet("SELECT checkpoint_id FROM checkpoints WHERE name = 'step_100'").getInt64();
  const auto files = Catalog(db).TensorFiles("embeddings", {b2, a1});
  CHECK(files.at(b2) == R"(["b2.pt#embeddings"])");  // content a7 before e9
  CHECK(files.at(a1) == R"(["a1.pt#embeddings"])");
  CHECK(Catalog(db).TensorFiles("representations", {b2}).empty());
}
