#include "rankme/io/tensor_stream.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "io/tensor_plan_internal.h"
#include "rankme/core/error.h"

namespace rankme::io {

namespace {

// Elements picked from strided positions are staged here before conversion.
constexpr std::size_t kStagingBytes = 4096;

void ConvertTo(const std::byte* src, const TensorPlan& plan, std::size_t count, float* dst) {
  ConvertToFloat32(src, plan.dtype, plan.byte_order, count, dst);
}

void ConvertTo(const std::byte* src, const TensorPlan& plan, std::size_t count, double* dst) {
  ConvertToFloat64(src, plan.dtype, plan.byte_order, count, dst);
}

/// Copies `count` elements of `size` bytes found `stride` bytes apart in `src` to packed `dst`.
template <std::size_t kSize>
void PickFixed(const std::byte* src, std::ptrdiff_t stride, std::size_t count, std::byte* dst) {
  for (std::size_t i = 0; i < count; ++i) {
    std::memcpy(dst + i * kSize, src + static_cast<std::ptrdiff_t>(i) * stride, kSize);
  }
}

void Pick(const std::byte* src, std::ptrdiff_t stride, std::size_t count, std::size_t size,
          std::byte* dst) {
  switch (size) {
    case 1:
      return PickFixed<1>(src, stride, count, dst);
    case 2:
      return PickFixed<2>(src, stride, count, dst);
    case 4:
      return PickFixed<4>(src, stride, count, dst);
    case 8:
      return PickFixed<8>(src, stride, count, dst);
  }
  RANKME_CHECK(false);
}

/// Transposes a column-major tile (`cols` runs of `rows` elements) into row-major order.
template <std::size_t kSize>
void TransposeFixed(const std::byte* src, std::size_t rows, std::size_t cols, std::byte* dst) {
  constexpr std::size_t kBlock = 32;  // keeps both sides of a block in L1
  for (std::size_t i0 = 0; i0 < rows; i0 += kBlock) {
    const std::size_t i1 = std::min(rows, i0 + kBlock);
    for (std::size_t j0 = 0; j0 < cols; j0 += kBlock) {
      const std::size_t j1 = std::min(cols, j0 + kBlock);
      for (std::size_t i = i0; i < i1; ++i) {
        for (std::size_t j = j0; j < j1; ++j) {
          std::memcpy(dst + (i * cols + j) * kSize, src + (j * rows + i) * kSize, kSize);
        }
      }
    }
  }
}

void Transpose(const std::byte* src, std::size_t rows, std::size_t cols, std::size_t size,
               std::byte* dst) {
  switch (size) {
    case 1:
      return TransposeFixed<1>(src, rows, cols, dst);
    case 2:
      return TransposeFixed<2>(src, rows, cols, dst);
    case 4:
      return TransposeFixed<4>(src, rows, cols, dst);
    case 8:
      return TransposeFixed<8>(src, rows, cols, dst);
  }
  RANKME_CHECK(false);
}

/// Visits column offsets (elements, relative to a row's start) in logical order.
class ColumnCursor {
 public:
  explicit ColumnCursor(std::vector<ColumnDim> dims)
      : dims_(std::move(dims)), index_(dims_.size(), 0) {}

  std::int64_t offset() const { return offset_; }
  void Reset() {
    std::fill(index_.begin(), index_.end(), 0);
    offset_ = 0;
  }
  void Advance() {
    for (std::size_t d = dims_.size(); d-- > 0;) {
      if (++index_[d] < dims_[d].size) {
        offset_ += dims_[d].stride;
        return;
      }
      offset_ -= (dims_[d].size - 1) * dims_[d].stride;
      index_[d] = 0;
    }
  }

 private:
  std::vector<ColumnDim> dims_;
  std::vector<std::int64_t> index_;
  std::int64_t offset_ = 0;
};

class TensorRowStream final : public RowStream {
 public:
  TensorRowStream(std::shared_ptr<ByteSource> source, TensorPlan plan, MatrixInfo info,
                  std::size_t window_bytes)
      : source_(std::move(source)),
        plan_(std::move(plan)),
        info_(std::move(info)),
        window_bytes_(std::max(window_bytes, 2 * plan_.item_size)),
        outer_(std::vector<ColumnDim>(plan_.col_dims.begin(), plan_.col_dims.end() - 1)),
        columns_(plan_.col_dims) {}

