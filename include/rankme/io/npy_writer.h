#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace rankme::io {

/// Writes a rows × cols row-major matrix as a .npy file (format 1.0, little-endian float32,
/// C order) the way numpy does, atomically: to a temporary file beside `path`, then renamed,
/// so a reader never sees half a file. Values are rounded to float32. Throws IoError.
void WriteNpyFloat32(const std::string& path, std::span<const double> values, std::int64_t rows,
                     std::int64_t cols);

}  // namespace rankme::io
