#pragma once

#include <cstddef>
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
///   integers beyond 64 bits exactly, as their decimal digits in a JSON string ("\"1234...\"",
///   leading zeros and `+` dropped; a JSON number that long would overflow JSON readers);
///   NaN and infinities (YAML `.nan`, `.NaN`, `.NAN`, `.inf`, `-.Inf`, `+.INF`, ..., and floats
///   beyond the double range) are numbers whose text is the JSON string ".nan", ".inf" or
///   "-.inf" (JSON has no such numbers; all NaNs compare equal);
/// - strings JSON-quoted ("\"simclr\""), invalid UTF-8 replaced by U+FFFD;
/// - lists as one compact JSON array of canonical items, maps inside them with sorted keys;
/// - an empty map as "{}" (non-empty maps are flattened into dotted keys instead).
struct ParamValue {
  enum class Kind { kNull, kBool, kNumber, kString, kList, kObject };
  Kind kind = Kind::kNull;
  std::string json = "null";

  bool operator==(const ParamValue&) const = default;
};

/// Flattened configuration: dotted key ("optim.lr") -> value, sorted by key. Keys are valid
/// UTF-8. Two entries that flatten to one key (`a.b: 1` beside `a: {b: 100}`, or a YAML/JSON key
/// written twice) are one entry when their values are equal; with different values the config is
/// refused (ConfigError), so no value is ever dropped silently.
using ParamMap = std::map<std::string, ParamValue>;

/// Limits every config parser (YAML, JSON, layout files) holds to; a document beyond one is
/// refused with a ConfigError naming the file and the limit, never a crash or an unbounded wait.
/// Nesting of maps and lists (a YAML alias that contains itself reaches it too).
inline constexpr int kMaxConfigDepth = 256;
/// Values (scalars, lists, maps) a document may produce, YAML aliases expanded.
inline constexpr std::size_t kMaxConfigValues = 1'000'000;
/// Bytes of text a document may produce, aliases expanded, and its flattened keys and values may
/// take: kConfigExpansionBaseBytes + kConfigExpansionFactor x the file size.
inline constexpr std::size_t kConfigExpansionBaseBytes = std::size_t{1} << 20;
inline constexpr std::size_t kConfigExpansionFactor = 4;
/// A config or overrides file larger than this is not read.
inline constexpr std::size_t kMaxConfigFileBytes = std::size_t{16} << 20;

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
/// reads: `yes/no/on/off` booleans, `1.0e-05`, `.inf`/`.nan`; `<<` merge keys resolved as PyYAML
/// does: keys written in the map win, then the first map of a merge list; tags such as
/// `!!python/tuple` or `!!python/object` are ignored, their sequence or map kept, nothing
/// constructed) and flattens it. An empty document gives an empty map. Throws ConfigError, with
/// `source` as path, when the text is not YAML, its top level is not a map, keys collide with
/// different values, or a limit above is passed.
ParamMap FlattenYaml(std::string_view text, const FlattenOptions& options = {},
                     std::string_view source = {});

/// As FlattenYaml for a JSON document (solo-learn `args.json`, `config.json`); the `NaN`,
/// `Infinity` and `-Infinity` that Python's json module writes are read as numbers.
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
