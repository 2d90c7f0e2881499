#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "metrics/metrics_internal.h"
#include "rankme/core/error.h"

namespace rankme::metrics::internal {

namespace {

// Returns the largest |value| when every value is finite; else throws naming the first bad one.
template <typename T>
double CheckFinite(const T* values, std::int64_t first_row, std::int64_t count, std::int64_t cols,
                   const std::string& source) {
  const std::int64_t total = count * cols;
  const double max_abs = MaxAbs(values, static_cast<std::size_t>(total));
  if (std::isfinite(max_abs)) return max_abs;
  for (std::int64_t i = 0; i < total; ++i) {
    if (!std::isfinite(values[i])) {
      throw DataError(fmt::format("non-finite value ({}) at row {}, column {} (0-based)",
                                  static_cast<double>(values[i]), first_row + i / cols, i % cols),
                      source);
    }
  }
  return max_abs;  // not reached: a non-finite maximum comes from a non-finite value
}

template <typename T>
void Feed(RowStream& stream, const RowPlan& plan, std::int64_t block_rows,
          const std::function<void(T*, std::int64_t, double)>& sink) {
  const MatrixInfo& info = stream.info();
  const std::int64_t cols = info.cols;
  const auto block_size = static_cast<std::size_t>(block_rows * cols);
  std::vector<T> window(block_size);
  if (plan.selected.empty()) {
    for (std::int64_t first = 0; first < info.rows; first += block_rows) {
      const std::int64_t count = std::min(block_rows, info.rows - first);
      stream.ReadRows(first, count, window.data());
      const double max_abs =
          plan.scan_all ? CheckFinite(window.data(), first, count, cols, info.source) : -1.0;
      sink(window.data(), count, max_abs);
    }
    return;
  }
  std::vector<T> block(block_size);
  std::int64_t filled = 0;
  auto flush = [&] {
    if (filled > 0) sink(block.data(), filled, -1.0);
    filled = 0;
  };
  const std::span<const std::int64_t> selected = plan.selected;
  std::size_t next = 0;
  if (plan.scan_all) {
    for (std::int64_t first = 0; first < info.rows; first += block_rows) {
      const std::int64_t count = std::min(block_rows, info.rows - first);
      stream.ReadRows(first, count, window.data());
      CheckFinite(window.data(), first, count, cols, info.source);
      for (; next < selected.size() && selected[next] < first + count; ++next) {
        const T* row = window.data() + (selected[next] - first) * cols;
        std::copy(row, row + cols, block.data() + filled * cols);
        if (++filled == block_rows) flush();
      }
    }
  } else {
    // Runs of consecutive rows are read in one call, straight into the block.
    while (next < selected.size()) {
      std::size_t run = 1;
      while (next + run < selected.size() &&
             selected[next + run] == selected[next] + static_cast<std::int64_t>(run) &&
             filled + static_cast<std::int64_t>(run) < block_rows) {
        ++run;
      }
      const auto count = static_cast<std::int64_t>(run);
      stream.ReadRows(selected[next], count, block.data() + filled * cols);
      next += run;
      filled += count;
      if (filled == block_rows) flush();
    }
  }
  flush();
}

}  // namespace

void FeedRows(RowStream& stream, const RowPlan& plan, std::int64_t block_rows,
              const std::function<void(float*, std::int64_t, double)>& sink) {
  Feed(stream, plan, block_rows, sink);
}

void FeedRows(RowStream& stream, const RowPlan& plan, std::int64_t block_rows,
              const std::function<void(double*, std::int64_t, double)>& sink) {
  Feed(stream, plan, block_rows, sink);
}

std::int64_t BlockRows(std::size_t block_bytes, std::int64_t cols, std::size_t bytes_per_value,
                       std::int64_t cap) {
  const auto per_row = static_cast<std::size_t>(std::max<std::int64_t>(cols, 1)) *
                       std::max<std::size_t>(bytes_per_value, 1);
  const auto rows = static_cast<std::int64_t>(block_bytes / per_row);
  return std::clamp<std::int64_t>(rows, 1, std::max<std::int64_t>(cap, 1));
}

}  // namespace rankme::metrics::internal
