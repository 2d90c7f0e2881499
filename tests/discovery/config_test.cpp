#include "rankme/discovery/config.h"

#include <xxhash.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <sstream>
#include <string>

#include "rankme/core/error.h"
#include "rankme/discovery/config_key.h"
#include "support/temp_dir.h"

using namespace rankme::discovery;
using Kind = ParamValue::Kind;

namespace {

// Flattens `yaml_text` with PyYAML (an independent YAML parser) the way FlattenYaml documents:
// dotted keys, lists as compact sorted JSON, integral floats as integers. Returns "key\tjson"
// lines.
std::string FlattenWithPyYaml(const std::string& yaml_text) {
  rankme::testing::TempDir dir;
  rankme::testing::WriteFile(dir.path() / "in.yaml", yaml_text);
  rankme::testing::WriteFile(dir.path() / "flatten.py", R"PY(
import json, sys, yaml
def canon(v):
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15: return int(v)
    if isinstance(v, list): return [canon(x) for x in v]
    if isinstance(v, dict): return {str(k): canon(x) for k, x in v.items()}
    return v
def flat(d, prefix, out):
    for k, v in d.items():
        key = prefix + str(k)
        if isinstance(v, dict) and v: flat(v, key + ".", out)
        else: out[key] = json.dumps(canon(v), sort_keys=True, separators=(",", ":"))
out = {}
flat(yaml.safe_load(open(sys.argv[1])), "", out)
for k in sorted(out): print(k + "\t" + out[k])
)PY");
  std::string output;
  REQUIRE(rankme::testing::RunCommand(
              "/usr/bin/python3 " + dir.File("flatten.py") + " " + dir.File("in.yaml"), &output) ==
          0);
  return output;
}

std::string Lines(const ParamMap& params) {
  std::string out;
  for (const auto& [key, value] : params) out += key + "\t" + value.json + "\n";
  return out;
}

}  // namespace

TEST_CASE("FlattenYaml agrees with PyYAML on nested maps, lists and scalars", "[discovery]") {
  const std::string text = R"(
method: simclr
seed: 3
optimizer:
  name: lars
  lr: 0.3
  betas: [0.9, 0.999]
  weight_decay: 1.0e-06
  schedule: {warmup: 10, kind: cosine}
model:
  backbone: {depth: 50, widths: [64, 128.0], zero_init: true}
  extra: {}
augment:
  - {name: crop, scale: [0.08, 1.0]}
  - flip
flag: false
nothing: null
tilde: ~
quoted_number: "0.001"
big: 123456789012345678
)";
  const ParamMap params = FlattenYaml(text);
  CHECK(Lines(params) == FlattenWithPyYaml(text));
  CHECK(params.at("optimizer.lr").kind == Kind::kNumber);
  CHECK(params.at("optimizer.betas").kind == Kind::kList);
  CHECK(params.at("quoted_number").kind == Kind::kString);
  CHECK(params.at("flag").kind == Kind::kBool);
  CHECK(params.at("tilde").kind == Kind::kNull);
  CHECK(params.at("model.extra") == ParamValue{Kind::kObject, "{}"});
}

TEST_CASE("Numbers are canonical whatever their spelling", "[discovery]") {
  // PyYAML reads "1e-3" as a string; OmegaConf (Hydra) and YAML 1.2 read it as a number, and so
  // does rankme, so 1e-3 and 0.001 are one configuration.
  const ParamMap a = FlattenYaml("lr: 1e-3\nwd: 1.0e-05\ntemperature: 1.0\nsteps: +100\n");
  const ParamMap b = FlattenYaml("lr: 0.001\nwd: 0.00001\ntemperature: 1\nsteps: 100\n");
  const ParamMap c = FlattenJson(R"({"lr": 1E-3, "wd": 1e-5, "temperature": 1.0, "steps": 100})");
  CHECK(a == b);
  CHECK(a == c);
  CHECK(a.at("lr").json == "0.001");
  CHECK(a.at("wd").json == "1e-05");  // Python's repr(1e-05)
  CHECK(ParamNumber(a.at("lr")) == 0.001);
  CHECK(ConfigKey(a) == ConfigKey(c));
  // PyYAML spellings of booleans and non-numbers.
  const ParamMap d = FlattenYaml("x: yes\ny: Off\nz: .inf\nw: 1e3x\n");
  CHECK(d.at("x").json == "true");
  CHECK(d.at("y").json == "false");
  CHECK(d.at("z") == ParamValue{Kind::kNumber, "\".inf\""});
  CHECK(d.at("w").kind == Kind::kString);
}

