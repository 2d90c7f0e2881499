#include "rankme/discovery/checkpoint_name.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <optional>
#include <string>
#include <vector>

using rankme::discovery::CheckpointName;
using rankme::discovery::NaturalLess;
using rankme::discovery::ParseCheckpointName;
using rankme::discovery::ParseShardName;

namespace {

constexpr std::optional<std::int64_t> kNone = std::nullopt;

struct NameCase {
  const char* name;
  std::optional<std::int64_t> step;
  std::optional<std::int64_t> epoch;
};

}  // namespace

TEST_CASE("ParseCheckpointName reads the step and epoch spellings sweeps write", "[discovery]") {
  const std::vector<NameCase> cases = {
      {"epoch=4-step=1000", 1000, 4},
      {"epoch=0-step=31.safetensors", 31, 0},  // Lightning counts epochs from 0: kept as written
      {"step_001000", 1000, kNone},
      {"step=1000", 1000, kNone},
      {"step-77", 77, kNone},
      {"steps_12", 12, kNone},
      {"epoch_010", kNone, 10},
      {"epoch10", kNone, 10},
      {"epochs-3", kNone, 3},
      {"ckpt-5000", 5000, kNone},
      {"checkpoint-5000", 5000, kNone},
      {"iter_500", 500, kNone},
      {"iteration-20", 20, kNone},
      {"global_step500", 500, kNone},
      {"ep=9", kNone, 9},
      {"embeddings_ep12_rank0", kNone, 12},
      {"Epoch_7", kNone, 7},
      {"representations", kNone, kNone},
      {"rep10", kNone, kNone},  // "ep" inside a word is not an epoch
      {"sweep-3", kNone, kNone},
      {"version_3", kNone, kNone},
      {"step_99999999999999999999", kNone, kNone},  // beyond int64: ignored
      {"checkpoints/epoch_001/embeddings.npy", kNone, 1},
      {"epoch_2/step_300/emb.npy", 300, 2},
      {"files/embeddings/step_000186.pt", 186, kNone},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    const CheckpointName parsed = ParseCheckpointName(c.name);
    CHECK(parsed.step == c.step);
    CHECK(parsed.epoch == c.epoch);
  }
}

TEST_CASE("ParseShardName finds per-rank tokens and removes them", "[discovery]") {
  struct ShardCase {
    const char* name;
    std::optional<std::int64_t> rank;
    const char* rest;
  };
  const std::vector<ShardCase> cases = {
      {"rank0_embeddings", 0, "embeddings"},  {"embeddings_rank10", 10, "embeddings"},
      {"embeddings_rank_2", 2, "embeddings"}, {"shard_03", 3, ""},
      {"emb-00002-of-00004", 2, "emb"},       {"worker1-step_100", 1, "step_100"},
      {"ranking", std::nullopt, "ranking"},   {"embeddings", std::nullopt, "embeddings"},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    const auto shard = ParseShardName(c.name);
    CHECK(shard.rank == c.rank);
    CHECK(shard.rest == c.rest);
  }
}

TEST_CASE("NaturalLess orders digit runs as numbers", "[discovery]") {
  std::vector<std::string> names = {"epoch_10",   "epoch_2", "epoch_1", "b",
                                    "epoch_002x", "a10",     "a9",      "epoch_02"};
  std::sort(names.begin(), names.end(),
            [](const std::string& a, const std::string& b) { return NaturalLess(a, b); });
  // "epoch_02" and "epoch_2" are equal as numbers: byte order breaks the tie ('0' < '2');
  // "epoch_002x" continues past its number, so it follows both.
  CHECK(names == std::vector<std::string>{"a9", "a10", "b", "epoch_1", "epoch_02", "epoch_2",
                                          "epoch_002x", "epoch_10"});
  CHECK_FALSE(NaturalLess("x", "x"));
  CHECK(NaturalLess("rank2", "rank10"));
  CHECK_FALSE(NaturalLess("rank10", "rank2"));
}
