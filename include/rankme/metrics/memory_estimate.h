#pragma once

#include <cstddef>
#include <string>

#include "rankme/core/row_stream.h"
#include "rankme/metrics/rankme.h"

namespace rankme::metrics {

/// Peak bytes ComputeRankme(stream, options) allocates for a matrix described by `info`: the
/// Gram matrix (D × D float64 per accumulator, or N × N when fewer rows than columns), the R
/// factors of the exact path (two of D × D float64) and the working blocks. With Method::kAuto
/// the larger of the two paths, since the exact one runs when the Gram's certificate fails.
/// The cost follows D² and min(N, D), not the file: a compressed file of zeros can declare a
/// shape that needs gigabytes. The stream's own read window comes on top.
std::size_t EstimateRankmeMemory(const MatrixInfo& info, const RankmeOptions& options);

/// Half of the machine's physical memory (at least 1 GiB when it cannot be read): the memory
/// budget for one tensor when RankmeOptions::max_memory is 0.
std::size_t DefaultMaxMemory();

/// "6001 x 6000 float32 ... about 610 MB": a byte count for messages (decimal units).
std::string FormatBytes(std::size_t bytes);

}  // namespace rankme::metrics
