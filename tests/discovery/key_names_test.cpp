// One name per hyperparameter across a sweep: NameKeys on its own, then through DiscoverSweep
// with every pair of layouts writing one configuration.
#include "rankme/discovery/key_names.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "rankme/core/error.h"
#include "rankme/discovery/layout.h"
#include "rankme/discovery/sweep.h"
#include "support/temp_dir.h"

namespace fs = std::filesystem;
using namespace rankme::discovery;
using rankme::testing::TempDir;
using rankme::testing::WriteFile;

namespace {

using Runs = std::vector<std::vector<std::string>>;
using Names = std::map<std::string, std::string>;

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

bool AnyContains(const std::vector<std::string>& lines, const std::string& part) {
  return std::any_of(lines.begin(), lines.end(),
                     [&](const std::string& line) { return Contains(line, part); });
}

const DiscoveredRun& RunOfLayout(const std::vector<DiscoveredRun>& runs,
                                 const std::string& layout) {
  const auto it = std::find_if(runs.begin(), runs.end(),
                               [&](const DiscoveredRun& run) { return run.layout == layout; });
  REQUIRE(it != runs.end());
  return *it;
}

}  // namespace

TEST_CASE("NameKeys gives each key its shortest suffix that no run holds twice", "[discovery]") {
  struct Case {
    const char* what;
    Runs runs;
    Names names;
  };
  const std::vector<Case> cases = {
      {"Hydra nests, Lightning writes flat: one name",
       {{"loss.temperature", "method", "optim.lr"}, {"lr", "method", "temperature"}},
       {{"loss.temperature", "temperature"},
        {"method", "method"},
        {"optim.lr", "lr"},
        {"lr", "lr"},
        {"temperature", "temperature"}}},
      {"two lr in one run keep their written names; the flat one stays lr",
       {{"model.lr", "optim.lr"}, {"lr"}},
       {{"model.lr", "model.lr"}, {"optim.lr", "optim.lr"}, {"lr", "lr"}}},
      {"the shortest suffix that tells them apart",
       {{"a.x.lr", "b.y.lr", "c.d"}},
       {{"a.x.lr", "x.lr"}, {"b.y.lr", "y.lr"}, {"c.d", "d"}}},
      {"no suffix tells them apart but the whole key",
       {{"a.x.lr", "b.x.lr"}},
       {{"a.x.lr", "a.x.lr"}, {"b.x.lr", "b.x.lr"}}},
      {"a flat key beside a nested one of the same name in one run",
       {{"lr", "optim.lr"}},
       {{"lr", "lr"}, {"optim.lr", "optim.lr"}}},
      {"keys of different runs never clash",
       {{"loss.temperature"}, {"model.temperature"}},
       {{"loss.temperature", "temperature"}, {"model.temperature", "temperature"}}},
  };
  for (const Case& c : cases) {
    INFO(c.what);
    CHECK(NameKeys(c.runs).names == c.names);
  }
}

TEST_CASE("NameKeys notes the keys kept long, and never names two keys of one run alike",
          "[discovery]") {
  const KeyNaming naming = NameKeys({{"model.lr", "optim.lr", "wd"}, {"lr"}});
  REQUIRE(naming.notes.size() == 1);
  CHECK(Contains(naming.notes[0], "`lr`"));
  CHECK(Contains(naming.notes[0], "model.lr, optim.lr"));
  CHECK(NameKeys({{"optim.lr"}, {"lr"}}).notes.empty());
}

