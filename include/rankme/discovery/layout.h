#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "rankme/discovery/key_names.h"

namespace rankme::discovery {

/// How runs, their configs and their embedding files are found in a sweep folder. The built-in
/// layouts (hydra, wandb, lightning, solo-learn, plain) are values of this struct; a layout file
/// (`--layout FILE`, JSON or YAML, see configs/layouts/) fills the same fields.
///
/// Path globs are matched against `/`-separated relative paths with fnmatch per component,
/// case-insensitively: `*`, `?`, `[...]` within one component, `**` any number of components
/// (zero included), `{a,b}` alternatives.
struct Layout {
  /// Reported as DiscoveredRun::layout.
  std::string name = "custom";
  /// Run folders, relative to the sweep root ("" is the root itself; `**` matches it too).
  std::string run_glob = "**";
  /// Config files relative to the run folder; the first that exists is read (`.json` as JSON,
  /// anything else as YAML). A folder matching run_glob is a run only when one of them exists;
  /// with an empty list every folder matching run_glob is a run.
  std::vector<std::string> config_files;
  /// See FlattenOptions::unwrap_key ("value" for W&B).
  std::string unwrap_key;
  /// Top-level config keys dropped while parsing (W&B: `_wandb`, `wandb_version`).
  std::vector<std::string> drop_keys;
  /// Hydra-style overrides list relative to the run folder; empty = none.
  std::string overrides_file;
  /// Embedding files, relative to the run folder.
  std::vector<std::string> embedding_globs = DefaultEmbeddingGlobs();
  /// Files never taken as embeddings, relative to the run folder: model weights, optimizer
  /// state, launcher internals (DefaultExcludeGlobs()).
  std::vector<std::string> exclude_globs = DefaultExcludeGlobs();
  /// ECMAScript regexes searched in the file's run-relative path without its extension, with
  /// named groups `(?<step>\d+)` and/or `(?<epoch>\d+)` (`(?P<...>` accepted too); the first that
  /// matches gives the step/epoch. Empty = the built-in ParseCheckpointName. Paths longer than
  /// 1024 bytes are not searched (std::regex recurses per character and can overflow the stack).
  std::vector<std::string> checkpoint_regexes;
  /// Tensor naming: "stem" (default) = the file stem without its step/epoch and shard tokens
  /// ("embeddings_epoch_3.npy" -> "embeddings"; "epoch=2-step=93.safetensors" -> "" = all tensors
  /// inside); "file" = always "" (every tensor inside the file); any other text = that name.
  std::string tensor = "stem";
  /// Seed and bookkeeping key patterns added to DiscoveryOptions' lists for runs of this layout.
  std::vector<std::string> seed_keys;
  std::vector<std::string> ignored_keys;
  /// Renamings of hyperparameters (`key_aliases: {loss.tau: temperature}`, or a list of
  /// "FROM=TO"), applied to the whole sweep before `--key-alias` (see NameKeys).
  std::vector<KeyAlias> key_aliases;
  /// A weak layout (plain config.yaml) makes a run only where no other run lies around or inside
  /// the folder, the folder name is not itself a checkpoint name, and embedding files exist.
  bool weak = false;

  bool operator==(const Layout&) const = default;

  static std::vector<std::string> DefaultEmbeddingGlobs();
  static std::vector<std::string> DefaultExcludeGlobs();
};

/// The layouts auto-detection tries, in order of precedence: hydra, wandb, lightning,
/// solo-learn, plain.
std::vector<Layout> BuiltinLayouts();

/// Parses a layout file's text: one layout object, or `{layouts: [...]}` for several. Fields as
/// in Layout (snake_case names; a single string is accepted where a list is expected). JSON when
/// the text starts with `{` or `[`, YAML otherwise. Regexes are checked here. Throws ConfigError
/// naming `source` on unknown fields, wrong types or a bad regex.
std::vector<Layout> ParseLayouts(std::string_view text, std::string_view source = {});

/// Reads and parses a layout file; IoError when it cannot be read.
std::vector<Layout> LoadLayoutFile(const std::string& path);

}  // namespace rankme::discovery
