#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace rankme::io {

/// Content identity of a group of files (one checkpoint's shards, in order): XXH3-128 of their
/// bytes, each file's size mixed in so ["ab", "c"] and ["a", "bc"] differ. 32 hex digits.
/// Reads every byte through a fixed 1 MiB buffer. Throws IoError naming the file.
std::string HashFiles(const std::vector<std::string>& paths);

/// Size and modification time of each file, as one comparable string ("size:mtime_ns;...").
/// Unchanged files give the same key without being read. Throws IoError naming a missing file.
std::string StatKey(const std::vector<std::string>& paths);

/// Newest modification time among the files, in seconds since the epoch.
double NewestMtimeSeconds(const std::vector<std::string>& paths);

}  // namespace rankme::io
