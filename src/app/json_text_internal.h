#pragma once
// JSON as app writes and reads it. Strings in the data (folder names, config values, tensor
// names) come from other people's files: they may hold control characters (escaped as JSON
// requires) and invalid UTF-8 (replaced by U+FFFD), so whatever is printed is valid JSON.

#include <nlohmann/json.hpp>
#include <string>

namespace rankme::app::internal {

/// One line of JSON text (keys sorted), e.g. to store or to compare as a key.
inline std::string JsonText(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
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

}  // namespace rankme::app::internal
