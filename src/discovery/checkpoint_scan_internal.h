#pragma once

// Module-private: turns the file paths found in one run folder into ordered checkpoints. Pure:
// takes strings, touches no disk, so tests need no files.

#include <string>
#include <vector>

#include "rankme/discovery/layout.h"
#include "rankme/discovery/sweep.h"

namespace rankme::discovery::internal {

struct CheckpointScan {
  std::vector<DiscoveredCheckpoint> checkpoints;  ///< in DiscoveredRun::checkpoints order
  std::vector<std::string> warnings;
};

/// True when the run-relative `path` is an embedding file for `layout` (embedding glob matched,
/// no exclude glob matched).
bool IsEmbeddingFile(const Layout& layout, const std::string& path);

/// Groups `relative_files` (paths relative to the run folder `run_dir`, `/`-separated; files
/// that are not embedding files for `layout` are skipped) into checkpoints with absolute paths.
CheckpointScan ScanCheckpoints(const std::string& run_dir,
                               const std::vector<std::string>& relative_files,
                               const Layout& layout);

/// The documented checkpoint order: step known first, by step; then epoch known, by epoch; then
/// the rest; ties and the rest by NaturalLess of the name.
bool CheckpointLess(const DiscoveredCheckpoint& a, const DiscoveredCheckpoint& b);

}  // namespace rankme::discovery::internal
