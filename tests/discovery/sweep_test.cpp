#include "rankme/discovery/sweep.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "rankme/core/error.h"
#include "support/temp_dir.h"

namespace fs = std::filesystem;
using namespace rankme::discovery;
using rankme::testing::TempDir;
using rankme::testing::WriteFile;

namespace {

const std::string kRealSweep = std::string(RANKME_TEST_DATA_DIR) + "/real_sweep_small";

const DiscoveredRun& FindRun(const Sweep& sweep, const std::string& relative_dir) {
  for (const auto& run : sweep.runs) {
    if (run.relative_dir == relative_dir) return run;
  }
  FAIL("no run " << relative_dir);
  throw;
}

/// The single param whose last dotted component is `name` (ground_truth.json writes `lr` where
/// Hydra writes `optim.lr`).
const ParamValue& ParamNamed(const DiscoveredRun& run, const std::string& name) {
  const ParamValue* found = nullptr;
  for (const auto& [key, value] : run.params) {
    if (key == name || (key.size() > name.size() && key.ends_with("." + name))) {
      REQUIRE(found == nullptr);
      found = &value;
    }
  }
  REQUIRE(found != nullptr);
  return *found;
}

std::vector<std::string> Names(const DiscoveredRun& run) {
  std::vector<std::string> names;
  for (const auto& checkpoint : run.checkpoints) names.push_back(checkpoint.name);
  return names;
}

}  // namespace

TEST_CASE("DiscoverSweep finds every run of the real sweep as ground_truth.json says",
          "[discovery]") {
  std::ifstream in(kRealSweep + "/ground_truth.json");
  REQUIRE(in);
  const nlohmann::json truth = nlohmann::json::parse(in);
  const Sweep sweep = DiscoverSweep(kRealSweep);
  CHECK(sweep.root == fs::canonical(kRealSweep).string());
  CHECK(sweep.warnings.empty());

  std::map<std::string, std::vector<nlohmann::json>> records_by_run;
  for (const auto& record : truth) records_by_run[record["run_dir"]].push_back(record);
  REQUIRE(sweep.runs.size() == records_by_run.size());
  REQUIRE(sweep.runs.size() == 8);

  std::map<std::string, std::string> key_by_setting;  // method + hparams -> config key
  std::set<std::string> config_keys;
  for (const auto& [run_dir, records] : records_by_run) {
    INFO(run_dir);
    const DiscoveredRun& run = FindRun(sweep, run_dir);
    const nlohmann::json& first = records.front();
    CHECK(run.warnings.empty());
    CHECK(run.layout == first["layout"].get<std::string>());
    CHECK(run.dir == sweep.root + "/" + run_dir);
    REQUIRE(run.seed.has_value());
    CHECK(*run.seed == std::to_string(first["seed"].get<int>()));
    CHECK(ParamText(run.params.at("method")) == first["method"].get<std::string>());
    for (const auto& [name, value] : first["hparams"].items()) {
      INFO(name);
      CHECK(ParamNumber(ParamNamed(run, name)) == value.get<double>());
    }
    const std::string setting = first["method"].dump() + first["hparams"].dump();
    auto [it, inserted] = key_by_setting.emplace(setting, run.config_key);
    CHECK(it->second == run.config_key);  // the other seed has the same key
    config_keys.insert(run.config_key);
    CHECK(run.config_id.size() == 12);
    if (run.layout == "hydra") {
      CHECK(run.overrides.size() >= 4);
      CHECK(run.overrides[0] == "method=" + first["method"].get<std::string>());
    }

    // Checkpoints: ground truth in training order (its real `step`).
    std::vector<nlohmann::json> ordered = records;
    std::sort(ordered.begin(), ordered.end(),
              [](const auto& a, const auto& b) { return a["step"] < b["step"]; });
    REQUIRE(run.checkpoints.size() == ordered.size());
    REQUIRE(run.checkpoints.size() == 3);
    for (std::size_t i = 0; i < ordered.size(); ++i) {
      const auto& checkpoint = run.checkpoints[i];
      const auto& record = ordered[i];
      INFO(checkpoint.name);
      const auto expect = [](const nlohmann::json& v) {
        return v.is_null() ? std::optional<std::int64_t>() : v.get<std::int64_t>();
      };
      CHECK(checkpoint.step == expect(record["name_step"]));
      CHECK(checkpoint.epoch == expect(record["name_epoch"]));
      // "files": tensor -> path, or path#tensor when one file holds every tensor.
      std::map<std::string, std::string> found;
      for (const auto& file : checkpoint.files) {
        REQUIRE(file.paths.size() == 1);
        found[file.tensor] = file.paths[0];
      }
      std::map<std::string, std::string> expected;
      for (const auto& [tensor, path_value] : record["files"].items()) {
        const std::string path = path_value.get<std::string>();
        const auto hash = path.find('#');
        if (hash == std::string::npos) {
          expected[tensor] = sweep.root + "/" + path;
        } else {
          expected[""] = sweep.root + "/" + path.substr(0, hash);
          CHECK(path.substr(hash + 1) == tensor);
        }
      }
      CHECK(found == expected);
    }
  }
  CHECK(config_keys.size() == 4);
}

