// Ingest end to end through app::Ingest: every layout and format, the real sweep against its
// float64 references, shards, tensor selection, worker counts and a bad file among good ones.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <set>

#include "app/ingest_test_support.h"
#include "rankme/app/ingest.h"

namespace fs = std::filesystem;
using rankme::testing::IngestOptionsFor;
using rankme::testing::MakeSweep;
using rankme::testing::QueryInt;
using rankme::testing::QueryText;
using rankme::testing::RelativeError;
using rankme::testing::StoredScores;
using rankme::testing::TempDir;

namespace {

// The stored config of the run at `run_dir` (relative), as a JSON object.
nlohmann::json StoredConfig(const std::string& db, const std::string& run_dir) {
  SQLite::Database connection(db, SQLite::OPEN_READONLY);
  SQLite::Statement select(connection, "SELECT config_json FROM runs WHERE name = ?1");
  select.bind(1, run_dir);
  REQUIRE(select.executeStep());
  return nlohmann::json::parse(select.getColumn(0).getString());
}

// Checks that every hyperparameter of `record` is stored in `config` with the same value, under
// its own key or under a dotted key ending in it (Hydra nests `lr` as `optim.lr`).
void CheckHyperparameters(const nlohmann::json& record, const nlohmann::json& config) {
  for (const auto& [key, want] : record.at("hparams").items()) {
    INFO(record.at("run_dir").get<std::string>() << ": " << key);
    const nlohmann::json* found = nullptr;
    for (const auto& [stored_key, value] : config.items()) {
      if (stored_key == key || (stored_key.size() > key.size() &&
                                stored_key.compare(stored_key.size() - key.size() - 1,
                                                   std::string::npos, "." + key) == 0)) {
        CHECK(found == nullptr);  // one match only
        found = &value;
      }
    }
    REQUIRE(found != nullptr);
    if (want.is_number()) {
      REQUIRE(found->is_number());
      CHECK(RelativeError(found->get<double>(), want.get<double>()) <= 1e-12);
    } else {
      CHECK(*found == want);
    }
  }
}

std::optional<std::int64_t> OptionalInt(const nlohmann::json& value) {
  if (value.is_null()) return std::nullopt;
  return value.get<std::int64_t>();
}

// Compares every truth record (make_ingest_sweep.py or ground_truth.json, normalised) with the
// database: one score per (file, tensor) within 1e-6 relative, the run's seed and hyperparameters,
// and the step/epoch as the names write them. Returns how many records were checked.
int CheckAgainstTruth(const std::string& db, const std::string& root, const nlohmann::json& truth,
                      const std::string& score_field) {
  const auto stored = StoredScores(db, root);
  int checked = 0;
  for (const auto& record : truth) {
    if (record.at(score_field).is_null()) continue;  // a matrix meant to fail
    const std::string file = record.at("file").get<std::string>();
    const std::string tensor = record.at("tensor").get<std::string>();
    INFO(file << "#" << tensor);
    const auto it = stored.find({file, tensor});
    REQUIRE(it != stored.end());
    const auto& score = it->second;
    REQUIRE(score.value.has_value());
    CHECK(RelativeError(*score.value, record.at(score_field).get<double>()) <= 1e-6);
    CHECK(score.run == record.at("run_dir").get<std::string>());
    REQUIRE(score.seed.has_value());
    CHECK(*score.seed == std::to_string(record.at("seed").get<int>()));
    CHECK(score.step == OptionalInt(record.at("name_step")));
    CHECK(score.epoch == OptionalInt(record.at("name_epoch")));
    CheckHyperparameters(record, StoredConfig(db, score.run));
    ++checked;
  }
  return checked;
}

// make_ingest_sweep.py records → the normalised form CheckAgainstTruth reads.
nlohmann::json Normalise(const nlohmann::json& generated) {
  nlohmann::json out = nlohmann::json::array();
  for (auto record : generated) {
    record["file"] = record.at("files").at(0);
    out.push_back(record);
  }
  return out;
}

}  // namespace

