// Configuration identity end to end: the real sweep's three layouts ranked by one name per
// hyperparameter, aliases, and a database re-keyed by a new naming without rescoring.
#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <set>

#include "app/ingest_test_support.h"
#include "app/real_sweep_support.h"
#include "rankme/app/ingest.h"
#include "rankme/app/selection.h"
#include "rankme/ranking/marginals.h"

namespace fs = std::filesystem;
using namespace rankme;
using rankme::testing::IngestOptionsFor;
using rankme::testing::QueryInt;
using rankme::testing::QueryText;
using rankme::testing::TempDir;

namespace {

std::string RealSweep() { return fs::canonical(testing::kRealSweep).string(); }

ranking::Leaderboard BoardWithin(const std::string& db, const std::string& within) {
  app::SelectionOptions options;
  options.db_path = db;
  options.ranking.within = within;
  return app::LoadLeaderboard(options);
}

std::set<std::string> Keys(const std::vector<std::string>& keys) {
  return {keys.begin(), keys.end()};
}

}  // namespace

TEST_CASE("The real sweep's leaderboard shows what varies within a method, by one name",
          "[ingest]") {
  TempDir dir;
  const std::string db = dir.File("rankme.db");
  const auto summary = app::Ingest(IngestOptionsFor(RealSweep(), db));
  REQUIRE(summary.failed == 0);
  CHECK(summary.notes.empty());  // no key had to keep a long name

  for (const std::string within : {"method"}) {
    const ranking::Leaderboard board = BoardWithin(db, within);
    // Hydra's loss.temperature and Lightning's temperature are one column, as are Hydra's
    // loss.std_coeff and W&B's std_coeff; keys only Hydra writes (batch_size, proj_dim, ...) or
    // that W&B leaves out (weight_decay) are constant where written: hidden, with a note.
    // VICReg's sim_coeff and cov_coeff are constant in every VICReg configuration: not shown,
    // and not worth a note.
    CHECK(board.varying_keys == std::vector<std::string>{"method", "std_coeff", "temperature"});
    CHECK(Keys(board.hidden_keys) ==
          std::set<std::string>{"batch_size", "proj_dim", "rep_dim", "train_n", "weight_decay"});
    CHECK(std::any_of(board.notes.begin(), board.notes.end(), [](const std::string& note) {
      return note.find("not shown") != std::string::npos &&
             note.find("batch_size = 256") != std::string::npos;
    }));
    REQUIRE(board.configurations.size() == 4);
    for (const auto& row : board.configurations) {
      INFO(row.config_id << " " << row.group);
      CHECK(row.runs.size() == 2);  // both seeds, whatever layout wrote them
      // `-` only where the method has no such hyperparameter.
      const bool simclr = row.group == "\"simclr\"";
      CHECK(row.hyperparameters.count("temperature") == (simclr ? 1u : 0u));
      CHECK(row.hyperparameters.count("std_coeff") == (simclr ? 0u : 1u));
    }
    // One set of marginal rows per hyperparameter.
    std::set<std::pair<std::string, std::string>> marginal_keys;
    for (const auto& m : ranking::Marginals(board)) marginal_keys.insert({m.group, m.key});
    CHECK(marginal_keys == std::set<std::pair<std::string, std::string>>{
                               {"\"simclr\"", "temperature"}, {"\"vicreg\"", "std_coeff"}});
    // A key is asked for by its name or as a config wrote it.
    CHECK(board.KeyName("loss.std_coeff") == "std_coeff");
    CHECK(board.KeyName("std_coeff") == "std_coeff");
  }
  // params keep the key as written beside its name, and the role discovery gave it.
  CHECK(QueryText(db,
                  "SELECT group_concat(DISTINCT name) FROM params WHERE key = 'loss.temperature' "
                  "AND role = 'hyperparameter'") == "temperature");
  CHECK(QueryInt(db, "SELECT count(*) FROM params WHERE key = 'loss.temperature' AND swept = 1") ==
        2);
  CHECK(QueryInt(db, "SELECT count(*) FROM params WHERE key = 'seed' AND role = 'seed'") == 8);
}

TEST_CASE("Ranking within a hyperparameter accepts it as a config wrote it", "[ingest]") {
  TempDir dir;
  const std::string db = dir.File("rankme.db");
  app::Ingest(IngestOptionsFor(RealSweep(), db));
  const ranking::Leaderboard by_name = BoardWithin(db, "std_coeff");
  const ranking::Leaderboard as_written = BoardWithin(db, "loss.std_coeff");
  CHECK(as_written.within == "std_coeff");
  CHECK(as_written.groups == by_name.groups);
  CHECK(as_written.groups.size() == 3);  // 0, 25, and the SimCLR runs without it
}

