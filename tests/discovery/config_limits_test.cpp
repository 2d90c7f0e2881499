// Hostile config documents: every one ends in a ConfigError naming the file and the limit, or in
// a well-defined value; none may crash, hang or allocate without bound.
#include <catch2/catch.hpp>
#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>
#include <string>

#include "rankme/core/error.h"
#include "rankme/discovery/config.h"
#include "rankme/discovery/config_key.h"

using namespace rankme::discovery;
using Kind = ParamValue::Kind;

namespace {

/// The ConfigError message FlattenYaml/FlattenJson raise for `text`, "" when none.
std::string YamlProblem(const std::string& text) {
  try {
    FlattenYaml(text, {}, "cfg.yaml");
  } catch (const rankme::ConfigError& e) {
    CHECK(e.path() == "cfg.yaml");
    CHECK(std::string(e.what()).find('\n') == std::string::npos);
    return e.message();
  }
  return "";
}

std::string JsonProblem(const std::string& text) {
  try {
    FlattenJson(text, {}, "cfg.json");
  } catch (const rankme::ConfigError& e) {
    CHECK(e.path() == "cfg.json");
    CHECK(std::string(e.what()).find('\n') == std::string::npos);
    return e.message();
  }
  return "";
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

/// `levels` nested flow lists around a 1: "[[1]]" for 2.
std::string NestedList(int levels) {
  return std::string(static_cast<std::size_t>(levels), '[') + "1" +
         std::string(static_cast<std::size_t>(levels), ']');
}

}  // namespace

TEST_CASE("A YAML alias bomb is refused at the value budget, fast", "[discovery]") {
  // 9^8 = 43 million values from 279 bytes (the billion-laughs shape).
  std::string text = "a: &a [1,1,1,1,1,1,1,1,1]\n";
  std::string previous = "a";
  for (const char c : std::string("bcdefgh")) {
    text += std::string(1, c) + ": &" + c + " [";
    for (int i = 0; i < 9; ++i) text += (i ? ",*" : "*") + previous;
    text += "]\n";
    previous = std::string(1, c);
  }
  text += "seed: 0\n";
  const auto start = std::chrono::steady_clock::now();
  const std::string problem = YamlProblem(text);
  CHECK(Contains(problem, "more than 1000000 values"));
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(10));
}