TEST_CASE("Key aliases override the built-in names, by written key or by name", "[discovery]") {
  const Runs runs = {{"loss.tau", "optim.lr"}, {"lr", "temperature"}};
  SECTION("by the key as written") {
    const KeyNaming naming = NameKeys(runs, {{"loss.tau", "temperature", "--key-alias"}});
    CHECK(naming.names.at("loss.tau") == "temperature");
    CHECK(naming.names.at("temperature") == "temperature");
    CHECK(naming.notes.empty());
  }
  SECTION("by the built-in name: every key so named") {
    const KeyNaming naming = NameKeys(runs, {{"lr", "learning_rate", "--key-alias"}});
    CHECK(naming.names.at("optim.lr") == "learning_rate");
    CHECK(naming.names.at("lr") == "learning_rate");
  }
  SECTION("a later alias of the same key wins (--key-alias after the layout file)") {
    const KeyNaming naming = NameKeys(
        runs, {{"loss.tau", "t1", "layout.yaml"}, {"loss.tau", "temperature", "--key-alias"}});
    CHECK(naming.names.at("loss.tau") == "temperature");
  }
  SECTION("an alias matching nothing is a note") {
    const KeyNaming naming = NameKeys(runs, {{"momentum", "m", "--key-alias"}});
    REQUIRE(naming.notes.size() == 1);
    CHECK(Contains(naming.notes[0], "--key-alias momentum=m"));
  }
  SECTION("an alias to a long name keeps it long") {
    const KeyNaming naming = NameKeys(runs, {{"optim.lr", "optim.lr", "--key-alias"}});
    CHECK(naming.names.at("optim.lr") == "optim.lr");
    CHECK(naming.names.at("lr") == "lr");
  }
}

TEST_CASE("ParseKeyAlias reads FROM=TO and refuses anything else", "[discovery]") {
  CHECK(ParseKeyAlias("loss.tau=temperature") ==
        KeyAlias{"loss.tau", "temperature", "--key-alias"});
  CHECK(ParseKeyAlias(" a = b ", "f.yaml") == KeyAlias{"a", "b", "f.yaml"});
  CHECK_THROWS_AS(ParseKeyAlias("loss.tau"), rankme::ConfigError);
  CHECK_THROWS_AS(ParseKeyAlias("=x"), rankme::ConfigError);
  CHECK_THROWS_AS(ParseKeyAlias("x="), rankme::ConfigError);
}

TEST_CASE("A layout file's key_aliases, as a map or a list", "[discovery]") {
  const auto map =
      ParseLayouts("config_files: [c.yaml]\nkey_aliases: {loss.tau: temperature}\n", "m.yaml");
  REQUIRE(map.size() == 1);
  CHECK(map[0].key_aliases == std::vector<KeyAlias>{{"loss.tau", "temperature", "m.yaml"}});
  const auto list = ParseLayouts(R"({"key_aliases": ["a=b", "c=d"]})", "l.json");
  CHECK(list[0].key_aliases == std::vector<KeyAlias>{{"a", "b", "l.json"}, {"c", "d", "l.json"}});
  CHECK_THROWS_AS(ParseLayouts("key_aliases: [nonsense]\n", "bad.yaml"), rankme::ConfigError);
}

namespace {

// One run of configuration {method: simclr, lr: 0.001, temperature: 0.5} with `seed`, written
// the way `layout` writes it, under `root`.
void WriteRun(const fs::path& root, const std::string& layout, int seed) {
  const std::string s = std::to_string(seed);
  if (layout == "hydra") {
    const fs::path run = root / "multirun" / s;
    WriteFile(run / ".hydra/config.yaml",
              "method: simclr\nseed: " + s +
                  "\noptim:\n  lr: 1.0e-03\nloss:\n  temperature: 0.5\nhydra_dir: /x\n");
    WriteFile(run / ".hydra/overrides.yaml", "- seed=" + s + "\n- loss.temperature=0.5\n");
    WriteFile(run / "checkpoints/epoch_1/embeddings.npy", "");
  } else if (layout == "lightning") {
    const fs::path run = root / "lightning_logs" / ("version_" + s);
    WriteFile(run / "hparams.yaml",
              "method: simclr\nseed: " + s + "\nlr: 0.001\ntemperature: 0.5\n");
    WriteFile(run / "embeddings/epoch=0-step=10.safetensors", "");
  } else if (layout == "wandb") {
    const fs::path run = root / "wandb" / ("run-20260101_000000-" + s + "abc");
    WriteFile(run / "files/config.yaml",
              "wandb_version: 1\nmethod: {desc: null, value: simclr}\nseed: {value: " + s +
                  "}\nlr: {value: 0.001}\ntemperature: {value: 0.5}\n_wandb: {value: {x: 1}}\n");
    WriteFile(run / "files/embeddings/step_000010.npy", "");
  } else {
    const fs::path run = root / ("plain_" + s);
    WriteFile(run / "config.json", R"({"method": "simclr", "seed": )" + s +
                                       R"(, "optimizer": {"lr": 0.001}, "temperature": 0.5})");
    WriteFile(run / "embeddings.npy", "");
  }
}

}  // namespace

