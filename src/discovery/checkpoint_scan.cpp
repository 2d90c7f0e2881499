#include <algorithm>
#include <charconv>
#include <map>
#include <optional>
#include <regex>

#include "discovery/checkpoint_name_internal.h"
#include "discovery/checkpoint_scan_internal.h"
#include "discovery/layout_internal.h"
#include "discovery/path_glob_internal.h"
#include "discovery/shard_set_internal.h"

namespace rankme::discovery::internal {
namespace {

std::vector<std::string> SplitPath(const std::string& path) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= path.size()) {
    const std::size_t slash = path.find('/', start);
    const std::size_t end = slash == std::string::npos ? path.size() : slash;
    if (end > start) parts.push_back(path.substr(start, end - start));
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return parts;
}

std::string JoinPath(const std::vector<std::string>& parts, std::size_t count) {
  std::string out;
  for (std::size_t i = 0; i < count && i < parts.size(); ++i) {
    if (!out.empty()) out += '/';
    out += parts[i];
  }
  return out;
}

std::string Join(const std::string& dir, const std::string& name) {
  return dir.empty() ? name : dir + "/" + name;
}

/// One embedding file, its shard rank removed, placed in its checkpoint.
struct PlacedFile {
  std::string unit;  ///< checkpoint key (its name, except for step-less files: their folder)
  bool stepless = false;
  std::optional<std::int64_t> step;
  std::optional<std::int64_t> epoch;
  std::string tensor;
  std::string shard_group;  ///< path without the shard token: files sharing it are shards
  std::optional<std::int64_t> rank;
  std::optional<std::int64_t> shard_count;  ///< `-of-N`
  std::string path;                         ///< relative, as found
  std::string overflowed;                   ///< digits of a step/epoch beyond int64; "" when none
};

struct TokenHit {
  CheckpointName name;
  std::optional<std::size_t> component;  ///< index of the component carrying the unit token
  std::size_t begin = 0;                 ///< token span in that component (stem tokens only)
  std::size_t end = 0;
  std::string overflowed;  ///< see NameTokens::overflowed
};

/// Step/epoch of `parts` (dirs then stem) with the built-in names.
TokenHit FindBuiltin(const std::vector<std::string>& parts) {
  TokenHit hit;
  for (std::size_t i = parts.size(); i-- > 0;) {
    const NameTokens tokens = FindNameTokens(parts[i]);
    if (!tokens.begin) continue;
    if (!hit.name.step) hit.name.step = tokens.name.step;
    if (!hit.name.epoch) hit.name.epoch = tokens.name.epoch;
    if (hit.overflowed.empty()) hit.overflowed = tokens.overflowed;
    if (!hit.component) {
      hit.component = i;
      hit.begin = *tokens.begin;
      hit.end = tokens.end;
    }
  }
  return hit;
}

std::optional<std::int64_t> GroupNumber(const std::smatch& match, int group,
                                        std::string& overflowed) {
  if (group < 0 || !match[group].matched) return std::nullopt;
  const std::string digits = match[group].str();
  std::int64_t value = 0;
  const auto result = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (result.ec == std::errc() && result.ptr == digits.data() + digits.size()) return value;
  if (result.ec == std::errc::result_out_of_range && overflowed.empty()) overflowed = digits;
  return std::nullopt;
}

/// Paths longer than this are not searched with a layout's regexes: std::regex recurses per
/// character and would overflow the stack on a long enough name.
constexpr std::size_t kMaxRegexPathBytes = 1024;

/// Step/epoch of `parts` with the layout's regexes, searched in the joined path.
TokenHit FindWithRegexes(const std::vector<CheckpointRegex>& regexes,
                         const std::vector<std::string>& parts) {
  TokenHit hit;
  const std::string joined = JoinPath(parts, parts.size());
  if (joined.size() > kMaxRegexPathBytes) return hit;
  for (const auto& compiled : regexes) {
    std::smatch match;
    if (!std::regex_search(joined, match, compiled.regex)) continue;
    hit.name.step = GroupNumber(match, compiled.step_group, hit.overflowed);
    hit.name.epoch = GroupNumber(match, compiled.epoch_group, hit.overflowed);
    // The unit is the component where the match ends; a span only matters inside the stem.
    const std::size_t match_begin = static_cast<std::size_t>(match.position(0));
    const std::size_t match_end = match_begin + static_cast<std::size_t>(match.length(0));
    std::size_t offset = 0;
    for (std::size_t i = 0; i < parts.size(); ++i) {
      const std::size_t part_end = offset + parts[i].size();
      if (match_end <= part_end || i + 1 == parts.size()) {
        hit.component = i;
        hit.begin = match_begin > offset ? match_begin - offset : 0;
        hit.end = std::min(match_end, part_end) - offset;
        break;
      }
      offset = part_end + 1;
    }
    return hit;
  }
  return hit;
}

std::string StripStem(const std::string& stem, std::size_t begin, std::size_t end) {
  const std::string prefix(TrimSeparators(std::string_view(stem).substr(0, begin)));
  const std::string suffix(TrimSeparators(std::string_view(stem).substr(end)));
  if (prefix.empty() || suffix.empty()) return prefix + suffix;
  return prefix + "_" + suffix;
}

PlacedFile Place(const std::string& path, const Layout& layout,
                 const std::vector<CheckpointRegex>& regexes) {
  PlacedFile placed;
  placed.path = path;
  std::vector<std::string> parts = SplitPath(path);
  const std::size_t dot = parts.back().rfind('.');
  const std::string extension = dot == std::string::npos ? "" : parts.back().substr(dot);
  if (dot != std::string::npos) parts.back().resize(dot);  // the stem

  // Shard token: in the stem, else in the deepest folder that has one.
  for (std::size_t i = parts.size(); i-- > 0;) {
    ShardName shard = ParseShardName(parts[i]);
    if (!shard.rank) continue;
    placed.rank = shard.rank;
    placed.shard_count = shard.count;
    parts[i] = shard.rest;
    break;
  }
  placed.shard_group = JoinPath(parts, parts.size()) + extension;

  const TokenHit hit = regexes.empty() ? FindBuiltin(parts) : FindWithRegexes(regexes, parts);
  placed.step = hit.name.step;
  placed.epoch = hit.name.epoch;
  placed.overflowed = hit.overflowed;
  const std::size_t stem_index = parts.size() - 1;
  const std::string& stem = parts[stem_index];
  if (!hit.component) {
    placed.stepless = true;
    placed.unit = JoinPath(parts, stem_index);
    placed.tensor = stem;
  } else if (*hit.component == stem_index) {
    placed.unit = Join(JoinPath(parts, stem_index), stem.substr(hit.begin, hit.end - hit.begin));
    placed.tensor = StripStem(stem, hit.begin, hit.end);
  } else {
    placed.unit = JoinPath(parts, *hit.component + 1);
    placed.tensor.clear();
    for (std::size_t i = *hit.component + 1; i < parts.size(); ++i) {
      placed.tensor = Join(placed.tensor, parts[i]);
    }
  }
  if (layout.tensor == "file") {
    placed.tensor.clear();
  } else if (layout.tensor != "stem") {
    placed.tensor = layout.tensor;
  }
  return placed;
}

/// A checkpoint as scanned, with the shard sets of its tensor files (same order; nullopt for a
/// file that is not sharded).
struct ScannedCheckpoint {
  DiscoveredCheckpoint checkpoint;
  std::vector<std::optional<ShardSet>> shard_sets;
};

/// Files of one checkpoint -> tensor files, shards in rank order.
void BuildTensorFiles(const std::string& run_dir, std::vector<PlacedFile> files,
                      ScannedCheckpoint& scanned, std::vector<std::string>& warnings) {
  std::stable_sort(files.begin(), files.end(), [](const PlacedFile& a, const PlacedFile& b) {
    if (a.tensor != b.tensor) return NaturalLess(a.tensor, b.tensor);
    if (a.shard_group != b.shard_group) return NaturalLess(a.shard_group, b.shard_group);
    return a.rank.value_or(-1) < b.rank.value_or(-1);
  });
  const std::string& checkpoint_name = scanned.checkpoint.name;
  auto& out = scanned.checkpoint.files;
  for (std::size_t i = 0; i < files.size();) {
    std::size_t j = i;
    while (j < files.size() && files[j].tensor == files[i].tensor &&
           files[j].shard_group == files[i].shard_group) {
      ++j;
    }
    DiscoveredTensorFile tensor_file;
    tensor_file.tensor = files[i].tensor;
    std::optional<ShardSet> shards;
    if (files[i].rank.has_value() || files[j - 1].rank.has_value() || j - i > 1) {
      shards.emplace();
      // For messages: a folder that was only a shard token ("step_5/rank_1/emb.npy") leaves an
      // empty component.
      shards->group = files[i].shard_group;
      for (std::size_t at; (at = shards->group.find("//")) != std::string::npos;) {
        shards->group.erase(at, 1);
      }
    }
    for (std::size_t k = i; k < j; ++k) {
      tensor_file.paths.push_back(run_dir + "/" + files[k].path);
      if (!shards) continue;
      shards->paths.push_back(files[k].path);
      shards->ranks.push_back(files[k].rank);
      shards->counts.push_back(files[k].shard_count);
    }
    if (!out.empty() && out.back().tensor == tensor_file.tensor) {
      warnings.push_back("checkpoint " + checkpoint_name + ": several files provide tensor '" +
                         tensor_file.tensor + "'");
    }
    out.push_back(std::move(tensor_file));
    scanned.shard_sets.push_back(std::move(shards));
    i = j;
  }
}

/// Sets DiscoveredTensorFile::incomplete wherever a shard set lacks a piece; a tensor's sets are
/// compared with the widest set of the same tensor in the run (its last shard missing leaves a
/// set that is complete on its own).
void CheckShardSets(std::vector<ScannedCheckpoint>& scanned) {
  std::map<std::string, std::int64_t> widest;  // by tensor name
  for (const auto& s : scanned) {
    for (std::size_t f = 0; f < s.shard_sets.size(); ++f) {
      if (!s.shard_sets[f]) continue;
      std::int64_t& span = widest[s.checkpoint.files[f].tensor];
      span = std::max(span, ShardSpan(*s.shard_sets[f]));
    }
  }
  for (auto& s : scanned) {
    for (std::size_t f = 0; f < s.shard_sets.size(); ++f) {
      if (!s.shard_sets[f]) continue;
      DiscoveredTensorFile& file = s.checkpoint.files[f];
      file.incomplete = ShardSetProblem(*s.shard_sets[f], widest[file.tensor]);
    }
  }
}

}  // namespace

