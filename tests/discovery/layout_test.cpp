#include "rankme/discovery/layout.h"

#include <catch2/catch.hpp>
#include <string>

#include "rankme/core/error.h"
#include "rankme/discovery/sweep.h"
#include "support/temp_dir.h"

namespace fs = std::filesystem;
using namespace rankme::discovery;
using rankme::testing::TempDir;
using rankme::testing::WriteFile;

namespace {
const std::string kLayouts = std::string(RANKME_SOURCE_DIR) + "/configs/layouts/";
}

TEST_CASE("The layout files in configs/layouts describe the built-in layouts", "[discovery]") {
  const std::vector<Layout> builtin = BuiltinLayouts();
  REQUIRE(builtin.size() == 5);
  const std::vector<std::string> files = {"hydra.yaml", "wandb.yaml", "lightning.yaml",
                                          "solo-learn.json", "plain.yaml"};
  for (std::size_t i = 0; i < files.size(); ++i) {
    INFO(files[i]);
    const std::vector<Layout> parsed = LoadLayoutFile(kLayouts + files[i]);
    REQUIRE(parsed.size() == 1);
    CHECK(parsed[0] == builtin[i]);
  }
}

TEST_CASE("ParseLayouts reads JSON and YAML and rejects mistakes", "[discovery]") {
  const auto json = ParseLayouts(
      R"({"layouts": [{"name": "a", "config_file": "c.yaml", "tensor": "emb"}, {"weak": true}]})");
  REQUIRE(json.size() == 2);
  CHECK(json[0].config_files == std::vector<std::string>{"c.yaml"});
  CHECK(json[0].tensor == "emb");
  CHECK(json[1].name == "custom");
  CHECK(json[1].weak);
  CHECK(json[1].embedding_globs == Layout::DefaultEmbeddingGlobs());

  CHECK_THROWS_AS(ParseLayouts("name: x\nrun_globs: '*'\n", "l.yaml"), rankme::ConfigError);
  CHECK_THROWS_AS(ParseLayouts("checkpoint_regexes: ['step(\\d+)']\n"), rankme::ConfigError);
  CHECK_THROWS_AS(ParseLayouts("checkpoint_regexes: ['(?<step>[0-9+']\n"), rankme::ConfigError);
  CHECK_THROWS_AS(ParseLayouts("weak: maybe\n"), rankme::ConfigError);
  CHECK_THROWS_AS(ParseLayouts("{\"name\": }"), rankme::ConfigError);
  CHECK_THROWS_AS(LoadLayoutFile(kLayouts + "missing.yaml"), rankme::IoError);
}

TEST_CASE("A custom layout file finds runs the built-in layouts cannot", "[discovery]") {
  TempDir dir;
  const fs::path root = dir.path();
  for (const char* setting : {"lr_0.1", "lr_1"}) {
    for (int seed : {0, 1}) {
      const fs::path run = root / "simclr" / setting / ("seed_" + std::to_string(seed));
      WriteFile(run / "meta.yaml", std::string("params:\n  lr: ") + (setting + 3) +
                                       "\n  rng: " + std::to_string(seed) + "\n  host: node" +
                                       std::to_string(seed) + "\n");
      for (int step : {1000, 500, 1500}) {
        for (const char* tensor : {"proj", "backbone"}) {
          WriteFile(run / "dumps" / ("it" + std::to_string(step) + "_" + tensor + ".npy"), "");
        }
      }
      WriteFile(run / "other" / "it9999_proj.npy", "");  // outside embedding_globs
    }
  }
  WriteFile(root / "simclr" / "lr_1" / "notes.yaml", "x: 1\n");

  DiscoveryOptions options;
  options.layout_file = kLayouts + "custom-example.yaml";
  const Sweep sweep = DiscoverSweep(root.string(), options);
  REQUIRE(sweep.runs.size() == 4);
  for (const auto& run : sweep.runs) {
    INFO(run.relative_dir);
    CHECK(run.layout == "my-sweep");
    CHECK(run.seed == run.relative_dir.substr(run.relative_dir.size() - 1));
    REQUIRE(run.checkpoints.size() == 3);
    CHECK(run.checkpoints[0].step == 500);
    CHECK(run.checkpoints[1].step == 1000);
    CHECK(run.checkpoints[2].step == 1500);
    CHECK(run.checkpoints[2].name == "dumps/it1500");
    REQUIRE(run.checkpoints[2].files.size() == 2);
    CHECK(run.checkpoints[2].files[0].tensor == "backbone");
    CHECK(run.checkpoints[2].files[1].tensor == "proj");
  }
  CHECK(sweep.runs[0].config_key == sweep.runs[1].config_key);
  CHECK(sweep.runs[0].config_key == R"({"lr":0.1})");  // params.lr, named across the sweep
  CHECK(sweep.runs[2].config_key == R"({"lr":1})");
  CHECK(sweep.runs[2].config_key == sweep.runs[3].config_key);
}

TEST_CASE("Layout globs whose braces multiply without bound are refused", "[discovery]") {
  std::string glob = "**/";
  for (int i = 0; i < 30; ++i) glob += "{a,b}";  // 2^30 alternatives
  try {
    ParseLayouts("embedding_globs: ['" + glob + "']\n", "layout.yaml");
    FAIL("accepted");
  } catch (const rankme::ConfigError& e) {
    CHECK(e.path() == "layout.yaml");
    CHECK(std::string(e.message()).find("1024 or more alternatives") != std::string::npos);
  }
  CHECK_THROWS_AS(ParseLayouts("run_glob: '" + std::string(5000, 'a') + "'\n"),
                  rankme::ConfigError);
  CHECK_NOTHROW(ParseLayouts("embedding_globs: ['**/*.{npy,npz}']\n"));
}

TEST_CASE("A layout regex is not run on a path longer than 1024 bytes", "[discovery]") {
  TempDir dir;
  WriteFile(
      dir.path() / "layout.yaml",
      "run_glob: run\nconfig_files: []\ncheckpoint_regexes: ['^(.|\\n)*step_(?<step>\\d+)']\n");
  // A path of about 1000 bytes (components of 200) matches; one of 4000 bytes, which overflowed
  // the stack inside std::regex under the sanitizers, is not searched (a step-less checkpoint).
  std::string deep = "run";
  for (int i = 0; i < 4; ++i) deep += "/" + std::string(200, 'd');
  WriteFile(dir.path() / deep / "step_7.npy", "");
  std::string deeper = "run";
  for (int i = 0; i < 19; ++i) deeper += "/" + std::string(200, 'e');
  WriteFile(dir.path() / deeper / "step_8.npy", "");
  DiscoveryOptions options;
  options.layout_file = (dir.path() / "layout.yaml").string();
  const Sweep sweep = DiscoverSweep(dir.path().string(), options);
  REQUIRE(sweep.runs.size() == 1);
  REQUIRE(sweep.runs[0].checkpoints.size() == 2);
  CHECK(sweep.runs[0].checkpoints[0].step == 7);
  CHECK(!sweep.runs[0].checkpoints[1].step);
}