TEST_CASE("Runs of one configuration written by two layouts are seeds of one configuration",
          "[discovery]") {
  using Pair = std::pair<std::string, std::string>;
  const Pair pair =
      GENERATE(Pair{"hydra", "lightning"}, Pair{"hydra", "wandb"}, Pair{"hydra", "plain"},
               Pair{"lightning", "wandb"}, Pair{"lightning", "plain"}, Pair{"wandb", "plain"});
  INFO(pair.first << " x " << pair.second);
  TempDir dir;
  WriteRun(dir.path(), pair.first, 0);
  WriteRun(dir.path(), pair.second, 1);
  const Sweep sweep = DiscoverSweep(dir.path().string());
  REQUIRE(sweep.runs.size() == 2);
  std::set<std::string> layouts, seeds;
  for (const DiscoveredRun& run : sweep.runs) {
    INFO(run.relative_dir);
    layouts.insert(run.layout);
    seeds.insert(run.seed.value_or("-"));
    CHECK(run.config_key == R"({"lr":0.001,"method":"simclr","temperature":0.5})");
  }
  CHECK(layouts == std::set<std::string>{pair.first, pair.second});
  CHECK(seeds == std::set<std::string>{"0", "1"});
  CHECK(sweep.runs[0].config_id == sweep.runs[1].config_id);
  CHECK(sweep.notes.empty());
}

TEST_CASE("Discovered runs carry each entry's key as written, name, role and overrides",
          "[discovery]") {
  TempDir dir;
  WriteRun(dir.path(), "hydra", 0);
  WriteRun(dir.path(), "lightning", 1);
  const Sweep sweep = DiscoverSweep(dir.path().string());
  REQUIRE(sweep.runs.size() == 2);
  const DiscoveredRun& hydra = sweep.runs[1];
  REQUIRE(hydra.layout == "hydra");
  std::map<std::string, std::tuple<std::string, ParamRole, bool>> entries;
  for (const RunParam& entry : hydra.entries) {
    entries[entry.key] = {entry.name, entry.role, entry.swept};
  }
  using R = ParamRole;
  CHECK(entries == std::map<std::string, std::tuple<std::string, ParamRole, bool>>{
                       {"hydra_dir", {"hydra_dir", R::kBookkeeping, false}},
                       {"loss.temperature", {"temperature", R::kHyperparameter, true}},
                       {"method", {"method", R::kHyperparameter, false}},
                       {"optim.lr", {"lr", R::kHyperparameter, false}},
                       {"seed", {"seed", R::kSeed, true}}});
  CHECK(hydra.hyperparameters.count("lr") == 1);
  CHECK(hydra.params.count("optim.lr") == 1);  // params keep the keys as written
}

