// Per-rank shards with a piece missing: the checkpoint's tensor is marked incomplete, naming the
// piece, so that ingest never scores part of the rows as the whole matrix.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "discovery/checkpoint_scan_internal.h"
#include "discovery/shard_set_internal.h"
#include "rankme/discovery/layout.h"

using namespace rankme::discovery;
using namespace rankme::discovery::internal;

namespace {

// The incomplete text of every tensor file of the scan, by checkpoint name.
std::vector<std::pair<std::string, std::string>> Incomplete(const std::vector<std::string>& files) {
  const CheckpointScan scan = ScanCheckpoints("/run", files, Layout{});
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& checkpoint : scan.checkpoints) {
    for (const auto& file : checkpoint.files) out.emplace_back(checkpoint.name, file.incomplete);
  }
  return out;
}

std::string IncompleteOf(const std::vector<std::string>& files, const std::string& checkpoint) {
  for (const auto& [name, incomplete] : Incomplete(files)) {
    if (name == checkpoint) return incomplete;
  }
  FAIL("no checkpoint " << checkpoint);
  return {};
}

}  // namespace

TEST_CASE("A checkpoint missing a per-rank shard is incomplete, naming the missing rank",
          "[discovery]") {
  // Regression: rank0 + rank2 (rank 1 lost) was concatenated and stored as status ok.
  struct ShardCase {
    const char* what;
    std::vector<std::string> files;
    const char* checkpoint;
    const char* expected;  // "" = complete
  };
  const std::vector<ShardCase> cases = {
      {"complete", {"step_1/rank0_emb.npy", "step_1/rank1_emb.npy"}, "step_1", ""},
      {"a rank between others",
       {"step_1/rank0_emb.npy", "step_1/rank2_emb.npy"},
       "step_1",
       "shard rank 1 of step_1/emb.npy is missing (found ranks 0, 2)"},
      {"rank 0",
       {"step_5/rank_1/emb.npy"},
       "step_5",
       "shard rank 0 of step_5/emb.npy is missing (found rank 1)"},
      {"the last rank, seen in another checkpoint",
       {"step_1/emb_rank0.npy", "step_1/emb_rank1.npy", "step_1/emb_rank2.npy",
        "step_2/emb_rank0.npy", "step_2/emb_rank1.npy"},
       "step_2",
       "shard rank 2 of step_2/emb.npy is missing (found ranks 0, 1; another checkpoint of this "
       "run has 3)"},
      {"the last ranks of a folder layout",
       {"step_1/rank_0/emb.npy", "step_1/rank_1/emb.npy", "step_1/rank_2/emb.npy",
        "step_1/rank_3/emb.npy", "step_2/rank_0/emb.npy", "step_2/rank_1/emb.npy"},
       "step_2",
       "shard ranks 2, 3 of step_2/emb.npy are missing"},
      {"-of-N, counted from 1",
       {"epoch_1/emb-00001-of-00003.npy", "epoch_1/emb-00003-of-00003.npy"},
       "epoch_1",
       "shard rank 2 of epoch_1/emb.npy is missing (found ranks 1, 3; its names declare 3)"},
      {"-of-N, complete from 1",
       {"epoch_1/emb-00001-of-00002.npy", "epoch_1/emb-00002-of-00002.npy"},
       "epoch_1",
       ""},
      {"-of-N, the last one",
       {"epoch_1/emb-00000-of-00003.npy", "epoch_1/emb-00001-of-00003.npy"},
       "epoch_1",
       "shard rank 2 of epoch_1/emb.npy is missing (found ranks 0, 1; its names declare 3)"},
      {"-of-N beyond the count",
       {"epoch_1/emb-00001-of-00002.npy", "epoch_1/emb-00002-of-00002.npy",
        "epoch_1/emb-00003-of-00002.npy"},
       "epoch_1",
       "shard rank 3 of epoch_1/emb.npy is outside the 2 shards its names declare"},
      {"counts that disagree",
       {"epoch_1/emb-00001-of-00002.npy", "epoch_1/emb-00002-of-00003.npy"},
       "epoch_1",
       "declare different counts (2 and 3"},
      {"a rank twice",
       {"step_1/emb_rank0.npy", "step_1/emb_rank00.npy", "step_1/emb_rank1.npy"},
       "step_1",
       "shard rank 0 of step_1/emb.npy appears twice (step_1/emb_rank0.npy and "
       "step_1/emb_rank00.npy)"},
      {"a file without a rank among shards",
       {"step_1/emb.npy", "step_1/emb_rank1.npy"},
       "step_1",
       "shards of step_1/emb.npy: step_1/emb.npy has no shard rank beside step_1/emb_rank1.npy"},
      {"a huge rank: ranges, not a list",
       {"step_1/emb_rank999999999999.npy"},
       "step_1",
       "shard ranks 0-999999999998 of step_1/emb.npy are missing (found rank 999999999999)"},
  };
  for (const auto& c : cases) {
    INFO(c.what);
    const std::string incomplete = IncompleteOf(c.files, c.checkpoint);
    if (std::string(c.expected).empty()) {
      CHECK(incomplete.empty());
    } else {
      CHECK_THAT(incomplete, Catch::Contains(c.expected));
    }
  }
}

TEST_CASE("Only the checkpoint missing a shard is incomplete, not its neighbours", "[discovery]") {
  const auto found = Incomplete({"step_1/rank0_e.npy", "step_1/rank1_e.npy", "step_2/rank0_e.npy",
                                 "step_3/rank0_e.npy", "step_3/rank1_e.npy", "step_4/x.npy"});
  REQUIRE(found.size() == 4);
  CHECK(found[0].second.empty());
  CHECK_THAT(found[1].second, Catch::Contains("shard rank 1 of step_2/e.npy is missing"));
  CHECK(found[2].second.empty());
  CHECK(found[3].second.empty());  // one file, not sharded
}

TEST_CASE("ShardSpan counts from the first rank of the naming scheme", "[discovery]") {
  ShardSet hf{"e.npy", {"a", "b"}, {1, 2}, {2, 2}};
  CHECK(FirstShardRank(hf) == 1);
  CHECK(ShardSpan(hf) == 2);
  ShardSet zero{"e.npy", {"a", "b"}, {0, 1}, {std::nullopt, std::nullopt}};
  CHECK(FirstShardRank(zero) == 0);
  CHECK(ShardSpan(zero) == 2);
  ShardSet extreme{"e.npy", {"a"}, {INT64_MAX}, {std::nullopt}};
  CHECK(ShardSpan(extreme) == INT64_MAX);
  CHECK_THAT(ShardSetProblem(extreme, 0), Catch::Contains("0-9223372036854775806"));
}
