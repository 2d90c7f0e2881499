#include "rankme/store/catalog.h"

#include <SQLiteCpp/SQLiteCpp.h>

#include <catch2/catch.hpp>

#include "support/temp_dir.h"

using rankme::store::Catalog;
using rankme::store::Database;
using rankme::store::WriteTransaction;

namespace {

rankme::store::RunUpsert MakeRun(const std::string& path, const std::string& config_id,
                                 const std::string& seed) {
  rankme::store::RunUpsert run;
  run.path = path;
  run.name = path.substr(path.rfind('/') + 1);
  run.layout = "hydra";
  run.config_id = config_id;
  run.config_key = R"({"lr":0.001,"method":"vicreg"})";
  run.seed = seed;
  run.config_json = R"({"lr":0.001,"method":"vicreg","seed":)" + seed + "}";
  run.params = {{"lr", "0.001", "hyperparameter"},
                {"method", "\"vicreg\"", "hyperparameter"},
                {"seed", seed, "seed"}};
  return run;
}

rankme::store::ScoreRow MakeScore(const std::string& hash, double value, double eps) {
  rankme::store::ScoreRow s;
  s.content_hash = hash;
  s.tensor = "embeddings";
  s.metric = "rankme";
  s.settings_key = "{\"eps\":" + std::to_string(eps) + "}";
  s.value = value;
  s.status = "ok";
  s.method = "gram";
  s.rows_used = s.rows_total = 512;
  s.cols = 64;
  s.dtype = "float16";
  s.eps = eps;
  s.max_samples = 25600;
  s.algorithm_version = 1;
  s.tool_version = "test";
  return s;
}

std::int64_t Count(Database& db, const std::string& table) {
  SQLite::Database raw(db.path(), SQLite::OPEN_READONLY);
  return raw.execAndGet("SELECT count(*) FROM " + table).getInt64();
}

}  // namespace

TEST_CASE("Catalog upserts are idempotent: the same run twice is one row", "[store]") {
  rankme::testing::TempDir dir;
  Database db = Database::Open(dir.File("c.db"));
  Catalog catalog(db);
  std::int64_t first = 0, second = 0;
  for (int pass = 0; pass < 2; ++pass) {
    WriteTransaction tx(db);
    const auto sweep = catalog.UpsertSweep("/sweeps/a");
    first = catalog.UpsertRun(sweep, MakeRun("/sweeps/a/0", "cfg1", "0"));
    second = catalog.UpsertRun(sweep, MakeRun("/sweeps/a/1", "cfg1", "1"));
    catalog.UpsertCheckpoint(first, "epoch_001", std::nullopt, 1, 0);
    catalog.UpsertCheckpoint(first, "epoch_003", std::nullopt, 3, 1);
    tx.Commit();
  }
  CHECK(first != second);
  CHECK(Count(db, "sweeps") == 1);
  CHECK(Count(db, "runs") == 2);
  CHECK(Count(db, "configurations") == 1);
  CHECK(Count(db, "params") == 6);
  CHECK(Count(db, "checkpoints") == 2);
  const auto runs = catalog.Runs();
  REQUIRE(runs.size() == 2);
  CHECK(runs[0].hyperparameters.at("lr") == "0.001");
  CHECK(runs[0].hyperparameters.at("method") == "\"vicreg\"");
  CHECK(runs[1].seed == "1");
}

TEST_CASE("Catalog stores a score once and a new setting beside it", "[store]") {
  rankme::testing::TempDir dir;
  Database db = Database::Open(dir.File("c.db"));
  Catalog catalog(db);
  WriteTransaction tx(db);
  catalog.SaveScore(MakeScore("h1", 10.0, 1e-7));
  catalog.SaveScore(MakeScore("h1", 99.0, 1e-7));  // same identity: ignored, first kept
  catalog.SaveScore(MakeScore("h1", 11.0, 1e-5));
  tx.Commit();
  CHECK(Count(db, "scores") == 2);
  CHECK(catalog.HasScore("h1", "embeddings", "rankme", MakeScore("h1", 0, 1e-7).settings_key));
  CHECK_FALSE(
      catalog.HasScore("h2", "embeddings", "rankme", MakeScore("h1", 0, 1e-7).settings_key));
}

