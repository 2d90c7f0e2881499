#include "rankme/report/table.h"

#include <algorithm>

namespace rankme::report {

namespace {

std::size_t DisplayWidth(const std::string& text) {
  std::size_t width = 0;
  for (unsigned char c : text) {
    if ((c & 0xC0) != 0x80) ++width;  // count code points, not continuation bytes
  }
  return width;
}

}  // namespace

std::string RenderText(const Table& table) {
  const std::size_t columns = table.headers.size();
  std::vector<std::size_t> widths(columns, 0);
  for (std::size_t c = 0; c < columns; ++c) widths[c] = DisplayWidth(table.headers[c]);
  for (const auto& row : table.rows) {
    for (std::size_t c = 0; c < columns && c < row.size(); ++c) {
      widths[c] = std::max(widths[c], DisplayWidth(row[c]));
    }
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string out;
    for (std::size_t c = 0; c < columns; ++c) {
      const std::string cell = c < cells.size() ? cells[c] : "";
      const std::string pad(widths[c] - DisplayWidth(cell), ' ');
      const bool right = c < table.align.size() && table.align[c] == Table::Align::kRight;
      if (c > 0) out += "  ";
      out += right ? pad + cell : (c + 1 == columns ? cell : cell + pad);
    }
    return out + "\n";
  };
  std::string out = line(table.headers);
  std::vector<std::string> rule;
  for (std::size_t w : widths) rule.emplace_back(w, '-');
  out += line(rule);
  for (const auto& row : table.rows) out += line(row);
  return out;
}

}  // namespace rankme::report
