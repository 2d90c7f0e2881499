#pragma once

#include <string>

namespace rankme::report {

/// How `WriteOutputFile` delivered the text.
enum class OutputTarget {
  kReplaced,  ///< a regular file (or a new path) replaced atomically
  kInPlace,   ///< written straight into a FIFO, terminal or device node, which is kept
  kStdout,    ///< the path was "-"
};

/// Writes `text` to `path` as a user asking for `-o path` expects:
/// - "-" is standard output;
/// - a symbolic link is followed (through chains of links) and its target written, the link kept;
/// - a regular file, or a path that does not exist yet, is replaced atomically: the text goes to
///   a temporary file beside it, is flushed, and is renamed over the path, so a reader sees the
///   old file or the whole new one, never a part; an existing file keeps its permissions;
/// - anything else that exists (a FIFO, a character device such as /dev/null or /dev/full, a
///   terminal) is opened and written directly, never replaced;
/// - a folder is refused.
/// Throws IoError naming the path on any failure (including a short write to /dev/full); a
/// failed atomic replace leaves the old file untouched and no temporary file behind.
OutputTarget WriteOutputFile(const std::string& path, const std::string& text);

}  // namespace rankme::report