TEST_CASE("Catalog links scores to checkpoints through content and marks vanished files",
          "[store]") {
  rankme::testing::TempDir dir;
  Database db = Database::Open(dir.File("c.db"));
  Catalog catalog(db);
  std::int64_t sweep = 0, ckpt = 0, run = 0;
  {
    WriteTransaction tx(db);
    sweep = catalog.UpsertSweep("/s");
    run = catalog.UpsertRun(sweep, MakeRun("/s/0", "cfg", "0"));
    ckpt = catalog.UpsertCheckpoint(run, "epoch_001", std::nullopt, 1, 0);
    rankme::store::StoredTensor t;
    t.checkpoint_id = ckpt;
    t.source = R"(["/s/0/e.npy"])";
    t.tensor = "embeddings";
    t.files_json = t.source;
    t.stat_key = "100:1";
    t.content_hash = "h1";
    t.rows = 512;
    t.cols = 64;
    t.dtype = "float16";
    catalog.ReplaceTensors(ckpt, t.source, {t});
    catalog.SaveScore(MakeScore("h1", 12.5, 1e-7));
    catalog.SaveSpectrum({"h1", "embeddings", "singular_values", "{}", {3.0, 2.0, 1.0}});
    tx.Commit();
  }
  auto scores = catalog.Scores("rankme");
  REQUIRE(scores.size() == 1);
  CHECK(scores[0].value == 12.5);
  CHECK(scores[0].checkpoint == "epoch_001");
  CHECK(scores[0].epoch == 1);
  CHECK_FALSE(scores[0].step.has_value());
  CHECK(catalog.Spectrum("h1", "embeddings", "singular_values", "{}") ==
        std::vector<double>{3.0, 2.0, 1.0});
  {
    WriteTransaction tx(db);
    CHECK(catalog.MarkMissing(sweep, {run}, {}) == 1);
    tx.Commit();
  }
  CHECK(catalog.Scores("rankme").empty());
  const auto failures = catalog.Failures();
  REQUIRE(failures.size() == 1);
  CHECK(failures[0].status == "missing");
  CHECK(failures[0].tensor == "embeddings");
}

TEST_CASE("Catalog.ReplaceTensors drops a source's rows that are gone", "[store]") {
  rankme::testing::TempDir dir;
  Database db = Database::Open(dir.File("c.db"));
  Catalog catalog(db);
  WriteTransaction tx(db);
  const auto run = catalog.UpsertRun(catalog.UpsertSweep("/s"), MakeRun("/s/0", "cfg", "0"));
  const auto ckpt = catalog.UpsertCheckpoint(run, "step_1", 1, std::nullopt, 0);
  rankme::store::StoredTensor failed;
  failed.source = "[\"f.pt\"]";
  failed.tensor = "";
  failed.files_json = failed.source;
  failed.stat_key = "1:1";
  failed.status = "failed";
  failed.error_kind = "format";
  failed.error_message = "truncated";
  failed.attempts = 1;
  catalog.ReplaceTensors(ckpt, failed.source, {failed});
  CHECK(catalog.TensorsOfSource(ckpt, failed.source).size() == 1);
  auto a = failed, b = failed;
  a.tensor = "embeddings";
  b.tensor = "representations";
  a.status = b.status = "ok";
  catalog.ReplaceTensors(ckpt, failed.source, {a, b});
  const auto rows = catalog.TensorsOfSource(ckpt, failed.source);
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].tensor == "embeddings");
  CHECK(rows[1].tensor == "representations");
  tx.Commit();
}
