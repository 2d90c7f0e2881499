#pragma once

// Module-private: parsing config documents into nlohmann/json under the limits of config.h, and
// canonical JSON of config values. nlohmann/json and yaml-cpp stay inside src/discovery.

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace rankme::discovery::internal {

/// Subtype of the nlohmann binary value that holds an integer beyond 64 bits as its canonical
/// decimal text ("-123..."); no parsed document holds any other binary value.
inline constexpr std::uint8_t kBigIntegerSubtype = 0x42;

/// Canonical text of a double (see ParamValue): integral values below 1e16 as integers, others
/// as Python's repr prints them; NaN and infinities as the JSON strings ".nan", ".inf", "-.inf".
std::string FormatNumber(double value);

/// Compact JSON with canonical numbers and sorted object keys.
std::string CanonicalJson(const nlohmann::json& value);

/// JSON-quoted string (invalid UTF-8 replaced, never throws).
std::string QuoteJson(const std::string& text);

/// `text` with every invalid UTF-8 sequence replaced by U+FFFD.
std::string SanitizeUtf8(std::string_view text);

/// `text` fit for a one-line message: valid UTF-8, control characters as `\n`-style escapes or
/// `?`, cut to `max_bytes` with "..." appended.
std::string OneLine(std::string_view text, std::size_t max_bytes = 80);

/// A plain (untagged, unquoted) YAML scalar typed as PyYAML/OmegaConf read it: null, bool,
/// integer (beyond 64 bits: a kBigIntegerSubtype binary), float (.nan/.inf included), else the
/// string itself. Linear in the length of the text, no recursion.
nlohmann::json ResolvePlainScalar(std::string_view text);

/// Budget of one document: how many values and how many bytes of text its expansion (YAML
/// aliases followed) may produce, and how deep it may nest.
struct DocumentBudget {
  std::size_t max_values;
  std::size_t max_bytes;
  int max_depth;
  /// The limits of config.h for a file of `file_bytes` bytes.
  static DocumentBudget ForFile(std::size_t file_bytes);
};

/// A YAML document as JSON (see FlattenYaml): aliases expanded under `budget`, `<<` merge keys
/// resolved as PyYAML does, strings made valid UTF-8. Throws ConfigError naming `source`.
nlohmann::json ParseYamlDocument(std::string_view text, std::string_view source);

/// A JSON document, nesting and size bounded by DocumentBudget::ForFile, invalid UTF-8 replaced,
/// integers beyond 64 bits kept exactly, a key written twice with different values refused.
/// Throws ConfigError naming `source`.
nlohmann::json ParseJsonDocument(std::string_view text, std::string_view source);

}  // namespace rankme::discovery::internal
