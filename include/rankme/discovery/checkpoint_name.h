#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rankme::discovery {

/// Step and epoch a file or folder name writes, as written (Lightning counts epochs from 0; no
/// adjustment is made).
struct CheckpointName {
  std::optional<std::int64_t> step;
  std::optional<std::int64_t> epoch;

  bool operator==(const CheckpointName&) const = default;
};

/// Parses one name or a relative path ("checkpoints/epoch_001/embeddings.npy"); for a path each
/// of step and epoch comes from the deepest component that writes it. Recognised, case-
/// insensitively, when the word starts the name or follows a non-letter, with an optional `=`,
/// `_`, `-` or `:` before the digits:
///   step:  `step`, `steps`, `global_step`, `iter`, `iteration`, `ckpt`, `checkpoint`
///   epoch: `epoch`, `epochs`, `ep`
/// e.g. `epoch=4-step=1000`, `step_001000`, `epoch10`, `ckpt-5000`, `global_step500`, `ep=9`.
/// A number that does not fit int64 leaves its field empty (the scan of a run's files still takes
/// the token as the checkpoint's name, orders it after every step that fits and warns).
CheckpointName ParseCheckpointName(std::string_view name);

/// A per-rank shard token found in a name: `rank0_emb`, `emb_rank_1`, `shard_00`, `worker3`,
/// `emb-00001-of-00004`.
struct ShardName {
  std::optional<std::int64_t> rank;  ///< nullopt when the name has no shard token
  /// How many shards the name declares (`-of-00004`: 4); nullopt for the other tokens.
  std::optional<std::int64_t> count;
  std::string rest;  ///< the name without the token and one separator next to it
};

/// Finds a shard token in one path component (not a whole path).
ShardName ParseShardName(std::string_view name);

/// Natural order: runs of digits compare as numbers ("epoch_2" < "epoch_10"), the rest
/// byte-wise; ties broken byte-wise so the order is total.
bool NaturalLess(std::string_view a, std::string_view b);

}  // namespace rankme::discovery
