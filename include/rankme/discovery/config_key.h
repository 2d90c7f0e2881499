#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rankme/discovery/config.h"
#include "rankme/discovery/key_names.h"

namespace rankme::discovery {

/// Seed keys used when none are given: `seed`, `random_seed` and any key whose last component is
/// one of them (`trainer.seed`). Matched case-insensitively, in this order of preference.
std::vector<std::string> DefaultSeedKeys();

/// Bookkeeping keys left out of a configuration when none are given: logger and launcher
/// internals (`hydra.*`, `_wandb`, `wandb.*`, `logger.*`), paths and folders (`*_dir`, `*.dir`,
/// `*_path`, `*.path`, `paths.*`, `*_file`), run names (`name`, `run_name`, `exp_name`, ...; a
/// nested `*.name` such as `optimizer.name` is a hyperparameter and stays), timestamps, resume
/// and checkpoint bookkeeping (`ckpt*`, `resume*`, `save_*`, `log_every*`) and hardware
/// (`devices`, `gpus`, `num_workers`, `num_nodes`, `world_size`, ...). The full list is in
/// config_key.cpp.
std::vector<std::string> DefaultIgnoredKeys();

/// True when the dotted `key` matches the glob `pattern`: `*` matches any characters, dots
/// included (`*.seed` matches `trainer.seed` and `a.b.seed`), `?` one character, `[...]` a set;
/// case-insensitive.
bool MatchesKeyPattern(std::string_view pattern, std::string_view key);

/// A run's parameters split into seed, bookkeeping and hyperparameters.
struct ConfigSplit {
  std::optional<std::string> seed;  ///< ParamText of the seed value; nullopt when none (or null)
  std::string seed_key;             ///< the key the seed came from; empty when none
  ParamMap hyperparameters;         ///< params minus every seed key and every ignored key
  std::map<std::string, ParamRole> roles;  ///< every key of params → its role
  std::vector<std::string> warnings;       ///< e.g. two seed keys with different values
};

/// Splits `params`. The seed is the first non-null value among the keys matching `seed_keys`,
/// tried pattern by pattern in order, shallower keys first; every key matching a seed pattern is
/// removed from the hyperparameters, as is every key matching `ignored_keys`. Roles: a key
/// matching `ignored_keys` is bookkeeping, else one matching `seed_keys` is a seed, else it is a
/// hyperparameter. Patterns are matched against keys as written (`hydra.*`, `*.seed`): the
/// layouts' own spelling is what they describe.
ConfigSplit SplitConfig(const ParamMap& params, const std::vector<std::string>& seed_keys,
                        const std::vector<std::string>& ignored_keys);

/// Canonical JSON object of `hyperparameters` in key order, e.g. {"lr":0.001,"method":"simclr"}.
/// Runs with equal keys are seeds of one configuration.
std::string ConfigKey(const ParamMap& hyperparameters);

/// Short stable identifier of a configuration key: the first 12 hex digits of its XXH3-64 hash.
std::string ConfigId(std::string_view config_key);

}  // namespace rankme::discovery
