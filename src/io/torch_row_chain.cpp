#include <algorithm>
#include <string>

#include "io/torch_row_chain_internal.h"
#include "rankme/core/error.h"

namespace rankme::io {

RowChain::RowChain(MatrixInfo info, std::vector<RowChainPart> parts)
    : info_(std::move(info)), parts_(std::move(parts)) {
  std::int64_t start = 0;
  for (const RowChainPart& part : parts_) {
    starts_.push_back(start);
    start += part.rows;
  }
  RANKME_CHECK(start == info_.rows);
}

RowStream& RowChain::Part(std::size_t index) {
  if (open_ == nullptr || open_index_ != index) {
    open_.reset();
    open_ = parts_[index].open();
    const MatrixInfo& part = open_->info();
    if (part.cols != info_.cols || part.rows != parts_[index].rows) {
      throw FormatError("part " + std::to_string(index) + " is " + std::to_string(part.rows) +
                            " × " + std::to_string(part.cols) + ", expected " +
                            std::to_string(parts_[index].rows) + " × " + std::to_string(info_.cols),
                        info_.source);
    }
    open_index_ = index;
  }
  return *open_;
}

template <typename T>
void RowChain::Read(std::int64_t first, std::int64_t count, T* dst) {
  RANKME_CHECK(first >= 0 && count >= 0 && first + count <= info_.rows);
  auto index = static_cast<std::size_t>(std::upper_bound(starts_.begin(), starts_.end(), first) -
                                        starts_.begin() - 1);
  while (count > 0) {
    const std::int64_t local = first - starts_[index];
    const std::int64_t take = std::min(count, parts_[index].rows - local);
    if (take > 0) {
      Part(index).ReadRows(local, take, dst);
      dst += take * info_.cols;
      first += take;
      count -= take;
    }
    ++index;
  }
}

void RowChain::ReadRows(std::int64_t first, std::int64_t count, float* dst) {
  Read(first, count, dst);
}

void RowChain::ReadRows(std::int64_t first, std::int64_t count, double* dst) {
  Read(first, count, dst);
}

}  // namespace rankme::io