  const MatrixInfo& info() const override { return info_; }
  bool cheap_random_access() const override { return !source_->streams_only(); }
  void ReadRows(std::int64_t first, std::int64_t count, float* dst) override {
    Read(first, count, dst);
  }
  void ReadRows(std::int64_t first, std::int64_t count, double* dst) override {
    Read(first, count, dst);
  }

 private:
  template <typename Out>
  void Read(std::int64_t first, std::int64_t count, Out* dst) {
    RANKME_CHECK(first >= 0 && count >= 1 && first < plan_.rows && count <= plan_.rows - first);
    if (plan_.cols == 0) return;
    switch (plan_.access) {
      case TensorAccess::kContiguous:
        return ReadContiguous(first, count, dst);
      case TensorAccess::kColumnRuns:
        return ReadColumnRuns(first, count, dst);
      case TensorAccess::kGather:
        return ReadGather(first, count, dst);
    }
  }

  std::byte* Window(std::size_t bytes) {
    RANKME_CHECK(bytes <= window_bytes_);
    if (window_.size() < bytes) window_.resize(bytes);
    return window_.data();
  }

  // True when the stored values are native `Out` values (float32 or float64, native order).
  template <typename Out>
  bool StoredAs() const {
    constexpr DType kWanted = sizeof(Out) == sizeof(float) ? DType::kFloat32 : DType::kFloat64;
    return plan_.dtype == kWanted && plan_.byte_order == kNativeByteOrder;
  }

  std::uint64_t ByteOffset(std::int64_t element) const {
    return plan_.offset +
           static_cast<std::uint64_t>(element * static_cast<std::int64_t>(plan_.item_size));
  }

  // Rows lie back to back: one range per block, read in window-sized pieces that need not
  // end on a row boundary because `dst` is packed the same way.
  template <typename Out>
  void ReadContiguous(std::int64_t first, std::int64_t count, Out* dst) {
    const std::size_t size = plan_.item_size;
    const std::uint64_t total = static_cast<std::uint64_t>(count * plan_.cols);
    const std::uint64_t start = ByteOffset(first * plan_.cols);
    if (StoredAs<Out>()) {
      // Values stored exactly as wanted: straight into `dst`, no window and no conversion.
      source_->ReadAt(start, static_cast<std::size_t>(total * size), dst);
      return;
    }
    const std::uint64_t chunk = window_bytes_ / size;
    for (std::uint64_t done = 0; done < total; done += chunk) {
      const std::size_t n = static_cast<std::size_t>(std::min(chunk, total - done));
      std::byte* raw = Window(n * size);
      source_->ReadAt(start + done * size, n * size, raw);
      ConvertTo(raw, plan_, n, dst + done);
    }
  }

  // Row stride 1: a column's values for consecutive rows are adjacent. A tile of up to
  // `tile_rows` rows × `tile_cols` columns is read column by column into one half of the
  // window (adjacent runs merged into one read), transposed into the other half, and each
  // row of the tile converted into place.
  template <typename Out>
  void ReadColumnRuns(std::int64_t first, std::int64_t count, Out* dst) {
    const std::size_t size = plan_.item_size;
    const std::size_t half = window_bytes_ / 2 / size;  // elements per half, >= 1
    if (static_cast<std::uint64_t>(count * plan_.cols) <= half) {
      return ReadCachedRows(first, count, half, dst);
    }
    cached_rows_ = 0;  // the tiles below overwrite the cache
    const auto tile_rows = static_cast<std::int64_t>(std::min<std::uint64_t>(count, half));
    const auto tile_cols = static_cast<std::int64_t>(std::min<std::uint64_t>(
        plan_.cols, std::max<std::uint64_t>(1, half / static_cast<std::uint64_t>(tile_rows))));
    const std::size_t tile_bytes = static_cast<std::size_t>(tile_rows * tile_cols) * size;
    std::byte* tile = Window(2 * tile_bytes);
    std::byte* rows_major = tile + tile_bytes;
    for (std::int64_t r0 = first; r0 < first + count; r0 += tile_rows) {
      const std::int64_t m = std::min(tile_rows, first + count - r0);
      columns_.Reset();
      for (std::int64_t c0 = 0; c0 < plan_.cols; c0 += tile_cols) {
        const std::int64_t k = std::min(tile_cols, plan_.cols - c0);
        ReadColumnTile(r0, m, k, tile);
        Transpose(tile, static_cast<std::size_t>(m), static_cast<std::size_t>(k), size, rows_major);
        for (std::int64_t i = 0; i < m; ++i) {
          ConvertTo(rows_major + static_cast<std::size_t>(i * k) * size, plan_,
                    static_cast<std::size_t>(k), dst + (r0 - first + i) * plan_.cols + c0);
        }
      }
    }
  }

