#pragma once

// Module-private: glob matching of relative paths (see Layout for the syntax).

#include <string>
#include <string_view>
#include <vector>

namespace rankme::discovery::internal {

/// At most this many alternatives come out of one glob's braces (`{a,b}{c,d}...` multiplies).
inline constexpr std::size_t kMaxGlobAlternatives = 1024;

/// `{a,b}` alternatives expanded (nested braces included); no braces -> {pattern}. Expansion
/// stops after kMaxGlobAlternatives alternatives (ParseLayouts refuses a glob with more).
std::vector<std::string> ExpandBraces(const std::string& pattern);

/// True when the `/`-separated relative `path` ("" = the folder itself) matches `pattern`.
bool MatchPathGlob(const std::string& pattern, std::string_view path);

bool MatchAnyPathGlob(const std::vector<std::string>& patterns, std::string_view path);

}  // namespace rankme::discovery::internal
