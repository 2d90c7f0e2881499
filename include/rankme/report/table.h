#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace rankme::report {

/// A table of already-formatted cells, rendered by the writers below.
struct Table {
  enum class Align { kLeft, kRight };
  std::vector<std::string> headers;
  std::vector<Align> align;  ///< per column; missing entries are left-aligned
  std::vector<std::vector<std::string>> rows;
};

/// `text` made safe to show in a terminal or a text table: control characters (C0, DEL and
/// C1) become visible escapes (`\t`, `\n`, `\r`, `\xHH`, `\u0085`), so a run folder named with
/// a newline cannot break a row and one named with ESC cannot drive the terminal; invalid UTF-8
/// bytes become U+FFFD. Valid printable text is returned unchanged.
std::string VisibleText(std::string_view text);

/// Columns padded to their widest cell (display width counts UTF-8 code points), two spaces
/// between columns, a dashed rule under the header; every cell through VisibleText.
std::string RenderText(const Table& table);

}  // namespace rankme::report
