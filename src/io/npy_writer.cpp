#include "rankme/io/npy_writer.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <vector>

#include "rankme/core/error.h"

namespace rankme::io {

void WriteNpyFloat32(const std::string& path, std::span<const double> values, std::int64_t rows,
                     std::int64_t cols) {
  RANKME_CHECK(rows >= 0 && cols >= 0 && values.size() == static_cast<std::size_t>(rows * cols));
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" +
                       std::to_string(rows) + ", " + std::to_string(cols) + "), }";
  // numpy pads with spaces so the data starts at a multiple of 64, and ends with a newline.
  const std::size_t prefix = 10;
  const std::size_t total = (prefix + header.size() + 1 + 63) / 64 * 64;
  header.append(total - prefix - header.size() - 1, ' ');
  header += '\n';
  std::string bytes = "\x93NUMPY";
  bytes += '\x01';
  bytes += '\x00';
  bytes += static_cast<char>(header.size() & 0xFF);
  bytes += static_cast<char>((header.size() >> 8) & 0xFF);
  bytes += header;
  std::vector<float> data(values.begin(), values.end());

  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.write(reinterpret_cast<const char*>(data.data()),
              static_cast<std::streamsize>(data.size() * sizeof(float)));
    if (!out) throw IoError("cannot write", temporary);
  }
  std::error_code ec;
  std::filesystem::rename(temporary, path, ec);
  if (ec) throw IoError("cannot rename into place: " + ec.message(), path);
}

}  // namespace rankme::io