TEST_CASE("A long scalar aliased many times is refused at the byte budget", "[discovery]") {
  // 100 KB aliased 200 times: 20 MB of text from a 100 KB file (budget 1 MiB + 4 x 100 KB).
  std::string text = "a: &a " + std::string(100'000, 'x') + "\nb: [";
  for (int i = 0; i < 200; ++i) text += i ? ",*a" : "*a";
  text += "]\n";
  CHECK(Contains(YamlProblem(text), "bytes of text"));
}

TEST_CASE("A few aliases within the budget expand as PyYAML does", "[discovery]") {
  const ParamMap params = FlattenYaml("base: &b [1, 2]\ncopy: *b\nnested: {x: *b}\n");
  CHECK(params.at("copy").json == "[1,2]");
  CHECK(params.at("nested.x").json == "[1,2]");
}

TEST_CASE("A recursive YAML alias is refused instead of overflowing the stack", "[discovery]") {
  CHECK(Contains(YamlProblem("x: &x [*x]\n"), "alias refers to a node that contains it"));
  CHECK(Contains(YamlProblem("x: &x {a: [1, {b: *x}]}\n"),
                 "alias refers to a node that contains it"));
}

TEST_CASE("Deeply nested YAML and JSON are refused with the depth limit", "[discovery]") {
  // The top-level map is level 1: 255 list levels inside it fit, 256 do not.
  CHECK(YamlProblem("d: " + NestedList(255) + "\n").empty());
  CHECK(Contains(YamlProblem("d: " + NestedList(256) + "\n"), "deeper than 256 levels"));
  CHECK(Contains(YamlProblem("d: " + NestedList(200'000) + "\n"), "deeper than 256 levels"));
  std::string maps = "d: ";
  for (int i = 0; i < 200'000; ++i) maps += "{a: ";
  maps += "1" + std::string(200'000, '}') + "\n";
  CHECK(Contains(YamlProblem(maps), "deeper than 256 levels"));
  std::string block;  // indentation nesting
  for (int i = 0; i < 5000; ++i) block += std::string(static_cast<std::size_t>(i), ' ') + "k:\n";
  CHECK(Contains(YamlProblem(block + std::string(5000, ' ') + "v: 1\n"), "deeper than"));

  CHECK(JsonProblem("{\"d\":" + NestedList(255) + "}").empty());
  CHECK(Contains(JsonProblem("{\"d\":" + NestedList(256) + "}"), "deeper than 256 levels"));
  CHECK(Contains(JsonProblem("{\"seed\":0,\"d\":" + NestedList(30'000) + "}"),
                 "deeper than 256 levels"));
  std::string objects;
  for (int i = 0; i < 100'000; ++i) objects += "{\"a\":";
  CHECK(Contains(JsonProblem(objects + "1" + std::string(100'000, '}')), "deeper than"));
}

TEST_CASE("A 100000-digit scalar is an exact integer, not a regex stack overflow", "[discovery]") {
  const std::string digits(100'000, '1');
  const ParamMap params = FlattenYaml("seed: 0\nlr: " + digits + "\nf: " + digits + ".5\n");
  CHECK(params.at("lr") == ParamValue{Kind::kNumber, "\"" + digits + "\""});
  CHECK(params.at("f").kind == Kind::kNumber);
  CHECK(params.at("f").json == "\".inf\"");  // beyond the double range, as Python's float()
  // JSON consumers can read every value back.
  CHECK_NOTHROW(nlohmann::json::parse(params.at("lr").json));
  CHECK_NOTHROW(nlohmann::json::parse(ConfigKey(params)));
}

TEST_CASE("Integers beyond 64 bits are kept exactly in YAML and JSON alike", "[discovery]") {
  const ParamMap yaml = FlattenYaml(
      "a: 123456789012345678901234567890\nb: +00018446744073709551617\n"
      "c: -9223372036854775809\nd: 9223372036854775807\n");
  const ParamMap json = FlattenJson(R"({"a": 123456789012345678901234567890,
      "b": 18446744073709551617, "c": -9223372036854775809, "d": 9223372036854775807})");
  CHECK(yaml.at("a").json == "\"123456789012345678901234567890\"");
  CHECK(yaml.at("b").json == "\"18446744073709551617\"");
  CHECK(yaml.at("c").json == "\"-9223372036854775809\"");
  CHECK(yaml.at("d").json == "9223372036854775807");
  CHECK(yaml.at("a").kind == Kind::kNumber);
  CHECK(yaml == json);
  // Two integers that one double cannot tell apart stay two configurations.
  CHECK(FlattenYaml("a: 36028797018963968123\n") != FlattenYaml("a: 36028797018963968124\n"));
  CHECK(ParamText(yaml.at("a")) == "123456789012345678901234567890");
  CHECK(ParamNumber(yaml.at("a")) == Approx(1.2345678901234568e29));
}

TEST_CASE("YAML .nan and .inf spellings are numbers that compare equal", "[discovery]") {
  const ParamMap a = FlattenYaml("x: .nan\ny: .inf\nz: -.inf\nl: [.NaN, +.Inf]\n");
  const ParamMap b = FlattenYaml("x: .NAN\ny: +.INF\nz: -.Inf\nl: [.NAN, .inf]\n");
  CHECK(a == b);
  CHECK(ConfigKey(a) == ConfigKey(b));
  CHECK(a.at("x") == ParamValue{Kind::kNumber, "\".nan\""});
  CHECK(a.at("y") == ParamValue{Kind::kNumber, "\".inf\""});
  CHECK(a.at("z") == ParamValue{Kind::kNumber, "\"-.inf\""});
  CHECK(a.at("l").json == "[\".nan\",\".inf\"]");
  CHECK(std::isnan(*ParamNumber(a.at("x"))));
  CHECK(*ParamNumber(a.at("y")) == HUGE_VAL);
  CHECK(*ParamNumber(a.at("z")) == -HUGE_VAL);
  CHECK(ParamText(a.at("x")) == ".nan");
  // Spellings PyYAML reads as strings stay strings.
  const ParamMap s = FlattenYaml("a: .Nan\nb: nan\nc: inf\nd: -.nan\ne: '.nan'\n");
  for (const auto& [key, value] : s) CHECK(value.kind == Kind::kString);
  CHECK_NOTHROW(nlohmann::json::parse(ConfigKey(a)));
}

TEST_CASE("Colliding flattened keys with different values refuse the config", "[discovery]") {
  const std::string problem = YamlProblem("a.b: 1\na: {b: 100}\n");
  CHECK(Contains(problem, "keys collide after flattening: a.b"));
  CHECK((Contains(problem, "1 and 100") || Contains(problem, "100 and 1")));
  CHECK(Contains(JsonProblem(R"({"a.b": 1, "a": {"b": 100}})"), "keys collide"));
  // Equal values lose nothing: one entry.
  const ParamMap same = FlattenYaml("a.b: 1\na: {b: 1}\n");
  CHECK(same.size() == 1);
  CHECK(same.at("a.b").json == "1");
}

TEST_CASE("A key written twice with different values refuses the config", "[discovery]") {
  CHECK(Contains(YamlProblem("lr: 0.1\nlr: 0.2\n"), "key lr is written twice"));
  CHECK(Contains(JsonProblem(R"({"lr": 0.1, "lr": 0.2})"), "key lr is written twice"));
  CHECK(FlattenYaml("lr: 0.1\nlr: 0.1\n").size() == 1);
  CHECK(FlattenJson(R"({"lr": [1], "lr": [1]})").size() == 1);
}

TEST_CASE("Invalid UTF-8 in keys and values becomes U+FFFD, never invalid JSON", "[discovery]") {
  const ParamMap yaml = FlattenYaml("k\xff: \"v\xc3\x28\"\nt\x01: \"a\\tb\"\nok: \xe2\x82\n");
  const ParamMap json = FlattenJson("{\"k\xff\": \"v\xc3\x28\"}");
  CHECK(yaml.count("k\xEF\xBF\xBD") == 1);
  CHECK(ParamText(yaml.at("k\xEF\xBF\xBD")) == "v\xEF\xBF\xBD(");
  CHECK(ParamText(yaml.at("ok")) == "\xEF\xBF\xBD\xEF\xBF\xBD");  // each invalid byte
  CHECK(json.count("k\xEF\xBF\xBD") == 1);
  for (const ParamMap* params : {&yaml, &json}) {
    const std::string key = ConfigKey(*params);
    const auto parsed = nlohmann::json::parse(key);  // throws on invalid UTF-8
    CHECK_NOTHROW(parsed.dump());                    // strict: throws on invalid UTF-8
  }
}

TEST_CASE("Python tags are ignored, nothing is constructed", "[discovery]") {
  const ParamMap params = FlattenYaml(
      "a: !!python/object/apply:os.system [\"echo pwned\"]\nb: !!python/tuple [1, 2]\n"
      "c: !!python/object:__main__.X {lr: 0.1}\nd: !!int 5\n");
  CHECK(params.at("a").json == "[\"echo pwned\"]");
  CHECK(params.at("b").json == "[1,2]");
  CHECK(params.at("c.lr").json == "0.1");
  CHECK(params.at("d").json == "5");
}

TEST_CASE("Empty, binary and non-map configs end in a value or a ConfigError", "[discovery]") {
  CHECK(FlattenYaml("").empty());
  CHECK(FlattenYaml("# only a comment\n").empty());
  CHECK(Contains(YamlProblem("- 1\n- 2\n"), "top level is not a map"));
  CHECK(Contains(JsonProblem(""), "invalid JSON"));
  CHECK(Contains(JsonProblem("[1]"), "top level is not a map"));
  std::string garbage;
  for (int i = 0; i < 4096; ++i) garbage.push_back(static_cast<char>((i * 7919 + 13) % 256));
  try {
    FlattenYaml(garbage);
  } catch (const rankme::ConfigError&) {
  }
  CHECK(Contains(JsonProblem(garbage), "invalid JSON"));
}

TEST_CASE("NaN and Infinity that Python's json module writes are numbers, as in YAML",
          "[discovery]") {
  // json.dumps({"a": float("nan"), "b": float("inf"), "c": -float("inf"), "d": "NaN"})
  const ParamMap json =
      FlattenJson(R"({"a": NaN, "b": Infinity, "c": -Infinity, "d": "NaN", "e": [NaN]})");
  const ParamMap yaml = FlattenYaml("a: .nan\nb: .inf\nc: -.inf\nd: NaN\ne: [.nan]\n");
  CHECK(json == yaml);
  CHECK(json.at("a").kind == Kind::kNumber);
  CHECK(json.at("d").kind == Kind::kString);
  CHECK(Contains(JsonProblem(R"({"a": NaNa})"), "invalid JSON"));
}

TEST_CASE("Hydra overrides are parsed under the same limits as configs", "[discovery]") {
  CHECK(ParseOverrides("- optim.lr=0.1\n- seed=3\n- 5\n") ==
        std::vector<std::string>{"optim.lr=0.1", "seed=3", "5"});
  CHECK_THROWS_AS(ParseOverrides("- &x [*x]\n", "overrides.yaml"), rankme::ConfigError);
  CHECK_THROWS_AS(ParseOverrides("- " + NestedList(5000) + "\n"), rankme::ConfigError);
  CHECK_THROWS_AS(ParseOverrides("- [a]\n"), rankme::ConfigError);
  CHECK(ParseOverrides("").empty());
}
