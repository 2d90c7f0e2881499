#include <catch2/catch.hpp>

#include "rankme/app/label_file.h"
#include "rankme/core/error.h"

using namespace rankme;
using namespace rankme::app;

namespace {

std::vector<RunRecord> Runs() {
  RunRecord a;
  a.run_id = 1;
  a.name = "multirun/0";
  a.path = "/sweeps/s/multirun/0";
  RunRecord b;
  b.run_id = 2;
  b.name = "multirun/1";
  b.path = "/sweeps/s/multirun/1";
  return {a, b};
}

std::vector<CheckpointRecord> Checkpoints() {
  return {{10, 1, "checkpoints/epoch_001", std::nullopt, 1, 0},
          {11, 1, "checkpoints/epoch_003", std::nullopt, 3, 1},
          {20, 2, "embeddings/epoch=0-step=31", 31, 0, 0}};
}

}  // namespace

TEST_CASE("Label files: CSV and JSON forms, column choice and matching", "[ranking]") {
  struct Case {
    const char* text;
    const char* column;
    const char* expected_column;
    std::vector<std::pair<std::int64_t, std::optional<std::int64_t>>> matched;  // run, checkpoint
    std::vector<double> values;
  };
  const Case cases[] = {
      {"run,checkpoint,probe\nmultirun/0,epoch_003,0.7\r\n\"multirun/1\",\"embeddings/"
       "epoch=0-step=31\",0.5\n",
       "",
       "probe",
       {{1, 11}, {2, 20}},
       {0.7, 0.5}},
      {"run,step,epoch,note,acc,knn\n/sweeps/s/multirun/1,31,,x,0.25,0.1\nmultirun/"
       "0,,1,y,0.5,0.2\n",
       "knn",
       "knn",
       {{2, 20}, {1, 10}},
       {0.1, 0.2}},
      {"run,note,acc\ns/multirun/0,\"a, \"\"b\"\"\",0.9\nmultirun/1,,\n",
       "",
       "acc",
       {{1, std::nullopt}},
       {0.9}},
      {R"([{"run": "multirun/0", "epoch": 3, "acc": 0.75}, {"run": "multirun/1", "acc": null}])",
       "",
       "acc",
       {{1, 11}},
       {0.75}},
      {R"({"multirun/0": 0.6, "multirun/1": 0.4})",
       "",
       "value",
       {{1, std::nullopt}, {2, std::nullopt}},
       {0.6, 0.4}},
  };
  for (const Case& c : cases) {
    CAPTURE(c.text);
    const LabelFile file = ParseLabelFile(c.text, "labels", c.column);
    CHECK(file.column == c.expected_column);
    const LabelMatch match = MatchLabels(file, "labels", Runs(), Checkpoints());
    CHECK(match.unmatched.empty());
    REQUIRE(match.labels.size() == c.matched.size());
    for (std::size_t i = 0; i < c.matched.size(); ++i) {
      CHECK(match.labels[i].run_id == c.matched[i].first);
      CHECK(match.labels[i].checkpoint_id == c.matched[i].second);
      CHECK(match.labels[i].value == c.values[i]);
      CHECK(match.labels[i].name == c.expected_column);
    }
  }
}

TEST_CASE("Label files: what cannot be matched is reported, malformed files refused", "[ranking]") {
  const LabelFile file = ParseLabelFile("run,step,acc\nmultirun/9,1,0.5\nmultirun/1,99,0.5\n", "f");
  const LabelMatch match = MatchLabels(file, "f", Runs(), Checkpoints());
  CHECK(match.labels.empty());
  CHECK(match.unmatched.size() == 2);
  CHECK_THROWS_AS(ParseLabelFile("checkpoint,acc\nx,1\n", "f"), FormatError);  // no run column
  CHECK_THROWS_AS(ParseLabelFile("run,acc\nx,high\n", "f", "acc"), FormatError);
  CHECK_THROWS_AS(ParseLabelFile("run,acc\n\"x,1\n", "f"), FormatError);
  CHECK_THROWS_AS(ParseLabelFile("run,acc\nx,1\n", "f", "nope"), UsageError);
  CHECK_THROWS_AS(ParseLabelFile("[1, 2]", "f"), FormatError);
}

TEST_CASE("Label file nested 100000 deep is refused, not a crash", "[ranking]") {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  for (const std::string& text :
       {deep, R"({"run/a":)" + deep + "}", R"([{"run":"a","acc":)" + deep + "}]"}) {
    CHECK_THROWS_WITH(ParseLabelFile(text, "deep.json"),
                      Catch::Contains("nests deeper than 64 levels"));
  }
  // A label value that is an (unexpected) shallow list is still read and refused as a value.
  CHECK_THROWS_AS(ParseLabelFile(R"([{"run":"a","acc":[[1]]}])", "f", "acc"), FormatError);
}