bool IsEmbeddingFile(const Layout& layout, const std::string& path) {
  return MatchAnyPathGlob(layout.embedding_globs, path) &&
         !MatchAnyPathGlob(layout.exclude_globs, path);
}

bool CheckpointLess(const DiscoveredCheckpoint& a, const DiscoveredCheckpoint& b) {
  if (a.step.has_value() != b.step.has_value()) return a.step.has_value();
  if (a.step && *a.step != *b.step) return *a.step < *b.step;
  if (!a.step) {
    if (a.epoch.has_value() != b.epoch.has_value()) return a.epoch.has_value();
    if (a.epoch && *a.epoch != *b.epoch) return *a.epoch < *b.epoch;
  } else if (a.epoch != b.epoch) {
    return a.epoch < b.epoch;  // same step: by epoch, absent first
  }
  return NaturalLess(a.name, b.name);
}

CheckpointScan ScanCheckpoints(const std::string& run_dir,
                               const std::vector<std::string>& relative_files,
                               const Layout& layout) {
  std::vector<CheckpointRegex> regexes;
  for (const auto& pattern : layout.checkpoint_regexes) {
    regexes.push_back(CompileCheckpointRegex(pattern, layout.name));
  }
  std::map<std::string, std::vector<PlacedFile>> with_step;  // by checkpoint name
  std::map<std::string, std::vector<PlacedFile>> stepless;   // by folder
  for (const auto& path : relative_files) {
    if (!IsEmbeddingFile(layout, path)) continue;
    PlacedFile placed = Place(path, layout, regexes);
    (placed.stepless ? stepless : with_step)[placed.unit].push_back(std::move(placed));
  }

  CheckpointScan scan;
  std::vector<ScannedCheckpoint> scanned;
  for (auto& [name, files] : with_step) {
    ScannedCheckpoint& s = scanned.emplace_back();
    DiscoveredCheckpoint& checkpoint = s.checkpoint;
    checkpoint.name = name;
    checkpoint.step = files.front().step;
    checkpoint.epoch = files.front().epoch;
    if (!files.front().overflowed.empty()) {
      scan.warnings.push_back("checkpoint " + name + ": the number " +
                              files.front().overflowed.substr(0, 40) +
                              (files.front().overflowed.size() > 40 ? "..." : "") +
                              " does not fit in 64 bits; the checkpoint is ordered by its name, "
                              "after every step that fits");
    }
    for (const auto& file : files) {
      if (file.step != checkpoint.step || file.epoch != checkpoint.epoch) {
        scan.warnings.push_back("checkpoint " + name + ": " + file.path +
                                " names a different step or epoch than " + files.front().path);
      }
    }
    BuildTensorFiles(run_dir, std::move(files), s, scan.warnings);
  }
  for (auto& [folder, files] : stepless) {
    ScannedCheckpoint& s = scanned.emplace_back();
    DiscoveredCheckpoint& checkpoint = s.checkpoint;
    bool one_tensor = true;
    for (const auto& file : files) one_tensor &= file.shard_group == files.front().shard_group;
    if (one_tensor) {
      checkpoint.name = Join(folder, SplitPath(files.front().shard_group).back());
      const std::size_t dot = checkpoint.name.rfind('.');
      if (dot != std::string::npos && dot > folder.size()) checkpoint.name.resize(dot);
    } else {
      checkpoint.name = folder.empty() ? "final" : folder;
    }
    BuildTensorFiles(run_dir, std::move(files), s, scan.warnings);
  }
  CheckShardSets(scanned);
  for (auto& s : scanned) scan.checkpoints.push_back(std::move(s.checkpoint));
  std::sort(scan.checkpoints.begin(), scan.checkpoints.end(), CheckpointLess);
  return scan;
}

}  // namespace rankme::discovery::internal