TEST_CASE("FlattenYaml unwraps W&B values and drops its internals", "[discovery]") {
  const std::string text = R"(wandb_version: 1
method:
  desc: null
  value: vicreg
optim:
  desc: the optimizer
  value: {lr: 0.001, name: adam}
_wandb:
  desc: null
  value: {cli_version: 0.16.0, t: {1: [1, 5]}}
plain: 3
)";
  const ParamMap params = FlattenYaml(text, FlattenOptions{"value", {"_wandb", "wandb_version"}});
  CHECK(Lines(params) == "method\t\"vicreg\"\noptim.lr\t0.001\noptim.name\t\"adam\"\nplain\t3\n");
}

TEST_CASE("Malformed or non-map configs throw ConfigError naming the source", "[discovery]") {
  try {
    FlattenYaml("a: [1, 2\nb: : :", {}, "/runs/x/config.yaml");
    FAIL("no exception");
  } catch (const rankme::ConfigError& e) {
    CHECK(e.path() == "/runs/x/config.yaml");
  }
  CHECK_THROWS_AS(FlattenYaml("- 1\n- 2\n"), rankme::ConfigError);
  CHECK_THROWS_AS(FlattenJson("{\"a\": }"), rankme::ConfigError);
  CHECK(FlattenYaml("").empty());
}

TEST_CASE("ParseOverrides keeps Hydra's key=value strings", "[discovery]") {
  CHECK(ParseOverrides("- method=vicreg\n- optim.lr=0.001\n- +extra=[1,2]\n") ==
        std::vector<std::string>{"method=vicreg", "optim.lr=0.001", "+extra=[1,2]"});
  CHECK_THROWS_AS(ParseOverrides("a: 1\n"), rankme::ConfigError);
}

TEST_CASE("Key patterns match dotted keys, any depth under *", "[discovery]") {
  CHECK(MatchesKeyPattern("*.seed", "trainer.seed"));
  CHECK(MatchesKeyPattern("*.seed", "a.b.seed"));
  CHECK_FALSE(MatchesKeyPattern("*.seed", "seed"));
  CHECK_FALSE(MatchesKeyPattern("*.seed", "trainer.seeds"));
  CHECK(MatchesKeyPattern("*_dir", "paths.output_dir"));
  CHECK(MatchesKeyPattern("seed", "SEED"));
  CHECK_FALSE(MatchesKeyPattern("name", "optimizer.name"));
}

TEST_CASE("SplitConfig takes the seed and leaves bookkeeping out of the key", "[discovery]") {
  const ParamMap run_a = FlattenYaml(R"(
trainer: {seed: 7, max_epochs: 100, devices: 4, default_root_dir: /scratch/a}
optimizer: {name: adam, lr: 1e-3}
output_dir: /scratch/a/out
run_name: a-seed7
timestamp: 2024-01-01T10:00:00
drop_path_rate: 0.1
hydra: {job: {name: train}}
)");
  const ParamMap run_b = FlattenYaml(R"(
trainer: {seed: 8, max_epochs: 100, devices: 8, default_root_dir: /scratch/b}
optimizer: {name: adam, lr: 0.001}
output_dir: /scratch/b/out
run_name: b-seed8
timestamp: 2024-01-02T11:00:00
drop_path_rate: 0.1
hydra: {job: {name: train}}
)");
  const auto split_a = SplitConfig(run_a, DefaultSeedKeys(), DefaultIgnoredKeys());
  const auto split_b = SplitConfig(run_b, DefaultSeedKeys(), DefaultIgnoredKeys());
  CHECK(split_a.seed == "7");
  CHECK(split_a.seed_key == "trainer.seed");
  CHECK(split_b.seed == "8");
  CHECK(ConfigKey(split_a.hyperparameters) == ConfigKey(split_b.hyperparameters));
  CHECK(ConfigKey(split_a.hyperparameters) ==
        R"({"drop_path_rate":0.1,"optimizer.lr":0.001,"optimizer.name":"adam",)"
        R"("trainer.max_epochs":100})");
  CHECK(split_a.warnings.empty());

  // Top-level seed wins over a nested one; a disagreement is reported.
  const auto both = SplitConfig(FlattenYaml("seed: 1\ndata: {seed: 2}\n"), DefaultSeedKeys(),
                                DefaultIgnoredKeys());
  CHECK(both.seed == "1");
  CHECK(both.warnings.size() == 1);
  CHECK(both.hyperparameters.empty());
  CHECK_FALSE(SplitConfig(FlattenYaml("lr: 1\n"), DefaultSeedKeys(), {}).seed.has_value());
}

