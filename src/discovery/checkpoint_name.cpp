#include "rankme/discovery/checkpoint_name.h"

#include <array>
#include <cctype>
#include <charconv>

#include "discovery/checkpoint_name_internal.h"

namespace rankme::discovery {
namespace internal {
namespace {

struct Keyword {
  std::string_view word;
  bool is_step;
};

// Longer words first so `epochs` is not read as `ep` + "ochs".
constexpr std::array<Keyword, 10> kKeywords{{{"global_step", true},
                                             {"iteration", true},
                                             {"checkpoint", true},
                                             {"epochs", false},
                                             {"epoch", false},
                                             {"steps", true},
                                             {"step", true},
                                             {"iter", true},
                                             {"ckpt", true},
                                             {"ep", false}}};

bool IsLetter(char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsSeparator(char c) { return c == '_' || c == '-' || c == '.' || c == '=' || c == ' '; }

bool StartsWithNoCase(std::string_view text, std::size_t at, std::string_view word) {
  if (text.size() - at < word.size()) return false;
  for (std::size_t i = 0; i < word.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[at + i])) != word[i]) return false;
  }
  return true;
}

}  // namespace

NameTokens FindNameTokens(std::string_view text) {
  NameTokens out;
  std::size_t i = 0;
  while (i < text.size()) {
    if (i > 0 && IsLetter(text[i - 1])) {
      ++i;
      continue;
    }
    bool matched = false;
    for (const auto& keyword : kKeywords) {
      if (!StartsWithNoCase(text, i, keyword.word)) continue;
      std::size_t j = i + keyword.word.size();
      if (j < text.size() && (text[j] == '=' || text[j] == '_' || text[j] == '-' || text[j] == ':'))
        ++j;
      std::size_t k = j;
      while (k < text.size() && IsDigit(text[k])) ++k;
      if (k == j) continue;
      std::int64_t value = 0;
      const auto result = std::from_chars(text.data() + j, text.data() + k, value);
      auto& slot = keyword.is_step ? out.name.step : out.name.epoch;
      if (result.ec == std::errc()) {
        if (!slot) slot = value;
      } else if (!slot && out.overflowed.empty()) {
        out.overflowed = std::string(text.substr(j, k - j));
      }
      if (!out.begin) out.begin = i;
      out.end = k;
      i = k;
      matched = true;
      break;
    }
    if (!matched) ++i;
  }
  return out;
}

std::string_view TrimSeparators(std::string_view text) {
  while (!text.empty() && IsSeparator(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsSeparator(text.back())) text.remove_suffix(1);
  return text;
}

}  // namespace internal

CheckpointName ParseCheckpointName(std::string_view name) {
  CheckpointName out;
  // Deepest component first: each of step and epoch comes from the deepest one that writes it.
  while (!name.empty()) {
    const std::size_t slash = name.rfind('/');
    const std::string_view component =
        slash == std::string_view::npos ? name : name.substr(slash + 1);
    const CheckpointName found = internal::FindNameTokens(component).name;
    if (!out.step) out.step = found.step;
    if (!out.epoch) out.epoch = found.epoch;
    if (slash == std::string_view::npos) break;
    name = name.substr(0, slash);
  }
  return out;
}

ShardName ParseShardName(std::string_view name) {
  using internal::IsDigit;
  using internal::IsLetter;
  using internal::IsSeparator;
  ShardName out;
  out.rest = std::string(name);
  // `00001-of-00004`
  for (std::size_t at = name.find("-of-"); at != std::string_view::npos;
       at = name.find("-of-", at + 1)) {
    std::size_t begin = at;
    while (begin > 0 && IsDigit(name[begin - 1])) --begin;
    std::size_t end = at + 4;
    while (end < name.size() && IsDigit(name[end])) ++end;
    if (begin == at || end == at + 4) continue;
    std::int64_t rank = 0;
    std::int64_t count = 0;
    if (std::from_chars(name.data() + begin, name.data() + at, rank).ec != std::errc() ||
        std::from_chars(name.data() + at + 4, name.data() + end, count).ec != std::errc()) {
      continue;  // beyond 64 bits: no shard token
    }
    if (begin > 0 && IsSeparator(name[begin - 1])) --begin;
    out.rank = rank;
    out.count = count;
    out.rest = std::string(name.substr(0, begin)) + std::string(name.substr(end));
    return out;
  }
  static constexpr std::array<std::string_view, 4> kWords{"rank", "shard", "worker", "proc"};
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (i > 0 && IsLetter(name[i - 1])) continue;
    for (const auto word : kWords) {
      if (!internal::StartsWithNoCase(name, i, word)) continue;
      std::size_t j = i + word.size();
      if (j < name.size() && (name[j] == '_' || name[j] == '-' || name[j] == '=')) ++j;
      std::size_t k = j;
      while (k < name.size() && IsDigit(name[k])) ++k;
      if (k == j || (k < name.size() && IsLetter(name[k]))) continue;
      std::int64_t rank = 0;
      if (std::from_chars(name.data() + j, name.data() + k, rank).ec != std::errc()) continue;
      std::size_t begin = i;
      std::size_t end = k;
      if (begin > 0 && IsSeparator(name[begin - 1])) {
        --begin;
      } else if (end < name.size() && IsSeparator(name[end])) {
        ++end;
      }
      out.rank = rank;
      out.rest = std::string(name.substr(0, begin)) + std::string(name.substr(end));
      return out;
    }
  }
  return out;
}

bool NaturalLess(std::string_view a, std::string_view b) {
  std::size_t i = 0;
  std::size_t j = 0;
  while (i < a.size() && j < b.size()) {
    if (internal::IsDigit(a[i]) && internal::IsDigit(b[j])) {
      std::size_t i_end = i;
      std::size_t j_end = j;
      while (i_end < a.size() && internal::IsDigit(a[i_end])) ++i_end;
      while (j_end < b.size() && internal::IsDigit(b[j_end])) ++j_end;
      // Compare as numbers without parsing: skip leading zeros, then length, then digits.
      std::size_t i_nz = i;
      std::size_t j_nz = j;
      while (i_nz + 1 < i_end && a[i_nz] == '0') ++i_nz;
      while (j_nz + 1 < j_end && b[j_nz] == '0') ++j_nz;
      const std::string_view da = a.substr(i_nz, i_end - i_nz);
      const std::string_view db = b.substr(j_nz, j_end - j_nz);
      if (da.size() != db.size()) return da.size() < db.size();
      if (da != db) return da < db;
      i = i_end;
      j = j_end;
    } else {
      if (a[i] != b[j]) return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[j]);
      ++i;
      ++j;
    }
  }
  if ((a.size() - i) != (b.size() - j)) return (a.size() - i) < (b.size() - j);
  return a < b;  // equal up to leading zeros: total order by bytes
}

}  // namespace rankme::discovery
