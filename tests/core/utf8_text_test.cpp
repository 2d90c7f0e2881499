#include "rankme/core/utf8_text.h"

#include <catch2/catch.hpp>
#include <set>
#include <string>
#include <vector>

namespace rankme {
namespace {

TEST_CASE("EscapeInvalidUtf8 keeps valid text and writes each invalid byte as U+FFFD and hex",
          "[core]") {
  struct Case {
    std::string in, out;
  };
  const std::vector<Case> cases = {
      {"plain", "plain"},
      {"caf\xc3\xa9 \\x", "caf\xc3\xa9 \\x"},  // valid, backslash kept
      {"r\xff",
       "r\xEF\xBF\xBD"
       "ff"},  // a lone byte
      {"\xc3\x28",
       "\xEF\xBF\xBD"
       "c3("},  // a broken sequence
      {"\xed\xa0\x80",
       "\xEF\xBF\xBD"
       "ed\xEF\xBF\xBD"
       "a0\xEF\xBF\xBD"
       "80"},  // a surrogate
      {"\xc0\xaf",
       "\xEF\xBF\xBD"
       "c0\xEF\xBF\xBD"
       "af"},  // overlong '/'
      {"\xEF\xBF\xBD"
       "x\xfe",
       "\xEF\xBF\xBD!x\xEF\xBF\xBD"
       "fe"},  // a U+FFFD that was there
      {"\xEF\xBF\xBD"
       "ff",
       "\xEF\xBF\xBD"
       "ff"},  // valid: unchanged
  };
  for (const Case& c : cases) {
    INFO(c.in);
    CHECK(EscapeInvalidUtf8(c.in) == c.out);
    CHECK(IsValidUtf8(EscapeInvalidUtf8(c.in)));
    CHECK(EscapeInvalidUtf8(EscapeInvalidUtf8(c.in)) == EscapeInvalidUtf8(c.in));  // once is all
  }
}

TEST_CASE("EscapeInvalidUtf8 keeps texts that differ only in invalid bytes different", "[core]") {
  // Regression: run folders r\xff and r\xfe were both stored as r + U+FFFD, one run.
  const std::vector<std::string> texts = {
      "r\xff",
      "r\xfe",
      "r\xff\xfe",
      "r\xfe\xff",
      "r\xff\xff",
      "r\xEF\xBF\xBD"
      "ff\xfe",  // a literal U+FFFD + "ff" beside an invalid byte
      "r\xff\xfe\xEF\xBF\xBD",
      "r\xEF\xBF\xBD\xff",
      "r\xEF\xBF\xBD!\xff",
  };
  std::set<std::string> escaped;
  for (const std::string& text : texts) escaped.insert(EscapeInvalidUtf8(text));
  CHECK(escaped.size() == texts.size());
}

}  // namespace
}  // namespace rankme
