#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rankme::discovery {

/// One configuration value, typed, as canonical JSON text so that equal values compare equal
/// whatever their spelling in the file:
/// - numbers: integers (and floats with an integral value below 1e16) print as integers
///   ("25.0" -> "25"), other floats as Python's repr prints them: the shortest digits that parse
///   back to the same double ("1e-3", "0.001", "1.0e-03" -> "0.001"; "1e-5" -> "1e-05");
///   integers beyond int64 are read as doubles;
/// - strings JSON-quoted ("\"simclr\""); YAML `.inf`/`.nan` are kept as strings (JSON has no
///   such numbers);
/// - lists as one compact JSON array of canonical items, maps inside them with sorted keys;
/// - an empty map as "{}" (non-empty maps are flattened into dotted keys instead).
struct ParamValue {
  enum class Kind { kNull, kBool, kNumber, kString, kList, kObject };
  Kind kind = Kind::kNull;
  std::string json = "null";

  bool operator==(const ParamValue&) const = default;
};

/// Flattened configuration: dotted key ("optim.lr") -> value, sorted by key.
using ParamMap = std::map<std::string, ParamValue>;

/// How a config file is reduced before flattening.
struct FlattenOptions {
  /// When not empty, every top-level entry that is a map holding this key is replaced by that
  /// key's value (W&B writes `lr: {value: 0.001, desc: null}`; unwrap_key "value" gives
  /// `lr: 0.001`). Entries without it are kept as they are.
  std::string unwrap_key;
  /// Top-level keys dropped before flattening (glob patterns, e.g. "_wandb").
  std::vector<std::string> drop_keys;
};

/// Parses a YAML document (YAML 1.2 core schema plus the YAML 1.1 spellings PyYAML writes and
/// reads: `yes/no/on/off` booleans, `1.0e-05`; tags such as `!!python/tuple` are ignored, their
/// sequence or map kept) and flattens it. An empty document gives an empty map. Throws
/// ConfigError, with `source` as path, when the text is not YAML or its top level is not a map.
ParamMap FlattenYaml(std::string_view text, const FlattenOptions& options = {},
                     std::string_view source = {});

/// As FlattenYaml for a JSON document (solo-learn `args.json`, `config.json`).
ParamMap FlattenJson(std::string_view text, const FlattenOptions& options = {},
                     std::string_view source = {});

/// Reads Hydra's `overrides.yaml`: a YAML list of "key=value" strings, returned as written.
/// Throws ConfigError when the text is not a YAML list of scalars.
std::vector<std::string> ParseOverrides(std::string_view text, std::string_view source = {});

/// The value as a person would type it: strings without quotes, everything else its JSON text.
std::string ParamText(const ParamValue& value);

/// The number a kNumber value holds; nullopt for other kinds.
std::optional<double> ParamNumber(const ParamValue& value);

}  // namespace rankme::discovery