TEST_CASE("W&B runs: values unwrapped, internals dropped, latest-run counted once", "[discovery]") {
  TempDir dir;
  const fs::path root = dir.path() / "sweep";
  const std::string config = R"(wandb_version: 1
lr:
  desc: learning rate
  value: 0.001
seed:
  desc: null
  value: 4
_wandb:
  desc: null
  value: {cli_version: 0.16.0}
)";
  const fs::path run = root / "wandb" / "run-20240101_120000-abc123";
  WriteFile(run / "files" / "config.yaml", config);
  WriteFile(run / "files" / "wandb-metadata.json", R"({"os": "Linux"})");
  WriteFile(run / "files" / "wandb-summary.json", "{}");
  WriteFile(run / "run-abc123.wandb", "");
  WriteFile(run / "files" / "embeddings" / "step_000100.pt", "");
  WriteFile(run / "files" / "embeddings" / "step_000020.pt", "");
  fs::create_directory_symlink("run-20240101_120000-abc123", root / "wandb" / "latest-run");

  const Sweep sweep = DiscoverSweep(root.string());
  REQUIRE(sweep.runs.size() == 1);
  const DiscoveredRun& found = sweep.runs[0];
  CHECK(found.relative_dir == "wandb/run-20240101_120000-abc123");
  CHECK(found.layout == "wandb");
  CHECK(found.seed == "4");
  CHECK(found.params.size() == 2);
  CHECK(found.params.at("lr").json == "0.001");
  CHECK(found.config_key == R"({"lr":0.001})");
  CHECK(Names(found) ==
        std::vector<std::string>{"files/embeddings/step_000020", "files/embeddings/step_000100"});
  CHECK(found.checkpoints[1].step == 100);
  REQUIRE(found.checkpoints[1].files.size() == 1);
  CHECK(found.checkpoints[1].files[0].tensor == "");
}

