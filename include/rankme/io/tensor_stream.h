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
  /// Accept rank > 2 as N × (product of the other dims), each row flattened in C order (what
  /// numpy's `a.reshape(N, -1)` gives, whatever the memory order). Otherwise such a tensor is
  /// refused with a DataError naming its shape.
  bool flatten = false;
  /// Size of the raw read window: the most bytes a stream holds at once besides the caller's
  /// block. Resident memory of a stream stays below about this much, whatever the file size.
  /// Any value works: a window smaller than one row reads rows in pieces; values below two
  /// elements are raised to two elements.
  std::size_t window_bytes = std::size_t{8} << 20;
};

/// Validates `layout` against `source` and returns a RowStream that reads it through a window of
/// options.window_bytes. Checks, before allocating anything: dims non-negative; element count,
/// byte size and extents computed without 64-bit overflow; every addressed byte inside
/// source->size(); no more elements than the bytes can hold (overlapping or broadcast strides,
/// e.g. stride 0, are refused); rank 2, or rank > 2 with options.flatten.
/// Throws FormatError (the layout does not fit the bytes) or DataError (rank 0 or 1, or rank > 2
/// without flatten; the message names the shape), both with `source_name` as path.
/// The stream reads C-contiguous rows in one range per window, column-major (row stride 1, e.g.
/// Fortran order) data as column runs transposed in the window, and any other strides by gathering.
/// ReadRows requires 0 <= first, 1 <= count, first + count <= rows (an abort otherwise).
/// MatrixInfo::source is `source_name`.
std::unique_ptr<RowStream> OpenTensorStream(std::shared_ptr<ByteSource> source,
                                            const TensorLayout& layout, std::string source_name,
                                            const StreamOptions& options);

/// A shape as Python prints it: "()", "(512,)", "(3, 4)".
std::string FormatShape(const std::vector<std::int64_t>& shape);

}  // namespace rankme::io
