// Valid UTF-8 and one-line text for config strings and messages.

#include <cstdio>

#include "discovery/config_internal.h"

namespace rankme::discovery::internal {
namespace {

/// Length of the valid UTF-8 sequence starting at `at`, 0 when it is not one (overlong forms,
/// surrogates and code points beyond U+10FFFF are invalid).
std::size_t ValidSequence(std::string_view text, std::size_t at) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[at + i]); };
  const unsigned char lead = byte(0);
  if (lead < 0x80) return 1;
  std::size_t length = 0;
  unsigned char low = 0x80;
  unsigned char high = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;
    if (lead == 0xED) high = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;
  } else {
    return 0;
  }
  if (text.size() - at < length) return 0;
  if (byte(1) < low || byte(1) > high) return 0;
  for (std::size_t i = 2; i < length; ++i) {
    if (byte(i) < 0x80 || byte(i) > 0xBF) return 0;
  }
  return length;
}

}  // namespace

std::string SanitizeUtf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t at = 0; at < text.size();) {
    const std::size_t length = ValidSequence(text, at);
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
    const std::size_t length = ValidSequence(valid, at);
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
