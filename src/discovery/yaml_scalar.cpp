// Typing of plain YAML scalars, by hand: std::regex recurses once per character and overflows the
// stack on a long scalar (a 100 000-digit number).

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>

#include "discovery/config_internal.h"

namespace rankme::discovery::internal {
namespace {

using nlohmann::json;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHexDigit(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

bool OneOf(std::string_view text, std::initializer_list<std::string_view> words) {
  for (const auto word : words) {
    if (text == word) return true;
  }
  return false;
}

/// Index past the digits starting at `at`.
std::size_t SkipDigits(std::string_view text, std::size_t at) {
  while (at < text.size() && IsDigit(text[at])) ++at;
  return at;
}

/// [-+]?[0-9]+
bool IsDecimalInteger(std::string_view text) {
  const std::size_t start = !text.empty() && (text[0] == '-' || text[0] == '+') ? 1 : 0;
  return text.size() > start && SkipDigits(text, start) == text.size();
}

/// [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
bool IsFloat(std::string_view text) {
  std::size_t at = !text.empty() && (text[0] == '-' || text[0] == '+') ? 1 : 0;
  if (at < text.size() && text[at] == '.') {
    const std::size_t end = SkipDigits(text, at + 1);
    if (end == at + 1) return false;
    at = end;
  } else {
    const std::size_t end = SkipDigits(text, at);
    if (end == at) return false;
    at = end;
    if (at < text.size() && text[at] == '.') at = SkipDigits(text, at + 1);
  }
  if (at < text.size() && (text[at] == 'e' || text[at] == 'E')) {
    ++at;
    if (at < text.size() && (text[at] == '-' || text[at] == '+')) ++at;
    const std::size_t end = SkipDigits(text, at);
    if (end == at) return false;
    at = end;
  }
  return at == text.size();
}

/// An integer of [-+]?[0-9]+ that does not fit int64: its canonical decimal text.
json BigInteger(std::string_view text) {
  const bool negative = text[0] == '-';
  if (text[0] == '-' || text[0] == '+') text.remove_prefix(1);
  while (text.size() > 1 && text[0] == '0') text.remove_prefix(1);
  std::string digits = negative ? "-" : "";
  digits.append(text);
  return json::binary(std::vector<std::uint8_t>(digits.begin(), digits.end()), kBigIntegerSubtype);
}

}  // namespace

json ResolvePlainScalar(std::string_view text) {
  if (OneOf(text, {"", "~", "null", "Null", "NULL"})) return nullptr;
  if (OneOf(text, {"true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON"})) return true;
  if (OneOf(text, {"false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF"})) {
    return false;
  }
  if (IsDecimalInteger(text)) {
    const std::string_view digits = text[0] == '+' ? text.substr(1) : text;
    std::int64_t value = 0;
    const auto result = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (result.ec == std::errc() && result.ptr == digits.data() + digits.size()) return value;
    return BigInteger(text);
  }
  if (text.size() > 2 && text[0] == '0' && text[1] == 'x') {
    bool hex = true;
    for (std::size_t i = 2; i < text.size(); ++i) hex &= IsHexDigit(text[i]);
    std::uint64_t value = 0;
    const auto result = std::from_chars(text.data() + 2, text.data() + text.size(), value, 16);
    if (hex && result.ec == std::errc() && value <= static_cast<std::uint64_t>(INT64_MAX)) {
      return static_cast<std::int64_t>(value);
    }
    return std::string(text);
  }
  // PyYAML's spellings: [-+]?\.(inf|Inf|INF) and \.(nan|NaN|NAN).
  const std::string_view unsigned_text =
      !text.empty() && (text[0] == '-' || text[0] == '+') ? text.substr(1) : text;
  if (OneOf(unsigned_text, {".inf", ".Inf", ".INF"})) {
    return text[0] == '-' ? -std::numeric_limits<double>::infinity()
                          : std::numeric_limits<double>::infinity();
  }
  if (OneOf(text, {".nan", ".NaN", ".NAN"})) return std::numeric_limits<double>::quiet_NaN();
  if (IsFloat(text)) {
    // Beyond the double range strtod gives +-inf, as Python's float() does.
    return std::strtod(std::string(text).c_str(), nullptr);
  }
  return std::string(text);
}

}  // namespace rankme::discovery::internal
