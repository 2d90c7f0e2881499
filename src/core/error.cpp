#include "rankme/core/error.h"

#include <cstdio>
#include <cstdlib>

namespace rankme {

namespace {
std::string WithPath(const std::string& message, const std::string& path) {
  return path.empty() ? message : path + ": " + message;
}
}  // namespace

Error::Error(const std::string& message, std::string path)
    : std::runtime_error(WithPath(message, path)), path_(std::move(path)), message_(message) {}

void FailInvariant(const char* condition, const char* file, int line) {
  std::fprintf(stderr, "rankme: internal error: %s failed at %s:%d\n", condition, file, line);
  std::abort();
}

}  // namespace rankme
