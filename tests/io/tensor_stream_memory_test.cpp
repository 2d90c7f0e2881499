// Streaming a ~300 MB file keeps resident memory near the window, for C and Fortran order.

#include <catch2/catch.hpp>
#include <fstream>
#include <string>
#include <vector>

#include "io/io_test_support.h"
#include "rankme/io/byte_source.h"
#include "rankme/io/npy_reader.h"
#include "rankme/io/tensor_stream.h"

namespace {

using rankme::io::testing::NpyBytes;
using rankme::io::testing::TempDir;

constexpr std::int64_t kRows = 76800;
constexpr std::int64_t kCols = 1024;  // 76800 × 1024 float32 = 300 MiB
constexpr std::int64_t kBlock = 1024;

// Element k of the file (row-major index), exact in float32.
float StoredValue(std::int64_t k) { return static_cast<float>(k % 4099) * 0.25f; }

std::int64_t ResidentKiB() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoll(line.substr(6));
  }
  FAIL("no VmRSS in /proc/self/status");
  return 0;
}

std::string WriteLargeNpy(const TempDir& dir) {
  const std::string path = dir.path() + "/large.npy";
  std::ofstream out(path, std::ios::binary);
  out << NpyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (" + std::to_string(kRows) +
                  ", " + std::to_string(kCols) + "), }");
  std::vector<float> chunk(static_cast<std::size_t>(kBlock * kCols));
  for (std::int64_t first = 0; first < kRows; first += kBlock) {
    for (std::int64_t i = 0; i < kBlock * kCols; ++i) {
      chunk[static_cast<std::size_t>(i)] = StoredValue(first * kCols + i);
    }
    out.write(reinterpret_cast<const char*>(chunk.data()),
              static_cast<std::streamsize>(chunk.size() * sizeof(float)));
  }
  REQUIRE(out.good());
  return path;
}

// Streams every row in blocks of kBlock; returns the largest VmRSS growth seen (KiB) and
// counts values that differ from `expected(row, col)`.
template <typename Expected>
std::int64_t StreamAll(rankme::RowStream& stream, std::vector<float>& block, Expected expected,
                       std::int64_t* mismatches) {
  const std::int64_t baseline = ResidentKiB();
  std::int64_t peak = 0;
  for (std::int64_t first = 0; first < kRows; first += kBlock) {
    stream.ReadRows(first, kBlock, block.data());
    for (std::int64_t i = 0; i < kBlock; ++i) {
      for (std::int64_t j = 0; j < kCols; ++j) {
        *mismatches += block[static_cast<std::size_t>(i * kCols + j)] != expected(first + i, j);
      }
    }
    peak = std::max(peak, ResidentKiB() - baseline);
  }
  return peak;
}

}  // namespace

TEST_CASE("TensorStream streams a 300 MB file in bounded memory", "[io]") {
  TempDir dir;
  const std::string path = WriteLargeNpy(dir);
  std::vector<float> block(static_cast<std::size_t>(kBlock * kCols), 1.0f);  // touched
  rankme::io::StreamOptions options;
  options.window_bytes = std::size_t{8} << 20;

  SECTION("C order, through OpenNpy") {
    auto stream = rankme::io::OpenNpy(path, options);
    std::int64_t mismatches = 0;
    const std::int64_t growth = StreamAll(
        *stream, block, [](std::int64_t r, std::int64_t c) { return StoredValue(r * kCols + c); },
        &mismatches);
    INFO("VmRSS grew by " << growth << " KiB");
    CHECK(growth < 64 * 1024);
    CHECK(mismatches == 0);
  }
  SECTION("the same bytes read as Fortran order") {
    auto source = std::make_shared<rankme::io::FileByteSource>(rankme::io::File(path));
    const rankme::io::NpyHeader header = rankme::io::ReadNpyHeader(*source);
    rankme::io::TensorLayout layout = rankme::io::NpyLayout(header);
    layout.strides = {1, kRows};  // column-major: element (r, c) at r + c × N
    auto stream = rankme::io::OpenTensorStream(source, layout, path, options);
    std::int64_t mismatches = 0;
    const std::int64_t growth = StreamAll(
        *stream, block, [](std::int64_t r, std::int64_t c) { return StoredValue(r + c * kRows); },
        &mismatches);
    INFO("VmRSS grew by " << growth << " KiB");
    CHECK(growth < 64 * 1024);
    CHECK(mismatches == 0);
  }
}
