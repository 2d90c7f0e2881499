#include <algorithm>
#include <optional>

#include "io/checked_math_internal.h"
#include "io/tensor_plan_internal.h"
#include "rankme/core/error.h"

namespace rankme::io {

namespace {

__extension__ using Int128 = __int128;

std::string ShapeAndType(const TensorLayout& layout) {
  return FormatShape(layout.shape) + " " + std::string(DTypeName(layout.dtype));
}

std::optional<std::int64_t> CheckedProduct(const std::vector<std::int64_t>& dims,
                                           std::size_t from) {
  std::int64_t product = 1;
  for (std::size_t i = from; i < dims.size(); ++i) {
    const auto next = CheckedMul(product, dims[i]);
    if (!next) return std::nullopt;
    product = *next;
  }
  return product;
}

std::vector<std::int64_t> ContiguousStrides(const std::vector<std::int64_t>& shape) {
  // Only called once the element count is known to fit, or when it is zero (then the strides
  // address nothing and may saturate harmlessly).
  std::vector<std::int64_t> strides(shape.size(), 0);
  std::int64_t stride = 1;
  for (std::size_t i = shape.size(); i-- > 0;) {
    strides[i] = stride;
    stride = CheckedMul(stride, std::max<std::int64_t>(shape[i], 1)).value_or(0);
  }
  return strides;
}

std::vector<ColumnDim> CollapseColumnDims(const std::vector<std::int64_t>& shape,
                                          const std::vector<std::int64_t>& strides) {
  std::vector<ColumnDim> dims;
  for (std::size_t i = 1; i < shape.size(); ++i) {
    if (shape[i] == 1) continue;
    const ColumnDim dim{shape[i], strides[i]};
    if (!dims.empty() && CheckedMul(dim.stride, dim.size) == dims.back().stride) {
      dims.back() = ColumnDim{dims.back().size * dim.size, dim.stride};
    } else {
      dims.push_back(dim);
    }
  }
  if (dims.empty()) dims.push_back(ColumnDim{1, 1});
  if (dims.size() == 1 && dims[0].size <= 1) dims[0].stride = 1;
  return dims;
}

}  // namespace

std::string FormatShape(const std::vector<std::int64_t>& shape) {
  std::string out = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) out += ", ";
    out += std::to_string(shape[i]);
  }
  if (shape.size() == 1) out += ",";
  return out + ")";
}

TensorPlan PlanTensor(const TensorLayout& layout, std::uint64_t source_size,
                      const std::string& source_name, bool flatten) {
  const auto& shape = layout.shape;
  for (std::int64_t dim : shape) {
    if (dim < 0)
      throw FormatError("negative dimension in shape " + FormatShape(shape), source_name);
  }
  if (!layout.strides.empty() && layout.strides.size() != shape.size()) {
    throw FormatError("layout has " + std::to_string(layout.strides.size()) +
                          " strides for shape " + FormatShape(shape),
                      source_name);
  }
  const std::size_t item_size = DTypeSize(layout.dtype);
  const auto elements = CheckedProduct(shape, 0);
  if (!elements) {
    throw FormatError("shape " + FormatShape(shape) + " has more elements than 64 bits count",
                      source_name);
  }
  const auto bytes = CheckedMul(static_cast<std::uint64_t>(*elements), item_size);
  if (!bytes || *bytes > static_cast<std::uint64_t>(INT64_MAX)) {
    throw FormatError("shape " + ShapeAndType(layout) + " needs more bytes than 64 bits count",
                      source_name);
  }
  const std::vector<std::int64_t> strides =
      layout.strides.empty() ? ContiguousStrides(shape) : layout.strides;

  if (*elements > 0) {
    // Element offsets of the extreme corners, then their bytes; 128 bits cannot overflow here.
    Int128 low = 0;
    Int128 high = 0;
    for (std::size_t i = 0; i < shape.size(); ++i) {
      const Int128 extent = static_cast<Int128>(shape[i] - 1) * strides[i];
      (extent < 0 ? low : high) += extent;
    }
    const Int128 first_byte = static_cast<Int128>(layout.offset) + low * item_size;
    const Int128 end_byte = static_cast<Int128>(layout.offset) + (high + 1) * item_size;
    if (first_byte < 0 || end_byte > static_cast<Int128>(source_size)) {
      throw FormatError(
          "tensor " + ShapeAndType(layout) + " at byte offset " + std::to_string(layout.offset) +
              " addresses bytes outside the source, which has " + std::to_string(source_size),
          source_name);
    }
    if (*bytes > source_size) {
      throw FormatError("tensor " + ShapeAndType(layout) + " needs " + std::to_string(*bytes) +
                            " bytes but the source has " + std::to_string(source_size) +
                            " (overlapping or broadcast strides are not supported)",
                        source_name);
    }
  }

  if (shape.size() < 2) {
    throw DataError("expected a 2-D N × D matrix, got shape " + FormatShape(shape), source_name);
  }
  const auto cols = CheckedProduct(shape, 1);
  if (!cols || !CheckedMul(static_cast<std::uint64_t>(*cols), item_size)) {
    throw FormatError("shape " + FormatShape(shape) + " has rows longer than 64 bits count",
                      source_name);
  }
  if (shape.size() > 2 && !flatten) {
    throw DataError("expected a 2-D N × D matrix, got shape " + FormatShape(shape) +
                        " (flattening would read it as " + std::to_string(shape[0]) + " × " +
                        std::to_string(*cols) + ")",
                    source_name);
  }

  TensorPlan plan;
  plan.dtype = layout.dtype;
  plan.byte_order = layout.byte_order;
  plan.item_size = item_size;
  plan.rows = shape[0];
  plan.cols = *cols;
  plan.offset = layout.offset;
  if (*elements == 0) {
    // Nothing is addressed: the strides are meaningless and were never checked.
    plan.col_dims = {ColumnDim{plan.cols, 1}};
    plan.row_stride = plan.cols;
    plan.access = TensorAccess::kContiguous;
    return plan;
  }
  plan.col_dims = CollapseColumnDims(shape, strides);
  for (const ColumnDim& dim : plan.col_dims) {
    const std::int64_t extent = (dim.size - 1) * dim.stride;  // within the checked extents
    (extent < 0 ? plan.col_min : plan.col_max) += extent;
  }
  const bool columns_adjacent = plan.col_dims.size() == 1 && plan.col_dims[0].stride == 1;
  plan.row_stride = plan.rows <= 1 && columns_adjacent ? plan.cols : strides[0];
  if (columns_adjacent && plan.row_stride == plan.cols) {
    plan.access = TensorAccess::kContiguous;
  } else if (plan.row_stride == 1) {
    plan.access = TensorAccess::kColumnRuns;
  } else {
    plan.access = TensorAccess::kGather;
  }
  return plan;
}

}  // namespace rankme::io