TEST_CASE("ConfigId is the first 12 hex digits of XXH3-64 of the key", "[discovery]") {
  // Reference value of XXH3_64bits("") from the xxHash test vectors.
  CHECK(ConfigId("") == "2d06800538d3");
  const std::string key = R"({"lr":0.001,"method":"simclr"})";
  char expected[17];
  std::snprintf(expected, sizeof expected, "%016llx",
                static_cast<unsigned long long>(XXH3_64bits(key.data(), key.size())));
  CHECK(ConfigId(key) == std::string(expected, 12));
  CHECK(ConfigId(key) != ConfigId(R"({"lr":0.002,"method":"simclr"})"));
}

TEST_CASE("Float values print as Python's repr prints them", "[discovery]") {
  // Python gives the expected text; integral floats below 1e16 are integers in rankme.
  const std::string values =
      "0.0001 1e-05 0.1 -0.3 123.456 1e16 1.5e300 2.5e-07 1234567.125 1e-4 0.00012 "
      "123456789012345.6 1.7976931348623157e308 5e-324 -2.5e-10 33.333333333333336";
  std::string expected;
  REQUIRE(rankme::testing::RunCommand(
              "/usr/bin/python3 -c \"import sys; print(' '.join(repr(float(v)) for v in "
              "sys.argv[1:]))\" " +
                  values,
              &expected) == 0);
  std::string yaml;
  std::istringstream words(values);
  std::string word;
  for (int i = 0; words >> word; ++i) {
    yaml.append("v").append(std::to_string(100 + i)).append(": ").append(word).append("\n");
  }
  std::string actual;
  for (const auto& [key, value] : FlattenYaml(yaml)) {
    if (!actual.empty()) actual.push_back(' ');
    actual.append(value.json);
  }
  actual.push_back('\n');
  CHECK(actual == expected);
}

TEST_CASE("YAML << merge keys resolve as PyYAML resolves them", "[discovery]") {
  // Explicit keys win over merged ones; in a merge list the earlier map wins; merged maps can
  // themselves merge; a merge can be an inline map.
  const std::string text = R"(
base: &base {lr: 0.1, wd: 0.01, opt: {name: sgd, momentum: 0.9}}
other: &other {lr: 0.5, bs: 256, warmup: 5}
deep: &deep {<<: *other, bs: 512}
one:
  <<: *base
  lr: 0.2
list:
  <<: [*other, *base]
  extra: 1
chain:
  <<: *deep
inline:
  <<: {a: 1, b: 2}
  b: 3
)";
  const ParamMap params = FlattenYaml(text);
  CHECK(Lines(params) == FlattenWithPyYaml(text));
  CHECK(params.at("one.lr").json == "0.2");
  CHECK(params.at("list.lr").json == "0.5");
  CHECK(params.at("chain.bs").json == "512");
  CHECK(params.count("one.<<") == 0);
  // A quoted '<<' is an ordinary key, as in PyYAML.
  CHECK(FlattenYaml("'<<': {a: 1}\n").count("<<.a") == 1);
}
