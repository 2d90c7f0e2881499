// ranking_points is derived data kept by triggers (migrations/0004_ranking_points.sql): after
// every kind of change to tensors, scores, checkpoints and runs, through the catalog or through
// plain SQL (with foreign keys on and off, and INSERT OR REPLACE), it must equal the join it is
// derived from, row for row.
#include <SQLiteCpp/SQLiteCpp.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "rankme/store/catalog.h"
#include "store/catalog_rows.h"
#include "support/temp_dir.h"

using rankme::store::Catalog;
using rankme::store::Database;
using rankme::store::WriteTransaction;

namespace {

std::int64_t Count(SQLite::Database& raw, const std::string& sql) {
  return raw.execAndGet("SELECT count(*) FROM (" + sql + ")").getInt64();
}

// The rows of `sql`, one line each ("|" between columns).
std::string Rows(SQLite::Database& raw, const std::string& sql) {
  SQLite::Statement select(raw, sql);
  std::string out;
  while (select.executeStep()) {
    for (int i = 0; i < select.getColumnCount(); ++i) out += select.getColumn(i).getString() + "|";
    out += "\n";
  }
  return out;
}

// Fails the test (naming `what` and the differing rows) unless ranking_points holds exactly the
// rows of its source.
void RequireConsistent(SQLite::Database& raw, const std::string& what) {
  INFO("after " << what);
  const std::string extra =
      Rows(raw, "SELECT * FROM ranking_points EXCEPT SELECT * FROM ranking_points_source");
  const std::string missing =
      Rows(raw, "SELECT * FROM ranking_points_source EXCEPT SELECT * FROM ranking_points");
  INFO("rows of ranking_points not in its source:\n" << extra);
  INFO("rows of its source not in ranking_points:\n" << missing);
  REQUIRE(extra.empty());
  REQUIRE(missing.empty());
  REQUIRE(Count(raw, "SELECT * FROM ranking_points") ==
          Count(raw, "SELECT * FROM ranking_points_source"));
}

rankme::store::ScoreRow Score(const std::string& hash, const std::string& tensor, double value,
                              const std::string& settings) {
  return rankme::testing::RankmeScore(hash, tensor, value, settings);
}

rankme::store::StoredTensor Tensor(std::int64_t checkpoint, const std::string& file,
                                   const std::string& tensor, const std::string& hash,
                                   const std::string& status = "ok") {
  return rankme::testing::TensorRow(checkpoint, file, tensor,
                                    status == "ok" ? std::optional(hash) : std::nullopt, status);
}

}  // namespace

TEST_CASE("ranking_points follows what ingest writes", "[store]") {
  rankme::testing::TempDir dir;
  const std::string path = dir.File("r.db");
  Database db = Database::Open(path);
  SQLite::Database raw(path, SQLite::OPEN_READONLY);
  Catalog catalog(db);
  const std::string s7 = R"({"eps":1e-07})", s5 = R"({"eps":1e-05})";
  std::int64_t sweep = 0, a = 0, b = 0, a1 = 0, a2 = 0, b1 = 0;
  {
    WriteTransaction tx(db);
    sweep = catalog.UpsertSweep("/s");
    a = catalog.UpsertRun(sweep, rankme::testing::RunAt("/s/a", "0"));
    b = catalog.UpsertRun(sweep, rankme::testing::RunAt("/s/b", "1"));
    a1 = catalog.UpsertCheckpoint(a, "step_100", 100, std::nullopt, 0);
    a2 = catalog.UpsertCheckpoint(a, "step_300", 300, std::nullopt, 1);
    b1 = catalog.UpsertCheckpoint(b, "step_100", 100, std::nullopt, 0);
    // Scores before tensors (a score found by content) and after (a file scored).
    catalog.SaveScore(Score("h1", "embeddings", 10.0, s7));
    catalog.ReplaceTensors(
        a1, "[\"a1.pt\"]",
        {Tensor(a1, "a1.pt", "embeddings", "h1"), Tensor(a1, "a1.pt", "representations", "h1")});
    catalog.ReplaceTensors(a2, "[\"a2.npy\"]", {Tensor(a2, "a2.npy", "embeddings", "h2")});
    catalog.ReplaceTensors(b1, "[\"b1.npy\"]", {Tensor(b1, "b1.npy", "embeddings", "h1")});
    catalog.SaveScore(Score("h1", "representations", 11.0, s7));
    catalog.SaveScore(Score("h2", "embeddings", 12.0, s7));
    catalog.SaveScore(Score("h2", "embeddings", 13.0, s5));  // new settings beside the old
    catalog.SaveScore(Score("h2", "embeddings", 99.0, s5));  // the same identity: ignored
    tx.Commit();
  }
  RequireConsistent(raw, "the first ingest");
  CHECK(Count(raw, "SELECT * FROM ranking_points") == 5);
  CHECK(Count(raw, "SELECT * FROM score_settings") == 2);

  {
    // A checkpoint between the others renumbers positions; a file changes content; one
    // disappears from its source; a file stops being readable.
    WriteTransaction tx(db);
    const auto a15 = catalog.UpsertCheckpoint(a, "step_200", 200, std::nullopt, 1);
    catalog.UpsertCheckpoint(a, "step_300", 300, std::nullopt, 2);
    catalog.ReplaceTensors(a15, "[\"a15.npy\"]", {Tensor(a15, "a15.npy", "embeddings", "h2")});
    catalog.ReplaceTensors(a1, "[\"a1.pt\"]", {Tensor(a1, "a1.pt", "embeddings", "h3")});
    catalog.SaveScore(Score("h3", "embeddings", 14.0, s7));
    catalog.ReplaceTensors(b1, "[\"b1.npy\"]", {Tensor(b1, "b1.npy", "embeddings", "", "failed")});
    tx.Commit();
  }
  RequireConsistent(raw, "a second ingest");
  CHECK(raw.execAndGet("SELECT position FROM ranking_points WHERE checkpoint_id = " +
                       std::to_string(a2) + " LIMIT 1")
            .getInt64() == 2);
  CHECK(Count(raw, "SELECT * FROM ranking_points WHERE tensor = 'representations'") == 0);

  {
    WriteTransaction tx(db);
    catalog.MarkMissing(sweep, {a}, {});  // every file of the sweep gone, run b too
    tx.Commit();
  }
  RequireConsistent(raw, "files vanished");
  CHECK(Count(raw, "SELECT * FROM ranking_points") == 0);
}

