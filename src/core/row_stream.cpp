#include "rankme/core/row_stream.h"

#include <algorithm>

#include "rankme/core/error.h"

namespace rankme {

MemoryRowStream::MemoryRowStream(std::vector<double> values, std::int64_t rows, std::int64_t cols,
                                 std::string source, DType stored_dtype)
    : values_(std::move(values)) {
  RANKME_CHECK(rows >= 0 && cols >= 0);
  RANKME_CHECK(values_.size() == static_cast<std::size_t>(rows * cols));
  info_.rows = rows;
  info_.cols = cols;
  info_.dtype = stored_dtype;
  info_.shape = {rows, cols};
  info_.source = std::move(source);
}

void MemoryRowStream::ReadRows(std::int64_t first, std::int64_t count, float* dst) {
  RANKME_CHECK(first >= 0 && count >= 0 && first + count <= info_.rows);
  const auto begin = values_.begin() + first * info_.cols;
  std::transform(begin, begin + count * info_.cols, dst,
                 [](double v) { return static_cast<float>(v); });
}

void MemoryRowStream::ReadRows(std::int64_t first, std::int64_t count, double* dst) {
  RANKME_CHECK(first >= 0 && count >= 0 && first + count <= info_.rows);
  const auto begin = values_.begin() + first * info_.cols;
  std::copy(begin, begin + count * info_.cols, dst);
}

}  // namespace rankme
