#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "rankme/core/dtype.h"
#include "rankme/core/row_stream.h"
#include "rankme/io/byte_source.h"

namespace rankme::io {

/// Where and how a tensor's elements lie in a ByteSource. Every format reduces to this.
struct TensorLayout {
  DType dtype = DType::kFloat32;
  ByteOrder byte_order = kNativeByteOrder;
  std::vector<std::int64_t> shape;    ///< as stored, e.g. {N, D} or {N, views, D}
  std::vector<std::int64_t> strides;  ///< in elements, one per dim; empty = C-contiguous
  std::uint64_t offset = 0;           ///< byte offset of element [0, 0, ...] in the source
};

/// Options shared by every reader.
struct StreamOptions {
  /// Accept rank > 2 as N × (product of the other dims). Otherwise such a tensor is refused
  /// with a DataError naming its shape.
  bool flatten = false;
  /// Size of the raw read window: the most bytes a stream holds at once besides the caller's
  /// block. Resident memory of a stream stays below about this much, whatever the file size.
  std::size_t window_bytes = std::size_t{8} << 20;
};

/// Validates `layout` against `source` (dims non-negative, products and extents without 64-bit
/// overflow, every addressed byte inside the source, rank 2 or flatten) and returns a RowStream
/// that reads it through a window of options.window_bytes. Throws FormatError (layout does not
/// fit the bytes) or DataError (shape not scorable) naming `source_name`.
std::unique_ptr<RowStream> OpenTensorStream(std::shared_ptr<ByteSource> source,
                                            const TensorLayout& layout, std::string source_name,
                                            const StreamOptions& options);

}  // namespace rankme::io
