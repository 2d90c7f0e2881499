#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace rankme::discovery {

/// What discovery decided a flattened config entry is. Decided once, here; ingest and the store
/// record it and never work it out again.
enum class ParamRole { kHyperparameter, kSeed, kBookkeeping };

/// "hyperparameter" | "seed" | "bookkeeping", as the database stores a role.
std::string_view RoleName(ParamRole role);

/// A renaming of hyperparameters asked for by the user: every key written as `from`, or named
/// `from` by the built-in rule (see NameKeys), is called `to` instead.
struct KeyAlias {
  std::string from;
  std::string to;
  std::string source;  ///< where it was given ("--key-alias", or a layout file's path)

  bool operator==(const KeyAlias&) const = default;
};

/// Parses "FROM=TO" (spaces around either side are dropped). Throws ConfigError naming `source`
/// when either side is empty or there is no `=`.
KeyAlias ParseKeyAlias(std::string_view text, std::string_view source = "--key-alias");

/// The names of a sweep's hyperparameters.
struct KeyNaming {
  std::map<std::string, std::string> names;  ///< every key as written → its name
  /// Keys that kept a longer name because their short one would merge two keys of one run, and
  /// aliases that matched no key; one sentence each.
  std::vector<std::string> notes;
};

/// Gives every hyperparameter key of a sweep one name, whatever layout wrote it. `keys_by_run`
/// holds, per run, its hyperparameter keys as written (flattened, dotted).
///
/// Built-in rule: a key's name is its shortest dotted suffix that no two keys of one run share
/// (`optim.lr` in Hydra runs and `lr` in Lightning runs are both `lr`; `model.lr` beside
/// `optim.lr` in one run keeps both written names, with a note). A key without such a suffix
/// keeps its written name. Keys of one run never get one name from this rule.
///
/// `aliases` override it: a key written as an alias's `from`, or named `from` by the built-in
/// rule, is named `to`; the other keys are then named around the aliased ones by the same rule.
/// Two keys of one run may get one name only through an alias; the caller decides what that
/// means for their values (see DiscoverSweep).
KeyNaming NameKeys(const std::vector<std::vector<std::string>>& keys_by_run,
                   const std::vector<KeyAlias>& aliases = {});

}  // namespace rankme::discovery
