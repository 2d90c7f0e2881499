#include "support/score_database.h"

#include <nlohmann/json.hpp>

namespace rankme::testing {

namespace {

std::string ContentOf(std::int64_t checkpoint_id, const std::string& tensor) {
  return "content-" + std::to_string(checkpoint_id) + "-" + tensor;
}

}  // namespace

ScoreDatabase::ScoreDatabase(const std::string& path)
    : db_(store::Database::Open(path)),
      catalog_(db_),
      transaction_(std::make_unique<store::WriteTransaction>(db_)) {
  sweep_id_ = catalog_.UpsertSweep("/sweep");
}

ScoreDatabase::~ScoreDatabase() = default;

std::int64_t ScoreDatabase::AddRun(const std::string& name, const std::string& config_id,
                                   const std::map<std::string, std::string>& params,
                                   const std::string& seed) {
  nlohmann::json config = nlohmann::json::object();
  store::RunUpsert run;
  run.path = "/sweep/" + name;
  run.name = name;
  run.layout = "plain";
  run.config_id = config_id;
  for (const auto& [key, literal] : params) {
    config[key] = nlohmann::json::parse(literal);
    run.params.push_back({key, literal, "hyperparameter"});
  }
  run.config_key = config.dump();
  config["seed"] = seed;
  run.params.push_back({"seed", nlohmann::json(seed).dump(), "seed"});
  run.config_json = config.dump();
  run.seed = seed;
  return catalog_.UpsertRun(sweep_id_, run);
}

std::int64_t ScoreDatabase::AddCheckpoint(std::int64_t run_id, const std::string& name,
                                          std::optional<std::int64_t> step,
                                          std::optional<std::int64_t> epoch,
                                          std::int64_t position) {
  return catalog_.UpsertCheckpoint(run_id, name, step, epoch, position);
}

void ScoreDatabase::AddScore(std::int64_t checkpoint_id, const std::string& tensor,
                             const std::string& metric, double value) {
  const std::string hash = ContentOf(checkpoint_id, tensor);
  if (tensors_.emplace(checkpoint_id, tensor).second) {
    store::StoredTensor t;
    t.checkpoint_id = checkpoint_id;
    t.source = nlohmann::json::array({hash + ".npy"}).dump();
    t.tensor = tensor;
    t.files_json = t.source;
    t.stat_key = "1:1";
    t.content_hash = hash;
    t.rows = 512;
    t.cols = 64;
    t.dtype = "float32";
    catalog_.ReplaceTensors(checkpoint_id, t.source, {t});
  }
  store::ScoreRow s;
  s.content_hash = hash;
  s.tensor = tensor;
  s.metric = metric;
  s.settings_key = R"({"eps":1e-07,"max_samples":25600})";
  s.value = value;
  s.status = "ok";
  s.method = "test";
  s.rows_used = s.rows_total = 512;
  s.cols = 64;
  s.dtype = "float32";
  s.eps = 1e-7;
  s.max_samples = 25600;
  s.algorithm_version = 1;
  s.tool_version = "test";
  catalog_.SaveScore(s);
}

void ScoreDatabase::Close() {
  if (transaction_) transaction_->Commit();
  transaction_.reset();
}

}  // namespace rankme::testing
