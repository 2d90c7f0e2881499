#pragma once

// A RowStream that concatenates the rows of several tensors (per-batch dumps in a PyTorch list).

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "rankme/core/row_stream.h"

namespace rankme::io {

/// One part of a chain: its row count (known from the header) and how to open it.
struct RowChainPart {
  std::int64_t rows = 0;
  std::function<std::unique_ptr<RowStream>()> open;
};

/// Streams the parts' rows one after another. Only one part is open at a time, so memory stays
/// that of one stream's window whatever the number of parts. Each part, when opened, must have
/// `info.cols` columns and the rows announced; otherwise FormatError naming info.source.
class RowChain final : public RowStream {
 public:
  /// `info` describes the whole: rows = sum of the parts' rows.
  RowChain(MatrixInfo info, std::vector<RowChainPart> parts);

  const MatrixInfo& info() const override { return info_; }
  void ReadRows(std::int64_t first, std::int64_t count, float* dst) override;
  void ReadRows(std::int64_t first, std::int64_t count, double* dst) override;

 private:
  template <typename T>
  void Read(std::int64_t first, std::int64_t count, T* dst);
  RowStream& Part(std::size_t index);

  MatrixInfo info_;
  std::vector<RowChainPart> parts_;
  std::vector<std::int64_t> starts_;  ///< first row of each part
  std::size_t open_index_ = 0;
  std::unique_ptr<RowStream> open_;
};

}  // namespace rankme::io