TEST_CASE("A layout file's key_aliases and --key-alias rename across the sweep", "[discovery]") {
  TempDir dir;
  WriteRun(dir.path(), "hydra", 0);
  WriteRun(dir.path(), "lightning", 1);
  DiscoveryOptions options;
  options.key_aliases = {{"temperature", "tau", "--key-alias"}};
  Sweep sweep = DiscoverSweep(dir.path().string(), options);
  for (const DiscoveredRun& run : sweep.runs) {
    CHECK(run.config_key == R"({"lr":0.001,"method":"simclr","tau":0.5})");
  }
  // The same from a layout file listing both layouts.
  const fs::path layout = dir.path() / "layout.yaml";
  WriteFile(layout,
            "layouts:\n"
            "  - {name: hydra, config_files: [.hydra/config.yaml], overrides_file: "
            ".hydra/overrides.yaml, key_aliases: {optim.lr: learning_rate}}\n"
            "  - {name: lightning, config_files: [hparams.yaml]}\n");
  DiscoveryOptions from_file;
  from_file.layout_file = layout.string();
  sweep = DiscoverSweep(dir.path().string(), from_file);
  REQUIRE(sweep.runs.size() == 2);
  CHECK(RunOfLayout(sweep.runs, "hydra").config_key ==
        R"({"learning_rate":0.001,"method":"simclr","temperature":0.5})");
  // Only the Hydra key was aliased: Lightning's lr keeps its own name.
  CHECK(RunOfLayout(sweep.runs, "lightning").config_key ==
        R"({"lr":0.001,"method":"simclr","temperature":0.5})");
}

TEST_CASE("An alias giving two keys of one run one name is refused when their values differ",
          "[discovery]") {
  TempDir dir;
  const fs::path run = dir.path() / "run";
  WriteFile(run / "config.yaml", "lr: 0.1\noptim: {lr: 0.001, momentum: 0.9}\n");
  WriteFile(run / "embeddings.npy", "");
  DiscoveryOptions options;
  options.key_aliases = {{"optim.lr", "lr", "--key-alias"}};
  try {
    DiscoverSweep(dir.path().string(), options);
    FAIL("no error");
  } catch (const rankme::ConfigError& e) {
    CHECK(e.path() == "--key-alias");
    CHECK(Contains(e.message(), "lr = 0.1 and optim.lr = 0.001 would both be named lr"));
  }
  // Equal values are one entry, as flattening makes `a.b: 1` beside `a: {b: 1}` one.
  WriteFile(run / "config.yaml", "lr: 0.001\noptim: {lr: 0.001, momentum: 0.9}\n");
  const Sweep sweep = DiscoverSweep(dir.path().string(), options);
  REQUIRE(sweep.runs.size() == 1);
  CHECK(sweep.runs[0].config_key == R"({"lr":0.001,"momentum":0.9})");
}

TEST_CASE("Colliding keys in one config are never silent, and stay apart from the naming",
          "[discovery]") {
  // `a.b: 1` beside `a: {b: 100}`: the config is refused, the run kept as its own configuration
  // under config_error, and the other runs are named as if it were not there.
  TempDir dir;
  WriteFile(dir.path() / "bad/config.yaml", "a.b: 1\na: {b: 100}\n");
  WriteFile(dir.path() / "bad/embeddings.npy", "");
  WriteFile(dir.path() / "good/config.yaml", "a: {b: 2}\nseed: 1\n");
  WriteFile(dir.path() / "good/embeddings.npy", "");
  const Sweep sweep = DiscoverSweep(dir.path().string());
  REQUIRE(sweep.runs.size() == 2);
  const DiscoveredRun& bad = sweep.runs[0];
  REQUIRE(bad.config_error.has_value());
  CHECK(Contains(*bad.config_error, "keys collide after flattening: a.b"));
  CHECK(AnyContains(bad.warnings, "keys collide"));
  CHECK(bad.hyperparameters.count(kConfigErrorKey) == 1);
  CHECK(sweep.runs[1].config_key == R"({"b":2})");
  CHECK(bad.config_id != sweep.runs[1].config_id);
}

TEST_CASE("The real sweep's three layouts name each hyperparameter once", "[discovery]") {
  const Sweep sweep = DiscoverSweep(std::string(RANKME_TEST_DATA_DIR) + "/real_sweep_small");
  std::set<std::string> names;
  for (const DiscoveredRun& run : sweep.runs) {
    for (const auto& [name, value] : run.hyperparameters) names.insert(name);
  }
  CHECK(names == std::set<std::string>{"batch_size", "cov_coeff", "lr", "method", "proj_dim",
                                       "rep_dim", "sim_coeff", "std_coeff", "temperature",
                                       "train_n", "weight_decay"});
  CHECK(sweep.notes.empty());
}
