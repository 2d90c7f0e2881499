#include "support/score_database.h"

#include <nlohmann/json.hpp>

#include "store/catalog_rows.h"

namespace rankme::testing {

namespace {

const char* const kSettings = R"({"eps":1e-07,"max_samples":25600})";

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
    store::StoredTensor t = TensorRow(checkpoint_id, hash + ".npy", tensor, hash);
    t.rows = 512;
    t.cols = 64;
    t.dtype = "float32";
    catalog_.ReplaceTensors(checkpoint_id, t.source, {t});
  }
  catalog_.SaveScore(RankmeScore(hash, tensor, value, kSettings, 512, metric));
}

void ScoreDatabase::Close() {
  if (transaction_) transaction_->Commit();
  transaction_.reset();
}

}  // namespace rankme::testing
