#include "cli/common.h"

#include <cstdio>

namespace rankme::cli {

void PrintOut(const std::string& text) { std::fwrite(text.data(), 1, text.size(), stdout); }

void PrintNote(const std::string& text) { std::fprintf(stderr, "rankme: %s\n", text.c_str()); }

}  // namespace rankme::cli