  // Small blocks of column-major data: a column run per row would be tiny reads, so whole
  // rows are read ahead into the second half of the window (as many as fit) and kept there,
  // row-major, for the next requests.
  template <typename Out>
  void ReadCachedRows(std::int64_t first, std::int64_t count, std::size_t half, Out* dst) {
    const std::size_t size = plan_.item_size;
    const auto ahead = static_cast<std::int64_t>(half / static_cast<std::uint64_t>(plan_.cols));
    const std::size_t tile_bytes = static_cast<std::size_t>(ahead * plan_.cols) * size;
    std::byte* tile = Window(2 * tile_bytes);  // same size every time: the cache stays put
    std::byte* cache = tile + tile_bytes;
    if (cached_rows_ == 0 || first < cached_first_ ||
        first + count > cached_first_ + cached_rows_) {
      const std::int64_t m = std::min(ahead, plan_.rows - first);
      columns_.Reset();
      ReadColumnTile(first, m, plan_.cols, tile);
      Transpose(tile, static_cast<std::size_t>(m), static_cast<std::size_t>(plan_.cols), size,
                cache);
      cached_first_ = first;
      cached_rows_ = m;
    }
    ConvertTo(cache + static_cast<std::size_t>((first - cached_first_) * plan_.cols) * size, plan_,
              static_cast<std::size_t>(count * plan_.cols), dst);
  }

  // Reads rows [r0, r0 + m) of the next k columns of columns_ into `tile`, column-major.
  void ReadColumnTile(std::int64_t r0, std::int64_t m, std::int64_t k, std::byte* tile) {
    const std::size_t run = static_cast<std::size_t>(m) * plan_.item_size;
    std::int64_t pending_start = 0;  // element offset of the pending merged read
    std::int64_t pending_runs = 0;
    std::byte* pending_dst = tile;
    auto flush = [&] {
      if (pending_runs == 0) return;
      source_->ReadAt(ByteOffset(pending_start), run * static_cast<std::size_t>(pending_runs),
                      pending_dst);
      pending_dst += run * static_cast<std::size_t>(pending_runs);
      pending_runs = 0;
    };
    for (std::int64_t j = 0; j < k; ++j) {
      const std::int64_t start = r0 + columns_.offset();
      if (pending_runs == 0 || start != pending_start + pending_runs * m) {
        flush();
        pending_start = start;
      }
      ++pending_runs;
      columns_.Advance();
    }
    flush();
  }

  // Any other strides: read the span covering as many rows as fit in the window and pick
  // their elements; rows wider than the window are read in spans along their column runs.
  template <typename Out>
  void ReadGather(std::int64_t first, std::int64_t count, Out* dst) {
    const std::size_t size = plan_.item_size;
    const std::int64_t window = static_cast<std::int64_t>(window_bytes_ / size);
    const std::int64_t row_span = plan_.col_max - plan_.col_min + 1;
    const std::int64_t stride = plan_.row_stride;
    if (row_span > window) {
      for (std::int64_t r = first; r < first + count; ++r) {
        ReadWideRow(r, dst + (r - first) * plan_.cols);
      }
      return;
    }
    const std::int64_t abs_stride = stride < 0 ? -stride : stride;
    const std::int64_t group =
        abs_stride == 0 ? count : std::min(count, 1 + (window - row_span) / abs_stride);
    for (std::int64_t r0 = first; r0 < first + count; r0 += group) {
      const std::int64_t m = std::min(group, first + count - r0);
      const std::int64_t low = std::min(r0 * stride, (r0 + m - 1) * stride) + plan_.col_min;
      const std::int64_t high = std::max(r0 * stride, (r0 + m - 1) * stride) + plan_.col_max;
      const std::size_t bytes = static_cast<std::size_t>(high - low + 1) * size;
      std::byte* raw = Window(bytes);
      source_->ReadAt(ByteOffset(low), bytes, raw);
      for (std::int64_t r = r0; r < r0 + m; ++r) {
        GatherRow(raw + static_cast<std::size_t>(r * stride - low) * size,
                  dst + (r - first) * plan_.cols);
      }
    }
  }

