#pragma once
// JSON as app writes and reads it. Strings in the data (folder names, config values, tensor
// names) come from other people's files: they may hold control characters (escaped as JSON
// requires) and invalid UTF-8 (replaced by U+FFFD), so whatever is printed is valid JSON.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "rankme/core/error.h"
#include "rankme/core/utf8_text.h"

namespace rankme::app::internal {

/// One line of JSON text (keys sorted), e.g. to store or to compare as a key.
inline std::string JsonText(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

/// A JSON list of file names as the store keeps them (a tensor's source): each name escaped by
/// EscapeInvalidUtf8 first, so that names differing only in invalid bytes give different lists
/// (JsonText alone would turn every invalid byte into the same U+FFFD).
inline std::string JsonNameList(const std::vector<std::string>& names) {
  nlohmann::json list = nlohmann::json::array();
  for (const std::string& name : names) list.push_back(EscapeInvalidUtf8(name));
  return JsonText(list);
}

/// A JSON document for stdout or a file: indented by two spaces, with a final newline.
inline std::string JsonDocument(const nlohmann::json& value) {
  return value.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

/// JSON text the store holds. Text that does not parse (written by an older version that did
/// not escape file names) is kept as a string, so that nothing invalid is ever printed.
inline nlohmann::json StoredJson(const std::string& text) {
  nlohmann::json value = nlohmann::json::parse(text, nullptr, false);
  if (value.is_discarded()) return text;
  return value;
}

/// Deepest nesting accepted in a JSON file a user hands in (label files): far more than any
/// such file needs, far less than what would exhaust the stack when the value is walked.
inline constexpr int kMaxJsonDepth = 64;

/// Parses a user's JSON file. Throws FormatError naming `source` when the text is not JSON or
/// nests deeper than kMaxJsonDepth.
inline nlohmann::json ParseUserJson(const std::string& text, const std::string& source) {
  const nlohmann::json::parser_callback_t bound_depth =
      [&](int depth, nlohmann::json::parse_event_t, nlohmann::json&) {
        if (depth > kMaxJsonDepth) {
          throw FormatError("JSON nests deeper than " + std::to_string(kMaxJsonDepth) + " levels",
                            source);
        }
        return true;
      };
  try {
    return nlohmann::json::parse(text, bound_depth);
  } catch (const nlohmann::json::exception& e) {
    throw FormatError(std::string("not valid JSON: ") + e.what(), source);
  }
}

}  // namespace rankme::app::internal