TEST_CASE("A key alias renames a hyperparameter, and re-ingesting re-keys without rescoring",
          "[ingest]") {
  TempDir dir;
  const std::string db = dir.File("rankme.db");
  auto aliased = IngestOptionsFor(RealSweep(), db);
  aliased.discovery.key_aliases = {{"temperature", "tau", "--key-alias"}};
  const auto first = app::Ingest(aliased);
  CHECK(first.scored == 96);
  CHECK(BoardWithin(db, "method").varying_keys ==
        std::vector<std::string>{"method", "std_coeff", "tau"});
  const std::string ids_aliased =
      QueryText(db,
                "SELECT group_concat(config_id) FROM (SELECT config_id FROM configurations "
                "ORDER BY config_id)");

  // The next ingest names it by the built-in rule again: every run is keyed anew, nothing is
  // read or scored, and the configurations of the old names are gone.
  const auto again = app::Ingest(IngestOptionsFor(RealSweep(), db));
  CHECK(again.scored == 0);
  CHECK(again.files_read == 0);
  CHECK(again.configurations == 4);
  CHECK(QueryInt(db, "SELECT count(*) FROM configurations") == 4);
  CHECK(QueryInt(db, "SELECT count(*) FROM configurations WHERE config_key LIKE '%\"tau\"%'") == 0);
  CHECK(QueryText(db,
                  "SELECT group_concat(config_id) FROM (SELECT config_id FROM "
                  "configurations ORDER BY config_id)") != ids_aliased);
  CHECK(BoardWithin(db, "method").varying_keys ==
        std::vector<std::string>{"method", "std_coeff", "temperature"});
}

TEST_CASE("A database keyed by written names is re-keyed by the next ingest", "[ingest]") {
  // What an earlier version stored: configurations keyed by the keys as written (Hydra's
  // optim.lr beside Lightning's lr) and params without names. Made here from a fresh ingest.
  TempDir dir;
  const std::string db = dir.File("rankme.db");
  app::Ingest(IngestOptionsFor(RealSweep(), db));
  {
    SQLite::Database raw(db, SQLite::OPEN_READWRITE);
    raw.exec(R"(
      CREATE TEMP TABLE written AS
        SELECT r.run_id, (SELECT json_group_object(key, json(value_json)) FROM
                            (SELECT key, value_json FROM params p WHERE p.run_id = r.run_id
                             AND role = 'hyperparameter' ORDER BY key)) AS config_key
        FROM runs r;
      CREATE TEMP TABLE keys AS SELECT DISTINCT config_key FROM written;
      INSERT OR IGNORE INTO configurations (config_id, config_key)
        SELECT 'old' || rowid, config_key FROM keys;
      UPDATE runs SET config_id = (SELECT c.config_id FROM written w JOIN configurations c
                                   USING (config_key) WHERE w.run_id = runs.run_id);
      DELETE FROM configurations WHERE config_id NOT IN (SELECT config_id FROM runs);
      UPDATE params SET name = key;
    )");
  }
  // Hydra's two configurations were keyed by optim.lr; the flat layouts' keys were the same.
  REQUIRE(QueryInt(db, "SELECT count(*) FROM configurations WHERE config_key LIKE '%optim.lr%'") ==
          2);
  REQUIRE(QueryInt(db, "SELECT count(*) FROM configurations WHERE config_id LIKE 'old%'") == 2);
  const auto again = app::Ingest(IngestOptionsFor(RealSweep(), db));
  CHECK(again.scored == 0);
  CHECK(again.files_read == 0);
  CHECK(QueryInt(db, "SELECT count(*) FROM configurations") == 4);
  CHECK(QueryInt(db, "SELECT count(*) FROM configurations WHERE config_id LIKE 'old%'") == 0);
  CHECK(QueryInt(db, "SELECT count(*) FROM configurations WHERE config_key LIKE '%optim.lr%'") ==
        0);
  CHECK(QueryText(db, "SELECT group_concat(DISTINCT name) FROM params WHERE key = 'optim.lr'") ==
        "lr");
  CHECK(BoardWithin(db, "method").varying_keys ==
        std::vector<std::string>{"method", "std_coeff", "temperature"});
}
