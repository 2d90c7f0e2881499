#pragma once

#include <string>
#include <string_view>

#include "rankme/report/table.h"

namespace rankme::report {

/// A GitHub-flavoured Markdown table: header row, alignment row (---: for right-aligned
/// columns), one row per table row. `|` in cells is escaped as `\|`, newlines become spaces.
std::string RenderMarkdown(const Table& table);

/// RFC 4180 CSV: comma-separated, CRLF line ends, a field quoted when it holds a comma, quote,
/// CR or LF (quotes doubled inside). The header is the first record.
std::string RenderCsv(const Table& table);

/// Settings of RenderLatex.
struct LatexOptions {
  std::string caption;  ///< empty: no table float, only the tabular
  std::string label;    ///< \label{...} inside the float (with a caption only)
};

/// A booktabs tabular (\toprule, \midrule, \bottomrule; l/r columns from the table's
/// alignment), every cell escaped with EscapeLatex. Needs \usepackage{booktabs}.
std::string RenderLatex(const Table& table, const LatexOptions& options = {});

/// `text` safe in LaTeX text mode: & % $ # _ { } escaped with a backslash, ~ ^ \ spelled as
/// \textasciitilde{}, \textasciicircum{}, \textbackslash{}.
std::string EscapeLatex(std::string_view text);

/// One CSV field per RFC 4180 (quoted only when needed).
std::string CsvField(std::string_view text);

}  // namespace rankme::report