TEST_CASE("Mixed layouts in one root: hydra, lightning, solo-learn, plain", "[discovery]") {
  TempDir dir;
  const fs::path root = dir.path();
  // Hydra job with a Lightning logger folder inside: one run, the Hydra one.
  WriteFile(root / "multirun/0/.hydra/config.yaml", "seed: 0\noptim: {lr: 1e-3}\n");
  WriteFile(root / "multirun/0/.hydra/hydra.yaml", "hydra: {run: {dir: x}}\n");
  WriteFile(root / "multirun/0/.hydra/overrides.yaml", "- seed=0\n- optim.lr=1e-3\n");
  WriteFile(root / "multirun/0/.hydra/ignored.npy", "");
  WriteFile(root / "multirun/0/lightning_logs/version_0/hparams.yaml", "lr: 0.001\n");
  WriteFile(root / "multirun/0/embeddings_epoch_10.npy", "");
  WriteFile(root / "multirun/0/representations_epoch_10.npy", "");
  WriteFile(root / "multirun/0/embeddings_epoch_2.npy", "");
  WriteFile(root / "multirun/0/representations_epoch_2.npy", "");
  WriteFile(root / "multirun/0/model.pt", "");
  WriteFile(root / "multirun/0/optimizer_state.pt", "");
  // Lightning elsewhere, nested under an arbitrary folder.
  WriteFile(root / "logs/exp/lightning_logs/version_1/hparams.yaml",
            "seed: 1\nlr: 0.001\nbetas: !!python/tuple\n- 0.9\n- 0.999\n");
  WriteFile(root / "logs/exp/lightning_logs/version_1/embeddings/epoch=9-step=1000.safetensors",
            "");
  WriteFile(root / "logs/exp/lightning_logs/version_1/checkpoints/epoch=9-step=1000.ckpt", "");
  // solo-learn
  WriteFile(root / "trained_models/byol/x1y2/args.json",
            R"({"method": "byol", "seed": 5, "optimizer": "lars", "lr": 1.0,
                "checkpoint_dir": "trained_models/byol", "devices": [0, 1]})");
  WriteFile(root / "trained_models/byol/x1y2/byol-x1y2-ep=9.npz", "");
  WriteFile(root / "trained_models/byol/x1y2/byol-x1y2-ep=19.npz", "");
  // plain: config.yaml beside one final embeddings.npy
  WriteFile(root / "plain_run/config.yaml", "seed: 3\nlr: 0.01\n");
  WriteFile(root / "plain_run/embeddings.npy", "");
  // a stray config with no embeddings is not a run
  WriteFile(root / "configs/config.yaml", "lr: 1\n");

  const Sweep sweep = DiscoverSweep(root.string());
  REQUIRE(sweep.runs.size() == 4);
  CHECK(sweep.runs[0].relative_dir == "logs/exp/lightning_logs/version_1");
  CHECK(sweep.runs[1].relative_dir == "multirun/0");
  CHECK(sweep.runs[2].relative_dir == "plain_run");
  CHECK(sweep.runs[3].relative_dir == "trained_models/byol/x1y2");

  const DiscoveredRun& lightning = sweep.runs[0];
  CHECK(lightning.layout == "lightning");
  CHECK(lightning.params.at("betas").json == "[0.9,0.999]");
  CHECK(Names(lightning) == std::vector<std::string>{"embeddings/epoch=9-step=1000"});

  const DiscoveredRun& hydra = sweep.runs[1];
  CHECK(hydra.layout == "hydra");
  CHECK(hydra.seed == "0");
  CHECK(hydra.overrides == std::vector<std::string>{"seed=0", "optim.lr=1e-3"});
  REQUIRE(hydra.warnings.size() == 1);  // the absorbed Lightning folder
  CHECK(hydra.warnings[0].find("lightning") != std::string::npos);
  REQUIRE(hydra.checkpoints.size() == 2);
  CHECK(hydra.checkpoints[0].name == "epoch_2");
  CHECK(hydra.checkpoints[1].name == "epoch_10");
  CHECK(hydra.checkpoints[1].epoch == 10);
  REQUIRE(hydra.checkpoints[1].files.size() == 2);
  CHECK(hydra.checkpoints[1].files[0].tensor == "embeddings");
  CHECK(hydra.checkpoints[1].files[1].tensor == "representations");
  CHECK(hydra.checkpoints[1].files[1].paths ==
        std::vector<std::string>{hydra.dir + "/representations_epoch_10.npy"});

  const DiscoveredRun& plain = sweep.runs[2];
  CHECK(plain.layout == "plain");
  CHECK(plain.seed == "3");
  REQUIRE(plain.checkpoints.size() == 1);
  CHECK(plain.checkpoints[0].name == "embeddings");
  CHECK_FALSE(plain.checkpoints[0].step.has_value());
  CHECK_FALSE(plain.checkpoints[0].epoch.has_value());

  const DiscoveredRun& solo = sweep.runs[3];
  CHECK(solo.layout == "solo-learn");
  CHECK(solo.seed == "5");
  CHECK(solo.config_key == R"({"lr":1,"method":"byol","optimizer":"lars"})");
  REQUIRE(solo.checkpoints.size() == 2);
  CHECK(solo.checkpoints[0].epoch == 9);
  CHECK(solo.checkpoints[1].epoch == 19);
  CHECK(solo.checkpoints[1].files[0].tensor == "byol-x1y2");

  // Same lr spelled 1e-3 and 0.001, nested by Hydra and flat elsewhere: one name across the
  // sweep, so Hydra and Lightning runs differ only in Lightning's betas.
  CHECK(hydra.config_key == R"({"lr":0.001})");
  CHECK(hydra.params.count("optim.lr") == 1);  // as written
  CHECK(lightning.config_key == R"({"betas":[0.9,0.999],"lr":0.001})");
}