TEST_CASE("ranking_points follows any change made in SQL", "[store]") {
  rankme::testing::TempDir dir;
  const std::string path = dir.File("r.db");
  Database::Open(path);  // creates the schema
  for (const bool foreign_keys : {true, false}) {
    for (const bool recursive_triggers : {true, false}) {
      INFO("foreign_keys " << foreign_keys << ", recursive_triggers " << recursive_triggers);
      SQLite::Database raw(path, SQLite::OPEN_READWRITE);
      raw.exec(std::string("PRAGMA foreign_keys = ") + (foreign_keys ? "ON" : "OFF"));
      raw.exec(std::string("PRAGMA recursive_triggers = ") + (recursive_triggers ? "ON" : "OFF"));
      raw.exec(
          "DELETE FROM runs; DELETE FROM checkpoints; DELETE FROM tensors; DELETE FROM scores;"
          "INSERT OR IGNORE INTO sweeps VALUES (1, '/s', 'x', 'x');"
          "INSERT OR IGNORE INTO configurations VALUES ('cfg', '{}')");
      RequireConsistent(raw, "emptying");
      std::mt19937 rng(foreign_keys * 2 + recursive_triggers);
      auto pick = [&](int n) {
        return std::to_string(std::uniform_int_distribution<>(0, n - 1)(rng));
      };
      const std::string tensors[] = {"'embeddings'", "'representations'"};
      const std::string statuses[] = {"'ok'", "'ok'", "'failed'", "'not_ready'", "'missing'"};
      auto tensor = [&] { return tensors[std::stoi(pick(2))]; };
      auto status = [&] { return statuses[std::stoi(pick(5))]; };
      auto hash = [&] { return "'h" + pick(6) + "'"; };
      auto settings = [&] { return "'{\"eps\":" + pick(3) + "}'"; };
      // A random stream of every kind of statement, some failing on a constraint (ignored).
      const std::vector<std::function<std::string()>> changes = {
          [&] {
            const std::string run = pick(5);
            return "INSERT INTO runs (run_id, sweep_id, path, name, layout, config_id, "
                   "config_json, first_seen_at, last_seen_at) VALUES (" +
                   run + ", 1, '/s/" + run + "', 'r', 'plain', 'cfg', '{}', 'x', 'x')";
          },
          [&] {
            return "INSERT INTO checkpoints (checkpoint_id, run_id, name, step, position) "
                   "VALUES (" +
                   pick(12) + ", " + pick(5) + ", 'c" + pick(6) + "', " + pick(9) + ", " + pick(6) +
                   ")";
          },
          [&] {
            return "INSERT OR REPLACE INTO checkpoints (checkpoint_id, run_id, name, position) "
                   "VALUES (" +
                   pick(12) + ", " + pick(5) + ", 'c" + pick(6) + "', " + pick(6) + ")";
          },
          [&] {
            return "UPDATE checkpoints SET position = " + pick(6) + ", step = " + pick(9) +
                   " WHERE checkpoint_id = " + pick(12);
          },
          [&] {
            return "UPDATE checkpoints SET name = 'c" + pick(9) +
                   "' WHERE checkpoint_id = " + pick(12);
          },
          [&] { return "DELETE FROM checkpoints WHERE checkpoint_id = " + pick(12); },
          [&] { return "DELETE FROM runs WHERE run_id = " + pick(5); },
          [&] {
            return "INSERT INTO tensors (checkpoint_id, source, tensor, files_json, stat_key, "
                   "content_hash, status, updated_at) VALUES (" +
                   pick(12) + ", 's" + pick(2) + "', " + tensor() + ", '[]', 'k', " + hash() +
                   ", " + status() + ", 'x')";
          },
          [&] {
            return "INSERT OR REPLACE INTO tensors (tensor_id, checkpoint_id, source, tensor, "
                   "files_json, stat_key, content_hash, status, updated_at) VALUES (" +
                   pick(30) + ", " + pick(12) + ", 's" + pick(2) + "', " + tensor() +
                   ", '[]', 'k', " + hash() + ", " + status() + ", 'x')";
          },
          [&] {
            return "UPDATE tensors SET status = " + status() + " WHERE tensor_id = " + pick(30);
          },
          [&] {
            return "UPDATE tensors SET content_hash = " + hash() + " WHERE tensor_id = " + pick(30);
          },
          [&] {
            return "UPDATE tensors SET tensor = " + tensor() + " WHERE tensor_id = " + pick(30);
          },
          [&] {
            return "UPDATE tensors SET checkpoint_id = " + pick(12) +
                   " WHERE tensor_id = " + pick(30);
          },
          [&] {
            return "UPDATE tensors SET attempts = attempts + 1 WHERE tensor_id = " + pick(30);
          },
          [&] { return "DELETE FROM tensors WHERE tensor_id = " + pick(30); },
          [&] {
            return "INSERT INTO scores (content_hash, tensor, metric, settings_key, value, "
                   "status, method, rows_used, rows_total, cols, dtype, eps, max_samples, "
                   "subsample_seed, algorithm_version, tool_version, computed_at) VALUES (" +
                   hash() + ", " + tensor() + ", 'rankme', " + settings() + ", " + pick(50) +
                   ", 'ok', 'gram', 512, 512, 64, 'float32', 1e-7, 0, 0, 1, 't', 'x')";
          },
          [&] {
            return "INSERT OR REPLACE INTO scores (score_id, content_hash, tensor, metric, "
                   "settings_key, value, status, method, rows_used, rows_total, cols, dtype, eps, "
                   "max_samples, subsample_seed, algorithm_version, tool_version, computed_at) "
                   "VALUES (" +
                   pick(20) + ", " + hash() + ", " + tensor() + ", 'rankme', " + settings() +
                   ", NULL, 'degenerate', 'gram', 512, 512, 64, 'float32', 1e-7, 0, "
                   "0, 1, 't', 'x')";
          },
          [&] { return "UPDATE scores SET value = " + pick(50) + " WHERE score_id = " + pick(20); },
          [&] {
            return "UPDATE scores SET settings_key = " + settings() +
                   " WHERE score_id = " + pick(20);
          },
          [&] {
            return "UPDATE scores SET content_hash = " + hash() + " WHERE score_id = " + pick(20);
          },
          [&] { return "DELETE FROM scores WHERE score_id = " + pick(20); },
      };
      // Inserts three times as likely as the rest, so that points pile up to be changed.
      std::vector<std::size_t> weighted;
      for (std::size_t i = 0; i < changes.size(); ++i) {
        const bool insert = changes[i]().rfind("INSERT INTO", 0) == 0;
        weighted.insert(weighted.end(), insert ? 3 : 1, i);
      }
      int applied = 0;
      std::int64_t most_points = 0;
      for (int step = 0; step < 1500; ++step) {
        const std::string sql =
            changes[weighted[std::stoi(pick(static_cast<int>(weighted.size())))]]();
        // Replacing a tensor row or a checkpoint by its other unique key deletes it unseen by
        // the triggers unless recursive triggers are on (as on rankme's connections): not
        // promised without them.
        if (!recursive_triggers && (sql.find("REPLACE INTO tensors") != std::string::npos ||
                                    sql.find("REPLACE INTO checkpoints") != std::string::npos)) {
          continue;
        }
        try {
          applied += raw.exec(sql) > 0;
        } catch (const SQLite::Exception&) {
          // A constraint (UNIQUE, NOT NULL, a foreign key): the statement changed nothing.
        }
        RequireConsistent(raw, sql);
        most_points = std::max(most_points, Count(raw, "SELECT * FROM ranking_points"));
      }
      CHECK(applied > 100);
      CHECK(most_points >= 10);  // the stream did build points to keep
    }
  }
}
