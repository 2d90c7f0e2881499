#include "rankme/report/table_formats.h"

#include "rankme/report/table.h"

namespace rankme::report {

namespace {

bool RightAligned(const Table& table, std::size_t column) {
  return column < table.align.size() && table.align[column] == Table::Align::kRight;
}

std::string MarkdownCell(std::string_view text) {
  std::string out;
  for (char c : VisibleText(text)) {
    if (c == '|') out += '\\';
    out += c;
  }
  return out;
}

std::string Cell(const std::vector<std::string>& row, std::size_t column) {
  return column < row.size() ? row[column] : "";
}

}  // namespace

std::string RenderMarkdown(const Table& table) {
  const std::size_t columns = table.headers.size();
  auto line = [&](const std::vector<std::string>& cells) {
    std::string out = "|";
    for (std::size_t c = 0; c < columns; ++c) {
      out += ' ';
      out += MarkdownCell(Cell(cells, c));
      out += " |";
    }
    return out + "\n";
  };
  std::string out = line(table.headers) + "|";
  for (std::size_t c = 0; c < columns; ++c) out += RightAligned(table, c) ? " ---: |" : " --- |";
  out += "\n";
  for (const auto& row : table.rows) out += line(row);
  return out;
}

std::string CsvField(std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string RenderCsv(const Table& table) {
  auto record = [&](const std::vector<std::string>& cells) {
    std::string out;
    for (std::size_t c = 0; c < table.headers.size(); ++c) {
      if (c > 0) out += ',';
      out += CsvField(Cell(cells, c));
    }
    return out + "\r\n";
  };
  std::string out = record(table.headers);
  for (const auto& row : table.rows) out += record(row);
  return out;
}

std::string EscapeLatex(std::string_view text) {
  std::string out;
  for (char c : VisibleText(text)) {
    switch (c) {
      case '&':
      case '%':
      case '$':
      case '#':
      case '_':
      case '{':
      case '}':
        out += '\\';
        out += c;
        break;
      case '~':
        out += "\\textasciitilde{}";
        break;
      case '^':
        out += "\\textasciicircum{}";
        break;
      case '\\':
        out += "\\textbackslash{}";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string RenderLatex(const Table& table, const LatexOptions& options) {
  const std::size_t columns = table.headers.size();
  std::string spec;
  for (std::size_t c = 0; c < columns; ++c) spec += RightAligned(table, c) ? 'r' : 'l';
  auto line = [&](const std::vector<std::string>& cells) {
    std::string out;
    for (std::size_t c = 0; c < columns; ++c) {
      if (c > 0) out += " & ";
      out += EscapeLatex(Cell(cells, c));
    }
    return out + " \\\\\n";
  };
  std::string body = "\\begin{tabular}{";
  body += spec;
  body += "}\n\\toprule\n";
  body += line(table.headers);
  body += "\\midrule\n";
  for (const auto& row : table.rows) body += line(row);
  body += "\\bottomrule\n\\end{tabular}\n";
  if (options.caption.empty()) return body;
  std::string out = "\\begin{table}\n\\centering\n\\caption{";
  out += EscapeLatex(options.caption);
  out += "}\n";
  if (!options.label.empty()) {
    out += "\\label{";
    out += options.label;
    out += "}\n";
  }
  out += body;
  out += "\\end{table}\n";
  return out;
}

}  // namespace rankme::report
