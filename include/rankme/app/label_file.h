#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "rankme/core/records.h"

namespace rankme::app {

/// One value of a label file before it is matched to the database.
struct LabelEntry {
  std::string run;  ///< run name (folder relative to the sweep root) or absolute run path
  std::optional<std::string> checkpoint;  ///< checkpoint name (or its last path component)
  std::optional<std::int64_t> step, epoch;
  double value = 0;
};

/// A parsed label file.
struct LabelFile {
  std::string column;  ///< the value column used, e.g. linear_probe_acc
  std::vector<LabelEntry> entries;
};

/// Parses a label file. CSV (RFC 4180, a header naming `run` and optionally `checkpoint`,
/// `step`, `epoch`, and value columns) or JSON (a list of objects with the same keys, or an
/// object {run: value}), chosen by the text's first non-blank character. `column` picks the
/// value column; empty: the first column that is not a key column and holds numbers. Rows with
/// an empty value are skipped. Throws FormatError naming `source` on malformed text,
/// UsageError when `column` does not exist.
LabelFile ParseLabelFile(const std::string& text, const std::string& source,
                         const std::string& column = "");

/// Label values matched to stored runs and checkpoints, and what could not be matched.
struct LabelMatch {
  std::vector<LabelValue> labels;
  std::vector<std::string> unmatched;  ///< one line per entry that matched nothing
};

/// Matches entries to runs (by name, absolute path, or a unique path suffix) and checkpoints
/// (by name, or its last path component; else by step; else by epoch; none: the whole run).
LabelMatch MatchLabels(const LabelFile& file, const std::string& source,
                       const std::vector<RunRecord>& runs,
                       const std::vector<CheckpointRecord>& checkpoints);

}  // namespace rankme::app