TEST_CASE("Runs differing only in bookkeeping keys are seeds of one configuration", "[discovery]") {
  TempDir dir;
  for (int seed : {0, 1}) {
    const fs::path run = dir.path() / ("run" + std::to_string(seed));
    WriteFile(run / "config.json", R"({"trainer": {"seed": )" + std::to_string(seed) +
                                       R"(, "max_epochs": 10}, "output_dir": "/scratch/run)" +
                                       std::to_string(seed) + R"(", "lr": )" +
                                       (seed == 0 ? "1e-3" : "0.001") + "}");
    WriteFile(run / "step_10" / "embeddings.npy", "");
  }
  const Sweep sweep = DiscoverSweep(dir.path().string());
  REQUIRE(sweep.runs.size() == 2);
  CHECK(sweep.runs[0].seed == "0");
  CHECK(sweep.runs[1].seed == "1");
  CHECK(sweep.runs[0].config_key == sweep.runs[1].config_key);
  CHECK(sweep.runs[0].config_id == sweep.runs[1].config_id);
  CHECK(sweep.runs[0].params.count("output_dir") == 1);  // kept in params, out of the key
  CHECK(sweep.runs[0].config_key == R"({"lr":0.001,"max_epochs":10})");
}

TEST_CASE("Per-rank shards form one checkpoint, files in rank order", "[discovery]") {
  TempDir dir;
  const fs::path run = dir.path() / "job";
  WriteFile(run / "config.yaml", "seed: 0\n");
  for (int rank : {10, 2, 0, 1, 3, 4, 5, 6, 7, 8, 9}) {
    WriteFile(run / "epoch_3" / ("rank" + std::to_string(rank) + "_embeddings.npy"), "");
    WriteFile(run / "epoch_3" / ("representations_rank" + std::to_string(rank) + ".npy"), "");
  }
  WriteFile(run / "epoch_1" / "embeddings_shard_1.npy", "");
  WriteFile(run / "epoch_1" / "embeddings_shard_0.npy", "");
  WriteFile(run / "step_5" / "rank_1" / "emb.npy", "");  // incomplete: rank 0 missing

  const Sweep sweep = DiscoverSweep(dir.path().string());
  REQUIRE(sweep.runs.size() == 1);
  const DiscoveredRun& found = sweep.runs[0];
  REQUIRE(found.checkpoints.size() == 3);
  const auto& step5 = found.checkpoints[0];  // step known comes first
  CHECK(step5.step == 5);
  const auto& epoch1 = found.checkpoints[1];
  REQUIRE(epoch1.files.size() == 1);
  CHECK(epoch1.files[0].paths ==
        std::vector<std::string>{run.string() + "/epoch_1/embeddings_shard_0.npy",
                                 run.string() + "/epoch_1/embeddings_shard_1.npy"});
  const auto& epoch3 = found.checkpoints[2];
  CHECK(epoch3.name == "epoch_3");
  REQUIRE(epoch3.files.size() == 2);
  CHECK(epoch3.files[0].tensor == "embeddings");
  CHECK(epoch3.files[1].tensor == "representations");
  for (const auto& file : epoch3.files) {
    REQUIRE(file.paths.size() == 11);
    for (int rank = 0; rank < 11; ++rank) {
      const std::string token = "rank" + std::to_string(rank);
      const bool named = file.paths[rank].find(token + "_") != std::string::npos ||
                         file.paths[rank].find(token + ".npy") != std::string::npos;
      CHECK(named);
    }
  }
  // The incomplete set is marked on its tensor (ingest records it as failed), not only warned.
  CHECK(found.warnings.empty());
  REQUIRE(step5.files.size() == 1);
  CHECK(step5.files[0].incomplete.find("shard rank 0 of step_5/emb.npy is missing") !=
        std::string::npos);
  // epoch_1 has 2 shards of embeddings where epoch_3 has 11: ranks 2-10 count as missing.
  CHECK(epoch1.files[0].incomplete.find("shard ranks 2-10 of epoch_1/embeddings.npy are missing "
                                        "(found ranks 0, 1; another checkpoint of this run has "
                                        "11)") != std::string::npos);
  for (const auto& file : epoch3.files) CHECK(file.incomplete.empty());
}