TEST_CASE("Ingest stores the real sweep's runs, seeds, steps and float64 references", "[ingest]") {
  const std::string root = fs::canonical(std::string(RANKME_TEST_DATA_DIR) + "/real_sweep_small");
  std::ifstream in(root + "/ground_truth.json");
  const auto ground_truth = nlohmann::json::parse(in);
  nlohmann::json truth = nlohmann::json::array();
  for (const auto& record : ground_truth) {
    for (const std::string tensor : {"embeddings", "representations"}) {
      nlohmann::json r = record;
      const std::string file = record.at("files").at(tensor).get<std::string>();
      r["file"] = file.substr(0, file.find('#'));
      r["tensor"] = tensor;
      r["rankme"] = record.at("rankme_" + tensor);
      truth.push_back(r);
    }
  }
  TempDir dir;
  const std::string db = dir.File("rankme.db");
  const auto summary = rankme::app::Ingest(IngestOptionsFor(root, db));
  CHECK(summary.runs == 8);
  CHECK(summary.configurations == 4);
  CHECK(summary.checkpoints == 24);
  CHECK(summary.scored == 96);  // 48 matrices and their 48 views tensors (LiDAR)
  CHECK(summary.failed == 0);
  CHECK(summary.warnings.empty());
  CHECK(CheckAgainstTruth(db, root, truth, "rankme") == 48);
  CHECK(QueryInt(db, "SELECT count(*) FROM scores WHERE metric = 'rankme'") == 48);
  CHECK(QueryInt(db, "SELECT count(DISTINCT config_id) FROM runs") == 4);
  // The three layouts, each with its own format.
  CHECK(QueryText(db,
                  "SELECT group_concat(layout) FROM (SELECT DISTINCT layout FROM runs "
                  "ORDER BY layout)") == "hydra,lightning,wandb");
  // Each matrix with its views tensor.
  CHECK(QueryInt(db, "SELECT count(*) FROM tensors WHERE files_json LIKE '%.pt#%'") == 24);
  CHECK(QueryInt(db, "SELECT count(*) FROM tensors WHERE files_json LIKE '%.safetensors#%'") == 24);
  CHECK(QueryInt(db, "SELECT count(*) FROM tensors WHERE files_json LIKE '%.npy\"]'") == 48);
  // Seeds of one configuration share its config_id; configurations differ otherwise.
  CHECK(QueryInt(db,
                 "SELECT count(*) FROM (SELECT config_id FROM runs GROUP BY config_id "
                 "HAVING count(*) = 2 AND count(DISTINCT seed) = 2)") == 4);
}

TEST_CASE("Ingest reads each built-in layout of a generated sweep", "[ingest]") {
  // layout → what its checkpoints look like (see make_ingest_sweep.py)
  const auto layout =
      GENERATE(as<std::string>{}, "hydra", "lightning", "wandb", "solo-learn", "plain");
  TempDir dir;
  const std::string root = (dir.path() / "sweep").string();
  const auto truth = MakeSweep(root, "--layout " + layout + " --runs 4 --checkpoints 3");
  const std::string db = dir.File("rankme.db");
  const auto summary = rankme::app::Ingest(IngestOptionsFor(root, db));
  INFO(layout);
  CHECK(summary.runs == 4);
  CHECK(summary.configurations == 2);
  CHECK(summary.checkpoints == 12);
  CHECK(summary.scored == static_cast<std::int64_t>(truth.size()));
  CHECK(summary.failed == 0);
  CHECK(summary.warnings.empty());
  CHECK(QueryInt(db, "SELECT count(*) FROM runs WHERE layout = '" + layout + "'") == 4);
  CHECK(CheckAgainstTruth(db, fs::canonical(root), Normalise(truth), "rankme") ==
        static_cast<int>(truth.size()));
}

