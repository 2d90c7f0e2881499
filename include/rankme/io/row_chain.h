#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "rankme/core/row_stream.h"

namespace rankme::io {

/// One part of a concatenation: its row count (known from its header) and how to open it.
struct RowPart {
  std::int64_t rows = 0;
  std::function<std::unique_ptr<RowStream>()> open;
};

/// A RowStream of the parts' rows one after another (per-rank shards of one checkpoint,
/// per-batch tensors of one dump). Only one part is open at a time, so memory stays that of one
/// part's window. `info` describes the whole (rows = sum of the parts' rows); each part, when
/// opened, must have info.cols columns and the rows announced, else FormatError naming
/// info.source.
std::unique_ptr<RowStream> ConcatenateRows(MatrixInfo info, std::vector<RowPart> parts);

}  // namespace rankme::io
