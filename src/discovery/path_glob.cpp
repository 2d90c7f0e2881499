#include <fnmatch.h>

#include "discovery/path_glob_internal.h"

namespace rankme::discovery::internal {
namespace {

std::vector<std::string> Split(std::string_view path) {
  std::vector<std::string> parts;
  while (!path.empty()) {
    const std::size_t slash = path.find('/');
    if (slash != 0) parts.emplace_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return parts;
}

bool MatchParts(const std::vector<std::string>& pattern, std::size_t p,
                const std::vector<std::string>& path, std::size_t q) {
  if (p == pattern.size()) return q == path.size();
  if (pattern[p] == "**") {
    for (std::size_t skip = q; skip <= path.size(); ++skip) {
      if (MatchParts(pattern, p + 1, path, skip)) return true;
    }
    return false;
  }
  if (q == path.size()) return false;
  if (::fnmatch(pattern[p].c_str(), path[q].c_str(), FNM_CASEFOLD) != 0) return false;
  return MatchParts(pattern, p + 1, path, q + 1);
}

}  // namespace

namespace {

void ExpandInto(const std::string& pattern, std::vector<std::string>& out) {
  if (out.size() >= kMaxGlobAlternatives) return;
  const std::size_t open = pattern.find('{');
  if (open == std::string::npos) {
    out.push_back(pattern);
    return;
  }
  int depth = 0;
  std::size_t close = open;
  std::vector<std::string> options;
  std::size_t start = open + 1;
  for (std::size_t i = open; i < pattern.size(); ++i) {
    if (pattern[i] == '{') {
      ++depth;
    } else if (pattern[i] == '}' && --depth == 0) {
      options.push_back(pattern.substr(start, i - start));
      close = i;
      break;
    } else if (pattern[i] == ',' && depth == 1) {
      options.push_back(pattern.substr(start, i - start));
      start = i + 1;
    }
  }
  if (close == open) {  // unbalanced: literal
    out.push_back(pattern);
    return;
  }
  for (const auto& option : options) {
    ExpandInto(pattern.substr(0, open) + option + pattern.substr(close + 1), out);
  }
}

}  // namespace

std::vector<std::string> ExpandBraces(const std::string& pattern) {
  std::vector<std::string> out;
  ExpandInto(pattern, out);
  return out;
}

bool MatchPathGlob(const std::string& pattern, std::string_view path) {
  const std::vector<std::string> path_parts = Split(path);
  for (const auto& expanded : ExpandBraces(pattern)) {
    if (MatchParts(Split(expanded), 0, path_parts, 0)) return true;
  }
  return false;
}

bool MatchAnyPathGlob(const std::vector<std::string>& patterns, std::string_view path) {
  for (const auto& pattern : patterns) {
    if (MatchPathGlob(pattern, path)) return true;
  }
  return false;
}

}  // namespace rankme::discovery::internal
