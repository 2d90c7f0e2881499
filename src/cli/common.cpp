#include "cli/common.h"

#include <cstdio>

#include "rankme/report/table.h"

namespace rankme::cli {

void PrintOut(const std::string& text) { std::fwrite(text.data(), 1, text.size(), stdout); }

void PrintJson(const nlohmann::json& value) {
  PrintOut(value.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
}

void PrintNote(const std::string& text) {
  // Each line made visible on its own: names from the data cannot drive the terminal.
  std::string shown;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = text.find('\n', start);
    shown += report::VisibleText(std::string_view(text).substr(start, end - start));
    if (end == std::string::npos) break;
    shown += '\n';
    start = end + 1;
  }
  std::fprintf(stderr, "rankme: %s\n", shown.c_str());
}

}  // namespace rankme::cli