  // Picks one row's elements from `row` (the bytes of its column offset 0) into `out`.
  template <typename Out>
  void GatherRow(const std::byte* row, Out* out) {
    const ColumnDim inner = plan_.col_dims.back();
    const std::size_t size = plan_.item_size;
    const std::int64_t runs = plan_.cols / inner.size;
    outer_.Reset();
    for (std::int64_t run = 0; run < runs; ++run, outer_.Advance()) {
      const std::byte* src = row + outer_.offset() * static_cast<std::int64_t>(size);
      Out* run_out = out + run * inner.size;
      if (inner.stride == 1) {
        ConvertTo(src, plan_, static_cast<std::size_t>(inner.size), run_out);
      } else {
        PickAndConvert(src, inner.stride, inner.size, run_out);
      }
    }
  }

  // Converts `n` elements `stride` elements apart starting at `src`, through the staging buffer.
  template <typename Out>
  void PickAndConvert(const std::byte* src, std::int64_t stride, std::int64_t n, Out* out) {
    const std::size_t size = plan_.item_size;
    const std::int64_t per_batch = static_cast<std::int64_t>(kStagingBytes / size);
    const std::ptrdiff_t stride_bytes = stride * static_cast<std::ptrdiff_t>(size);
    for (std::int64_t done = 0; done < n; done += per_batch) {
      const auto batch = static_cast<std::size_t>(std::min(per_batch, n - done));
      Pick(src + done * stride_bytes, stride_bytes, batch, size, staging_);
      ConvertTo(staging_, plan_, batch, out + done);
    }
  }

  // A row whose span exceeds the window: each column run in pieces whose span fits.
  template <typename Out>
  void ReadWideRow(std::int64_t r, Out* out) {
    const ColumnDim inner = plan_.col_dims.back();
    const std::size_t size = plan_.item_size;
    const std::int64_t window = static_cast<std::int64_t>(window_bytes_ / size);
    const std::int64_t abs_stride = inner.stride < 0 ? -inner.stride : inner.stride;
    const std::int64_t piece =
        abs_stride == 0 ? inner.size : std::min(inner.size, 1 + (window - 1) / abs_stride);
    const std::int64_t runs = plan_.cols / inner.size;
    outer_.Reset();
    for (std::int64_t run = 0; run < runs; ++run, outer_.Advance()) {
      const std::int64_t base = r * plan_.row_stride + outer_.offset();
      for (std::int64_t k0 = 0; k0 < inner.size; k0 += piece) {
        const std::int64_t n = std::min(piece, inner.size - k0);
        const std::int64_t a = base + k0 * inner.stride;
        const std::int64_t b = base + (k0 + n - 1) * inner.stride;
        const std::int64_t low = std::min(a, b);
        const std::size_t bytes = static_cast<std::size_t>(std::max(a, b) - low + 1) * size;
        std::byte* raw = Window(bytes);
        source_->ReadAt(ByteOffset(low), bytes, raw);
        PickAndConvert(raw + static_cast<std::size_t>(a - low) * size, inner.stride, n,
                       out + run * inner.size + k0);
      }
    }
  }

  std::shared_ptr<ByteSource> source_;
  TensorPlan plan_;
  MatrixInfo info_;
  std::size_t window_bytes_;
  std::vector<std::byte> window_;
  std::byte staging_[kStagingBytes];
  std::int64_t cached_first_ = 0;  ///< rows [cached_first_, + cached_rows_) are in the cache
  std::int64_t cached_rows_ = 0;   ///< 0: nothing cached
  ColumnCursor outer_;             ///< all column dims but the innermost (gather)
  ColumnCursor columns_;           ///< every column dim (column runs)
};

}  // namespace

std::unique_ptr<RowStream> OpenTensorStream(std::shared_ptr<ByteSource> source,
                                            const TensorLayout& layout, std::string source_name,
                                            const StreamOptions& options) {
  RANKME_CHECK(source != nullptr);
  TensorPlan plan = PlanTensor(layout, source->size(), source_name, options.flatten);
  MatrixInfo info;
  info.rows = plan.rows;
  info.cols = plan.cols;
  info.dtype = layout.dtype;
  info.shape = layout.shape;
  info.source = std::move(source_name);
  return std::make_unique<TensorRowStream>(std::move(source), std::move(plan), std::move(info),
                                           options.window_bytes);
}

}  // namespace rankme::io
