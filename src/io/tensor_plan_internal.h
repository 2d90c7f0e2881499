#pragma once

// A validated TensorLayout reduced to what the row stream needs: N × D, a row stride and the
// (collapsed) dims that address the columns of one row.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "rankme/core/dtype.h"
#include "rankme/io/tensor_stream.h"

namespace rankme::io {

/// One dimension of the column addressing: `size` indices `stride` elements apart.
struct ColumnDim {
  std::int64_t size = 1;
  std::int64_t stride = 1;
};

/// How the stream walks the bytes.
enum class TensorAccess : std::uint8_t {
  kContiguous,  ///< rows packed one after another, columns adjacent: ranges of whole rows
  kColumnRuns,  ///< row stride 1 (Fortran order): each column's rows adjacent, transposed
  kGather,      ///< anything else: read spans and pick elements
};

struct TensorPlan {
  DType dtype = DType::kFloat32;
  ByteOrder byte_order = kNativeByteOrder;
  std::size_t item_size = 4;
  std::int64_t rows = 0;
  std::int64_t cols = 0;
  std::int64_t row_stride = 0;  ///< elements between rows r and r + 1
  /// Column dims in logical C order (outermost first), size-1 dims dropped and adjacent dims
  /// merged; never empty, product of sizes == cols.
  std::vector<ColumnDim> col_dims;
  std::int64_t col_min = 0;  ///< smallest column offset (elements) relative to a row's start
  std::int64_t col_max = 0;  ///< largest
  std::uint64_t offset = 0;  ///< byte offset of element [0, 0]
  TensorAccess access = TensorAccess::kContiguous;
};

/// Validates `layout` against a source of `source_size` bytes and plans its access; the contract
/// and the errors are those of OpenTensorStream.
TensorPlan PlanTensor(const TensorLayout& layout, std::uint64_t source_size,
                      const std::string& source_name, bool flatten);

}  // namespace rankme::io
