// Valid UTF-8 and one-line text for config strings and messages.

#include "rankme/core/utf8_text.h"

#include <cstdio>

#include "discovery/config_internal.h"

namespace rankme::discovery::internal {

std::string SanitizeUtf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t at = 0; at < text.size();) {
    const std::size_t length = Utf8SequenceLength(text, at);
    if (length == 0) {
      out += "\xEF\xBF\xBD";  // U+FFFD
      ++at;
    } else {
      out.append(text, at, length);
      at += length;
    }
  }
  return out;
}

std::string OneLine(std::string_view text, std::size_t max_bytes) {
  const std::string valid = SanitizeUtf8(text);
  std::string out;
  for (std::size_t at = 0; at < valid.size();) {
    const std::size_t length = Utf8SequenceLength(valid, at);
    if (out.size() + length > max_bytes) return out + "...";
    const unsigned char c = static_cast<unsigned char>(valid[at]);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c < 0x20 || c == 0x7F) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", c);
      out += escaped;
    } else {
      out.append(valid, at, length);
    }
    at += length;
  }
  return out;
}

}  // namespace rankme::discovery::internal