TEST_CASE("Ingest scores per-rank shards without reading a freed tensor listing", "[ingest]") {
  // Regression: the shard parts took their row counts from a reference into a destroyed
  // listing, which tripped RowChain's invariant (or read garbage). Three shards of uneven rows,
  // in .npy and in .safetensors, scored as the concatenated matrix (numpy reference).
  const auto layout = GENERATE(as<std::string>{}, "plain", "lightning");
  TempDir dir;
  const std::string root = (dir.path() / "sweep").string();
  const auto truth =
      MakeSweep(root, "--layout " + layout + " --runs 2 --checkpoints 2 --rows 70 --shards 3");
  const std::string db = dir.File("rankme.db");
  const auto summary = rankme::app::Ingest(IngestOptionsFor(root, db));
  INFO(layout);
  CHECK(summary.failed == 0);
  CHECK(summary.warnings.empty());
  CHECK(CheckAgainstTruth(db, fs::canonical(root), Normalise(truth), "rankme") ==
        static_cast<int>(truth.size()));
  // Every stored row lists the three shards in rank order, and covers all 70 rows.
  CHECK(QueryInt(db,
                 "SELECT count(*) FROM tensors WHERE json_array_length(files_json) = 3 AND "
                 "files_json LIKE '%rank0_%rank1_%rank2_%' AND rows = 70") ==
        static_cast<std::int64_t>(truth.size()));
}

TEST_CASE("Ingest records a checkpoint missing a per-rank shard as failed, naming the shard",
          "[ingest]") {
  // Regression: rank0 + rank2 of three shards were concatenated and stored as status ok.
  TempDir dir;
  const fs::path root = dir.path() / "sweep";
  const auto truth =
      MakeSweep(root, "--layout plain --runs 2 --checkpoints 2 --rows 70 --shards 3");
  const std::vector<std::string> files = truth[0].at("files").get<std::vector<std::string>>();
  REQUIRE(files.size() == 3);
  std::int64_t affected = 0;
  for (const auto& record : truth) affected += record.at("files") == truth[0].at("files");
  const fs::path lost = root / files[1];
  fs::rename(lost, dir.path() / "lost");
  rankme::testing::AgeTree(root, 3600);
  const std::string db = dir.File("rankme.db");
  const auto summary = rankme::app::Ingest(IngestOptionsFor(root.string(), db));
  CHECK(summary.failed == 1);
  CHECK(summary.scored == static_cast<std::int64_t>(truth.size()) - affected);
  CHECK(QueryInt(db,
                 "SELECT count(*) FROM tensors WHERE status = 'failed' AND error_kind = "
                 "'data' AND error_message LIKE '%shard rank 1 of % is missing (found ranks "
                 "0, 2)%'") == 1);
  CHECK(QueryInt(db,
                 "SELECT count(*) FROM tensors WHERE status = 'ok' AND "
                 "json_array_length(files_json) = 2") == 0);
  // The shard comes back: the next ingest scores the whole checkpoint.
  fs::rename(dir.path() / "lost", lost);
  const auto again = rankme::app::Ingest(IngestOptionsFor(root.string(), db));
  CHECK(again.failed == 0);
  CHECK(again.scored == affected);
  CHECK(CheckAgainstTruth(db, fs::canonical(root), Normalise(truth), "rankme") ==
        static_cast<int>(truth.size()));
}

