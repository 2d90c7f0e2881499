#pragma once

#include <string>
#include <vector>

namespace rankme::report {

/// A table of already-formatted cells, rendered by the writers below.
struct Table {
  enum class Align { kLeft, kRight };
  std::vector<std::string> headers;
  std::vector<Align> align;  ///< per column; missing entries are left-aligned
  std::vector<std::vector<std::string>> rows;
};

/// Columns padded to their widest cell (display width counts UTF-8 code points), two spaces
/// between columns, a dashed rule under the header.
std::string RenderText(const Table& table);

}  // namespace rankme::report
