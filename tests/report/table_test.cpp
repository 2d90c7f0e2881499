#include "rankme/report/table.h"

#include <algorithm>
#include <catch2/catch.hpp>

#include "rankme/report/table_formats.h"

namespace rankme::report {
namespace {

TEST_CASE("VisibleText escapes control characters a run name can hold", "[report]") {
  struct Case {
    std::string in, out;
  };
  const std::vector<Case> cases = {
      {"plain", "plain"},
      {"tab\there", "tab\\there"},
      {"new\nline\r", "new\\nline\\r"},
      {"esc\x1b[31mred", "esc\\x1b[31mred"},
      {std::string("nul\0x", 5), "nul\\x00x"},
      {"del\x7f", "del\\x7f"},
      {"c1 \xc2\x9b csi", "c1 \\u009b csi"},  // U+009B, the 8-bit CSI
      {"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"},
      {"nbsp\xc2\xa0", "nbsp\xc2\xa0"},  // U+00A0 is printable
  };
  for (const auto& c : cases) {
    INFO(c.in);
    CHECK(VisibleText(c.in) == c.out);
  }
}

TEST_CASE("VisibleText replaces each invalid UTF-8 byte by U+FFFD", "[report]") {
  const std::string fffd = "\xef\xbf\xbd";
  CHECK(VisibleText("bad\xff\xfe") == "bad" + fffd + fffd);
  CHECK(VisibleText("\xc0\xaf") == fffd + fffd);                        // overlong '/'
  CHECK(VisibleText("\xed\xa0\x80") == fffd + fffd + fffd);             // a UTF-16 surrogate
  CHECK(VisibleText("\xf4\x90\x80\x80") == fffd + fffd + fffd + fffd);  // past U+10FFFF
  CHECK(VisibleText("cut\xe2\x82") == "cut" + fffd + fffd);             // truncated sequence
  CHECK(VisibleText("\x9b") == fffd);                                   // a lone 8-bit CSI byte
}

TEST_CASE("Text, Markdown and LaTeX tables keep one line per row whatever the cells hold",
          "[report]") {
  Table table;
  table.headers = {"run", "value"};
  table.rows = {{"a\nb", "1"}, {"c\td|e", "2"}, {"esc\x1b]0;title\x07", "3"}};
  for (const std::string& text :
       {RenderText(table), RenderMarkdown(table), RenderLatex(table, {})}) {
    INFO(text);
    CHECK(text.find('\x1b') == std::string::npos);
    CHECK(text.find('\t') == std::string::npos);
    CHECK(text.find('\x07') == std::string::npos);
  }
  const std::string text = RenderText(table);
  CHECK(std::count(text.begin(), text.end(), '\n') == 5);
  const std::string markdown = RenderMarkdown(table);
  CHECK(std::count(markdown.begin(), markdown.end(), '\n') == 5);
  CHECK(markdown.find("c\\td\\|e") != std::string::npos);
  const std::string latex = RenderLatex(table, {});
  CHECK(latex.find("a\\textbackslash{}nb") != std::string::npos);
}

}  // namespace
}  // namespace rankme::report
