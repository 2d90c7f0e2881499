#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "rankme/discovery/config.h"
#include "rankme/discovery/key_names.h"

namespace rankme::discovery {

/// The parameter that stands for the configuration of a run whose config file is unreadable.
inline constexpr const char* kConfigErrorKey = "config_error";

/// What DiscoverSweep looks for.
struct DiscoveryOptions {
  /// Patterns of the keys that hold a run's seed (see MatchesKeyPattern); default
  /// DefaultSeedKeys(): `seed`, `random_seed`, `*.seed`, `*.random_seed`.
  std::vector<std::string> seed_keys;
  /// Patterns of bookkeeping keys left out of the configuration; default DefaultIgnoredKeys().
  std::vector<std::string> ignored_keys;
  /// A layout file (JSON or YAML); when set, only its layouts are used instead of the built-in
  /// ones.
  std::optional<std::string> layout_file;
  /// Renamings of hyperparameters (`--key-alias FROM=TO`), applied after the layout file's
  /// key_aliases, so they win over those (see NameKeys).
  std::vector<KeyAlias> key_aliases;

  DiscoveryOptions();
};

/// One tensor of a checkpoint: one file, or several per-rank shards whose rows are concatenated.
struct DiscoveredTensorFile {
  /// The tensor name ("embeddings", from the file stem); "" = every tensor inside the file
  /// (a `.safetensors`/`.pt`/`.npz` holding several named tensors, resolved by the reader).
  std::string tensor;
  /// Absolute paths; shards in rank order (rank 2 before rank 10).
  std::vector<std::string> paths;
  /// Why the shards do not make the whole tensor, naming the piece ("shard rank 1 of
  /// step_5/emb.npy is missing (found ranks 0, 2)..."); "" when they do, or the tensor is one
  /// file. Ingest records such a tensor as failed with this message instead of scoring part of
  /// its rows.
  std::string incomplete;
};

/// One checkpoint of a run: a folder (`checkpoints/epoch_001/` with one file per tensor) or a
/// file (`epoch=2-step=93.safetensors`), or files sharing a step in one folder
/// (`embeddings_step_100.npy` + `representations_step_100.npy`).
struct DiscoveredCheckpoint {
  /// Path relative to the run folder naming the checkpoint: the folder, or the file path without
  /// extension, tensor and shard parts ("embeddings/epoch=2-step=93"). Files without any step or
  /// epoch form one checkpoint per folder, named after the file stem when the folder holds one
  /// such file, else after the folder ("final" for the run folder itself).
  std::string name;
  std::optional<std::int64_t> step;         ///< as written in the name
  std::optional<std::int64_t> epoch;        ///< as written in the name (Lightning counts from 0)
  std::vector<DiscoveredTensorFile> files;  ///< sorted by tensor name
};

/// One flattened config entry of a run and what discovery decided about it.
struct RunParam {
  std::string key;  ///< as the config wrote it, flattened ("optim.lr")
  /// The hyperparameter's name across the sweep ("lr"; see NameKeys); the key as written for
  /// seed and bookkeeping entries.
  std::string name;
  ParamValue value;
  ParamRole role = ParamRole::kHyperparameter;
  /// Set on the command line of the run: named, or under a group named, in its overrides
  /// (Hydra's overrides.yaml: `optim.lr=0.001`, `+model.depth=4`, `optim=adam`).
  bool swept = false;
};

/// One training run.
struct DiscoveredRun {
  std::string dir;           ///< absolute
  std::string relative_dir;  ///< relative to the sweep root; "" when the root is the run
  std::string layout;        ///< "hydra" | "lightning" | "wandb" | "solo-learn" | "plain" | custom
  std::string config_file;   ///< absolute path of the config read; "" when none
  /// Why the config file could not be read or parsed ("<file>: <problem>"); nullopt when it was
  /// read (or there is none). Such a run is its own configuration: params hold the single entry
  /// kConfigErrorKey = this text, which also makes its config_key unique to the run.
  std::optional<std::string> config_error;
  ParamMap params;  ///< every flattened config entry, by key as written
  /// The entries of params in key order, each with its role and name.
  std::vector<RunParam> entries;
  /// The configuration: the hyperparameter entries by name. Runs of one sweep whose
  /// hyperparameters are equal are seeds of one configuration, whichever layouts wrote them.
  ParamMap hyperparameters;
  std::optional<std::string> seed;     ///< ParamText of the seed; nullopt when no seed key
  std::string config_key;              ///< ConfigKey(hyperparameters)
  std::string config_id;               ///< ConfigId(config_key)
  std::vector<std::string> overrides;  ///< Hydra overrides ("optim.lr=0.001"): the swept keys
  /// Ordered by step when known, then by epoch, then by name (natural order); checkpoints
  /// without a step come after those with one, those with neither last. "last" = back().
  std::vector<DiscoveredCheckpoint> checkpoints;
  std::vector<std::string> warnings;  ///< malformed config, missing shards, ...
};

/// Everything found under a sweep folder.
struct Sweep {
  std::string root;                   ///< absolute, canonical
  std::vector<DiscoveredRun> runs;    ///< natural order of relative_dir
  std::vector<std::string> warnings;  ///< unreadable folders, embedding files outside any run
  /// How keys were named where that needs saying (keys kept long, aliases that matched nothing).
  std::vector<std::string> notes;
};

/// Walks `root` (following symlinks, each folder once by canonical path: `wandb/latest-run` does
/// not count a run twice), detects runs with the built-in layouts or options.layout_file, reads
/// their configs and lists their checkpoints. Never opens an embedding file. A malformed config
/// (unreadable, larger than kMaxConfigFileBytes, not a regular file, or refused by its parser) is
/// a warning on its run and its config_error; the run is kept, as its own configuration.
///
/// Each config is flattened, its keys' roles decided (seed and ignored keys of the options and
/// of the run's layout), then the hyperparameters of all runs named together (NameKeys, with the
/// layouts' key_aliases and then options.key_aliases), so that the configuration of a run does
/// not depend on the layout that wrote it.
///
/// An unreadable or missing root throws IoError; a bad layout file throws ConfigError, as does
/// an alias giving two keys of one run one name when their values differ (equal values are one
/// entry, as in FlattenYaml).
Sweep DiscoverSweep(const std::string& root, const DiscoveryOptions& options = {});

}  // namespace rankme::discovery
