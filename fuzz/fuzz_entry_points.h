#pragma once

// What each fuzz target does with one input, shared by the libFuzzer targets in this folder and
// by tests/io/fuzz_corpus_replay_test.cpp (which replays the committed corpus under the
// sanitizers of the test build). Each function may throw only rankme::Error subclasses.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "rankme/core/error.h"
#include "rankme/core/row_stream.h"
#include "rankme/io/byte_source.h"
#include "rankme/io/npy_reader.h"
#include "rankme/io/npz_reader.h"
#include "rankme/io/pickle_reader.h"
#include "rankme/io/safetensors_reader.h"
#include "rankme/io/torch_reader.h"
#include "rankme/io/zip_archive.h"

namespace rankme::fuzz {

inline constexpr std::int64_t kMaxElementsRead = std::int64_t{1} << 18;
inline constexpr std::uint64_t kMaxMemberBytesRead = std::uint64_t{1} << 20;

inline std::shared_ptr<io::ByteSource> Bytes(const std::uint8_t* data, std::size_t size,
                                             const char* name) {
  return std::make_shared<io::MemoryByteSource>(
      std::string(reinterpret_cast<const char*>(data), size), name);
}

inline io::StreamOptions SmallWindow() {
  io::StreamOptions options;
  options.flatten = true;
  options.window_bytes = 4096;
  return options;
}

/// Reads a stream in small blocks (first and last rows, both element types), when small enough.
inline void Drain(RowStream& stream) {
  const MatrixInfo& info = stream.info();
  if (info.rows <= 0 || info.cols <= 0 || info.cols > kMaxElementsRead) return;
  const std::int64_t rows = std::min<std::int64_t>(info.rows, kMaxElementsRead / info.cols);
  const std::int64_t block = std::max<std::int64_t>(1, rows / 3);
  std::vector<double> as_double(static_cast<std::size_t>(block * info.cols));
  std::vector<float> as_float(as_double.size());
  for (std::int64_t first = 0; first < rows; first += block) {
    const std::int64_t count = std::min(block, rows - first);
    stream.ReadRows(first, count, as_double.data());
  }
  stream.ReadRows(info.rows - 1, 1, as_float.data());
  stream.ReadRows(0, 1, as_float.data());
}

inline void FuzzNpy(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  try {
    io::ParseNpyHeader(bytes, "fuzz.npy");
  } catch (const Error&) {
  }
  auto source = Bytes(data, size, "fuzz.npy");
  auto stream = io::OpenNpySource(source, "fuzz.npy", SmallWindow());
  Drain(*stream);
}

inline void FuzzSafetensors(const std::uint8_t* data, std::size_t size) {
  auto source = Bytes(data, size, "fuzz.safetensors");
  const io::SafetensorsHeader header = io::ReadSafetensorsHeader(*source);
  for (const io::SafetensorsTensor& tensor : header.tensors) {
    try {
      Drain(*io::OpenSafetensors(source, tensor.name, SmallWindow()));
    } catch (const Error&) {
    }
  }
}

/// The zip container and both formats built on it (.npz and PyTorch).
inline void FuzzZip(const std::uint8_t* data, std::size_t size) {
  auto source = Bytes(data, size, "fuzz.zip");
  auto archive = io::ZipArchive::Open(source);
  for (const io::ZipMember& member : archive->members()) {
    try {
      auto bytes = archive->OpenMember(member);
      std::vector<char> buffer(4096);
      const std::uint64_t limit = std::min(bytes->size(), kMaxMemberBytesRead);
      for (std::uint64_t at = 0; at < limit; at += buffer.size()) {
        const std::uint64_t count = std::min<std::uint64_t>(buffer.size(), limit - at);
        bytes->ReadAt(at, static_cast<std::size_t>(count), buffer.data());
      }
      if (bytes->size() > 0) bytes->ReadAt(0, 1, buffer.data());  // backward: restarts
    } catch (const Error&) {
    }
  }
  try {
    for (const io::TensorEntry& entry : io::ListNpzTensors(source)) {
      try {
        Drain(*io::OpenNpz(source, entry.name, SmallWindow()));
      } catch (const Error&) {
      }
    }
  } catch (const Error&) {
  }
  for (const io::TensorEntry& entry : io::ListTorchTensors(source)) {
    try {
      Drain(*io::OpenTorch(source, entry.name, SmallWindow()));
    } catch (const Error&) {
    }
  }
}

inline void FuzzPickle(const std::uint8_t* data, std::size_t size) {
  io::ParsePickle(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.pkl");
}

}  // namespace rankme::fuzz
