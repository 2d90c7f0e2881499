#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "rankme/core/dtype.h"
#include "rankme/core/row_stream.h"
#include "rankme/io/byte_source.h"
#include "rankme/io/tensor_listing.h"
#include "rankme/io/tensor_stream.h"

namespace rankme::io {

/// One tensor of a .safetensors header. Offsets are relative to the data section, which starts
/// right after the header.
struct SafetensorsTensor {
  std::string name;
  DType dtype = DType::kFloat32;
  std::vector<std::int64_t> shape;
  std::uint64_t data_begin = 0;
  std::uint64_t data_end = 0;
};

/// A parsed and validated .safetensors header.
struct SafetensorsHeader {
  std::vector<SafetensorsTensor> tensors;       ///< in header order
  std::map<std::string, std::string> metadata;  ///< `__metadata__`; non-string values as JSON
  std::uint64_t data_offset = 0;                ///< 8 + header length: where the data starts
};

/// Largest header accepted (the format's own limit is 100 MB).
inline constexpr std::uint64_t kMaxSafetensorsHeaderBytes = std::uint64_t{100} << 20;
/// Deepest JSON nesting accepted in a header (a valid one nests 3 levels).
inline constexpr int kMaxSafetensorsHeaderDepth = 64;

/// Parses the JSON header `json` of a file whose data section holds `data_size` bytes. Checks
/// every entry: known dtype (F16, BF16, F32, F64, I8..I64, U8..U64, BOOL), non-negative dims,
/// begin ≤ end ≤ data_size, end − begin = product(shape) × itemsize without 64-bit overflow.
/// Throws FormatError naming `source`.
SafetensorsHeader ParseSafetensorsHeader(std::string_view json, std::uint64_t data_size,
                                         const std::string& source);

/// Reads the 8-byte little-endian header length, checks it against the source size before
/// allocating anything, then reads and parses the header.
SafetensorsHeader ReadSafetensorsHeader(ByteSource& source);

/// The tensors of a header as listing entries.
std::vector<TensorEntry> SafetensorsEntries(const SafetensorsHeader& header);

/// Opens tensor `tensor` of `source` ("" = ChooseDefaultTensor) as a windowed RowStream.
/// Throws UsageError for an unknown name, FormatError for a bad file.
std::unique_ptr<RowStream> OpenSafetensors(std::shared_ptr<ByteSource> source,
                                           const std::string& tensor, const StreamOptions& options);

/// Same, opening the file at `path`.
std::unique_ptr<RowStream> OpenSafetensorsFile(const std::string& path, const std::string& tensor,
                                               const StreamOptions& options);

}  // namespace rankme::io
