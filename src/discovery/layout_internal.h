#pragma once

// Module-private: Layout::checkpoint_regexes compiled for std::regex, which has no named groups.

#include <regex>
#include <string>

namespace rankme::discovery::internal {

struct CheckpointRegex {
  std::regex regex;
  int step_group = -1;   ///< capture index of (?<step>...), -1 when absent
  int epoch_group = -1;  ///< capture index of (?<epoch>...), -1 when absent
};

/// Rewrites `(?<name>` / `(?P<name>` to plain groups and records where `step` and `epoch` went.
/// Throws ConfigError naming `source` on a bad regex or one with neither group.
CheckpointRegex CompileCheckpointRegex(const std::string& pattern, const std::string& source);

}  // namespace rankme::discovery::internal