TEST_CASE("Ingest --tensor scores only the named tensor", "[ingest]") {
  TempDir dir;
  const std::string root = (dir.path() / "sweep").string();
  const auto truth = MakeSweep(root, "--layout lightning --runs 2 --checkpoints 2");
  const std::string db = dir.File("rankme.db");
  auto options = IngestOptionsFor(root, db);
  options.tensors = {"representations"};
  const auto summary = rankme::app::Ingest(options);
  CHECK(summary.scored == 4);
  CHECK(QueryInt(db, "SELECT count(*) FROM scores WHERE tensor = 'representations' AND "
                    "metric = 'rankme'") == 4);
  CHECK(QueryInt(db, "SELECT count(*) FROM scores WHERE tensor <> 'representations'") == 0);
  // The other tensor is known (listed) but not scored; a later ingest without the filter adds it.
  CHECK(QueryInt(db, "SELECT count(*) FROM tensors WHERE tensor = 'embeddings'") == 4);
  const auto all = rankme::app::Ingest(IngestOptionsFor(root, db));
  CHECK(all.scored == 4);
  CHECK(all.reused == 4);
  CHECK(QueryInt(db, "SELECT count(*) FROM scores WHERE metric = 'rankme'") == 8);
  CHECK(CheckAgainstTruth(db, fs::canonical(root), Normalise(truth), "rankme") == 8);
  CHECK(all.warnings.empty());
  // A name no file holds scores nothing and says so, with the names there are.
  options.tensors = {"logits"};
  const auto none = rankme::app::Ingest(options);
  CHECK(none.scored == 0);
  REQUIRE(none.warnings.size() == 1);
  CHECK(none.warnings[0] == "--tensor logits: no file of the sweep holds a tensor of that name "
                            "(tensors found: embeddings, representations)");
}

TEST_CASE("Ingest with one worker and with two stores identical scores", "[ingest]") {
  TempDir dir;
  const std::string root = (dir.path() / "sweep").string();
  MakeSweep(root, "--layout hydra --runs 4 --checkpoints 3 --rows 300 --cols 40");
  std::map<std::pair<std::string, std::string>, rankme::testing::StoredScore> by_jobs[2];
  for (int jobs : {1, 2}) {
    const std::string db = dir.File("jobs" + std::to_string(jobs) + ".db");
    auto options = IngestOptionsFor(root, db);
    options.jobs = jobs;
    const auto summary = rankme::app::Ingest(options);
    CHECK(summary.scored == 24);
    for (const auto& [key, score] : StoredScores(db, fs::canonical(root))) {
      by_jobs[jobs - 1][key] = score;
    }
  }
  REQUIRE(by_jobs[0].size() == 24);
  // Equal up to rounding: jobs = 1 gives the one worker both cores' BLAS threads, which sum
  // blocks in another order (measured: differences of 1 ulp, ~5e-16 relative).
  for (const auto& [key, one] : by_jobs[0]) {
    const auto& two = by_jobs[1].at(key);
    INFO(key.first << "#" << key.second << ": " << *one.value << " vs " << *two.value);
    CHECK(RelativeError(*one.value, *two.value) <= 1e-12);
    CHECK(one.checkpoint == two.checkpoint);
    CHECK(one.settings_key == two.settings_key);
  }
}

TEST_CASE("Ingest fails a file holding a NaN alone and stores the other checkpoints", "[ingest]") {
  TempDir dir;
  const std::string root = (dir.path() / "sweep").string();
  // Run 1, checkpoint 0: its first tensor (embeddings) holds a NaN; its representations do not.
  const auto truth = MakeSweep(root, "--layout plain --runs 3 --checkpoints 2 --nan 1:0");
  rankme::testing::AgeTree(root, 3600);
  const std::string db = dir.File("rankme.db");
  const auto summary = rankme::app::Ingest(IngestOptionsFor(root, db));
  CHECK(summary.failed == 1);
  CHECK(summary.scored == 11);
  REQUIRE(summary.warnings.size() == 1);
  CHECK(summary.warnings[0].find("nan") != std::string::npos);
  CHECK(summary.warnings[0].find("embeddings_step_100.npy") != std::string::npos);
  CHECK(QueryInt(db, "SELECT count(*) FROM failures") == 1);
  CHECK(QueryText(db,
                  "SELECT status || ' ' || kind || ' ' || run || ' ' || checkpoint || ' ' || "
                  "tensor FROM failures") == "failed data run_01 step_100 embeddings");
  CHECK(QueryText(db, "SELECT message FROM failures").find("row 32, column 1") !=
        std::string::npos);
  CHECK(CheckAgainstTruth(db, fs::canonical(root), Normalise(truth), "rankme") == 11);
}
