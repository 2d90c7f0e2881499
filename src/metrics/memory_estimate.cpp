// What ComputeRankme will allocate, from the shape alone, so that callers can say so before
// starting and refuse shapes beyond the memory budget. Mirrors the allocations of gram_path.cpp,
// qr_path.cpp and dense_svd.cpp. Measured: 6001 × 6000 float32 of ones (Gram, then the exact
// path) estimated 616 MB, peak resident set 630 MB (the binary and the read window included).
#include "rankme/metrics/memory_estimate.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <limits>

#include "metrics/metrics_internal.h"

namespace rankme::metrics {

namespace {

using Bytes = double;  // sums of products of shapes: no wrap-around for absurd declared shapes

// A Gram tier: per accumulator the float64 Gram, its float32 block product (float32 tier) and a
// block of rows (two with a subsample window); at the end the centred Gram beside the Gram.
Bytes GramBytes(std::int64_t rows, std::int64_t cols, bool single, bool selected,
                std::size_t block_bytes, bool centered) {
  const Bytes value = single ? 4.0 : 8.0;
  const Bytes product = single ? 12.0 : 8.0;  // float64 Gram (+ float32 scratch)
  const std::size_t copies = sizeof(float) * (single ? 1 : 2) * (selected ? 2 : 1);
  if (rows >= cols) {
    const std::int64_t block_rows = internal::BlockRows(block_bytes, cols, copies, 8192);
    const int lanes = internal::GramLanes(cols, rows, block_rows);
    const Bytes d = static_cast<Bytes>(cols);
    return lanes * (product * d * d +
                    value * static_cast<Bytes>(block_rows) * d * (selected ? 2.0 : 1.0)) +
           (centered ? 8.0 * d * d : 0.0);
  }
  // Rows held in memory, their N × N Gram (and its centred copy), a transposed column block.
  const Bytes n = static_cast<Bytes>(rows);
  return value * n * static_cast<Bytes>(cols) + (product + (centered ? 8.0 : 0.0)) * n * n +
         static_cast<Bytes>(block_bytes);
}

// The exact path: two R factors of [1 | Z] and their blocks (within block_bytes), then copies of
// two parts of R for their SVDs; or the rows in float64 (and their centred copy) and the R of
// their QR when fewer rows than columns.
Bytes ExactBytes(std::int64_t rows, std::int64_t cols, std::size_t block_bytes) {
  if (rows >= cols) {
    // Two streams, each a block of rows and its column-major copy: within block_bytes, or
    // 64 MiB when that is larger (qr_path.cpp's kMinBlockBytes); each with panel workspaces of
    // 64 × d.
    const Bytes d = static_cast<Bytes>(cols) + 1.0;
    const Bytes blocks = std::max(static_cast<Bytes>(block_bytes), 64.0 * 1024.0 * 1024.0);
    return 4.0 * 8.0 * d * d + 4.0 * 8.0 * 64.0 * d + blocks;
  }
  const Bytes n = static_cast<Bytes>(rows);
  return 2.0 * 8.0 * n * static_cast<Bytes>(cols) + 8.0 * n * n + static_cast<Bytes>(block_bytes);
}

}  // namespace

std::size_t EstimateRankmeMemory(const MatrixInfo& info, const RankmeOptions& options) {
  const bool subsampled = options.max_samples > 0 && info.rows > options.max_samples;
  const std::int64_t rows = subsampled ? options.max_samples : info.rows;
  const std::int64_t cols = std::max<std::int64_t>(info.cols, 1);
  // The subsample's row list, the singular values and the Gram's eigenvalues.
  Bytes total = 8.0 * static_cast<Bytes>(subsampled ? rows : 0) +
                16.0 * static_cast<Bytes>(std::min(rows, cols));
  const bool single = internal::IsSinglePrecisionSource(info.dtype);
  // The tiers run one after the other: the peak is the largest of those that may run.
  const Bytes gram32 =
      single ? GramBytes(rows, cols, true, subsampled, options.block_bytes, options.centered) : 0.0;
  const Bytes gram64 =
      GramBytes(rows, cols, false, subsampled, options.block_bytes, options.centered);
  const Bytes exact = ExactBytes(rows, cols, options.block_bytes);
  switch (options.method) {
    case RankmeOptions::Method::kGram32:
      total += single ? gram32 : gram64;
      break;
    case RankmeOptions::Method::kGram64:
      total += gram64;
      break;
    case RankmeOptions::Method::kExact:
      total += exact;
      break;
    default:
      total += std::max({gram32, gram64, exact});
      break;
  }
  constexpr Bytes kMax = static_cast<Bytes>(std::numeric_limits<std::size_t>::max() / 2);
  return static_cast<std::size_t>(std::min(total, kMax));
}

std::size_t DefaultMaxMemory() {
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page_size = sysconf(_SC_PAGESIZE);
  if (pages <= 0 || page_size <= 0) return std::size_t{1} << 30;
  return static_cast<std::size_t>(pages) * static_cast<std::size_t>(page_size) / 2;
}

std::string FormatBytes(std::size_t bytes) {
  const double b = static_cast<double>(bytes);
  if (b >= 1e12) return fmt::format("{:.1f} TB", b / 1e12);
  if (b >= 1e9) return fmt::format("{:.1f} GB", b / 1e9);
  if (b >= 1e6) return fmt::format("{:.0f} MB", b / 1e6);
  return fmt::format("{:.0f} kB", b / 1e3);
}

}  // namespace rankme::metrics