TEST_CASE("Checkpoint order: step, then epoch, then natural name; step-less last", "[discovery]") {
  TempDir dir;
  const fs::path run = dir.path() / "r";
  WriteFile(run / "config.yaml", "seed: 0\n");
  for (const char* name : {"final/a.npy", "final/b.npy", "epoch_10.npy", "epoch_9.npy",
                           "step_1000.npy", "step_200.npy", "ckpt-50/emb.npy"}) {
    WriteFile(run / name, "");
  }
  const Sweep sweep = DiscoverSweep(run.string());
  REQUIRE(sweep.runs.size() == 1);
  CHECK(sweep.runs[0].relative_dir == "");
  CHECK(Names(sweep.runs[0]) == std::vector<std::string>{"ckpt-50", "step_200", "step_1000",
                                                         "epoch_9", "epoch_10", "final"});
}

TEST_CASE("A malformed config is a warning on its run, not an abort", "[discovery]") {
  TempDir dir;
  WriteFile(dir.path() / "bad/.hydra/config.yaml", "lr: [0.1\nseed: : 0\n");
  WriteFile(dir.path() / "bad/checkpoints/epoch_1/embeddings.npy", "");
  WriteFile(dir.path() / "good/.hydra/config.yaml", "lr: 0.1\nseed: 0\n");
  WriteFile(dir.path() / "good/checkpoints/epoch_1/embeddings.npy", "");
  WriteFile(dir.path() / "stray.npy", "");
  const Sweep sweep = DiscoverSweep(dir.path().string());
  REQUIRE(sweep.runs.size() == 2);
  const DiscoveredRun& bad = sweep.runs[0];
  CHECK(bad.relative_dir == "bad");
  REQUIRE(bad.config_error);
  CHECK(bad.params.size() == 1);
  CHECK(bad.params.count(kConfigErrorKey) == 1);
  REQUIRE(bad.warnings.size() == 1);
  CHECK(bad.warnings[0].find("config.yaml") != std::string::npos);
  CHECK(bad.checkpoints.size() == 1);
  CHECK(sweep.runs[1].warnings.empty());
  REQUIRE(sweep.warnings.size() == 1);
  CHECK(sweep.warnings[0].find("stray.npy") != std::string::npos);
}

TEST_CASE("An unreadable sweep root throws IoError", "[discovery]") {
  TempDir dir;
  CHECK_THROWS_AS(DiscoverSweep(dir.File("missing")), rankme::IoError);
  WriteFile(dir.path() / "file.txt", "x");
  CHECK_THROWS_AS(DiscoverSweep(dir.File("file.txt")), rankme::IoError);
}
