#pragma once

#include <string>

namespace rankme::report {

/// Writes `text` to `path` atomically: to a temporary file beside it, flushed, then renamed
/// over `path`, so a reader sees the old file or the whole new one, never a part. Throws
/// IoError naming the path when the folder cannot be written.
void WriteFileAtomically(const std::string& path, const std::string& text);

}  // namespace rankme::report
