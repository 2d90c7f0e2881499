// OpenTensorStream on strided layouts (torch views, Fortran order, padded rows, negative
// strides), checked against the element address formula evaluated one element at a time.

#include "rankme/io/tensor_stream.h"

#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "rankme/core/error.h"
#include "rankme/io/byte_source.h"

namespace {

using rankme::ByteOrder;
using rankme::DType;
using rankme::io::MemoryByteSource;
using rankme::io::TensorLayout;

// Storage element k holds a small integer, exact in every dtype used here.
std::int64_t StorageValue(std::int64_t k, DType dtype) {
  return dtype == DType::kUInt8 ? k % 251 : k % 97 - 40;
}

// Serialises `count` storage elements of `dtype` in `order`.
std::string Storage(std::int64_t count, DType dtype, ByteOrder order) {
  std::string bytes;
  for (std::int64_t k = 0; k < count; ++k) {
    const std::int64_t v = StorageValue(k, dtype);
    unsigned char raw[8] = {};
    std::size_t size = rankme::DTypeSize(dtype);
    switch (dtype) {
      case DType::kUInt8:
        raw[0] = static_cast<unsigned char>(v);
        break;
      case DType::kInt16: {
        const auto x = static_cast<std::int16_t>(v);
        std::memcpy(raw, &x, 2);
        break;
      }
      case DType::kFloat32: {
        const auto x = static_cast<float>(v);
        std::memcpy(raw, &x, 4);
        break;
      }
      case DType::kFloat64: {
        const auto x = static_cast<double>(v);
        std::memcpy(raw, &x, 8);
        break;
      }
      default:
        FAIL("dtype not used here");
    }
    if (order == ByteOrder::kBig) std::reverse(raw, raw + size);  // this machine is little
    bytes.append(reinterpret_cast<const char*>(raw), size);
  }
  return bytes;
}

// The value at (row, col) of the N × D view, by the definition of strides: col is the C-order
// flat index of the trailing dims.
double Expected(const TensorLayout& layout, std::int64_t row, std::int64_t col) {
  const auto item = static_cast<std::int64_t>(rankme::DTypeSize(layout.dtype));
  std::int64_t element = static_cast<std::int64_t>(layout.offset) / item + row * layout.strides[0];
  for (std::size_t d = layout.shape.size(); d-- > 1;) {
    element += (col % layout.shape[d]) * layout.strides[d];
    col /= layout.shape[d];
  }
  return static_cast<double>(StorageValue(element, layout.dtype));
}

struct StrideCase {
  const char* what;
  std::vector<std::int64_t> shape;
  std::vector<std::int64_t> strides;
  std::int64_t offset_elements;
  std::int64_t storage_elements;
};

const std::vector<StrideCase> kStrideCases = {
    {"C order", {6, 5}, {5, 1}, 0, 30},
    {"Fortran order (transposed view)", {6, 5}, {1, 6}, 0, 30},
    {"Fortran order, many rows", {53, 7}, {1, 53}, 0, 371},
    {"rows padded (slice of wider storage)", {7, 4}, {10, 1}, 3, 73},
    {"every second column", {5, 4}, {9, 2}, 1, 50},
    {"rows reversed", {5, 4}, {-4, 1}, 16, 20},
    {"rows and columns reversed", {4, 3}, {-3, -1}, 11, 12},
    {"column-major with a gap between columns", {8, 3}, {1, 11}, 2, 40},
    {"rank 3 C order", {4, 3, 5}, {15, 5, 1}, 0, 60},
    {"rank 3 Fortran order", {4, 3, 5}, {1, 4, 12}, 0, 60},
    {"rank 3 permuted", {4, 3, 5}, {1, 20, 4}, 0, 60},
    {"rank 3 strided rows", {5, 2, 3}, {9, 1, 2}, 0, 45},
    {"one column, strided", {9, 1}, {3, 1}, 0, 27},
    {"one row, column stride", {1, 6}, {6, 2}, 0, 12},
    {"size-1 middle dim", {6, 1, 4}, {4, 100, 1}, 0, 24},
};

template <typename Out>
void CheckCase(const StrideCase& c, DType dtype, ByteOrder order, std::size_t window,
               std::int64_t block) {
  TensorLayout layout;
  layout.dtype = dtype;
  layout.byte_order = order;
  layout.shape = c.shape;
  layout.strides = c.strides;
  layout.offset = static_cast<std::uint64_t>(c.offset_elements) * rankme::DTypeSize(dtype);
  auto source =
      std::make_shared<MemoryByteSource>(Storage(c.storage_elements, dtype, order), "storage");
  rankme::io::StreamOptions options;
  options.flatten = true;
  options.window_bytes = window;
  auto stream = rankme::io::OpenTensorStream(source, layout, "view", options);
  const std::int64_t rows = stream->info().rows;
  const std::int64_t cols = stream->info().cols;
  REQUIRE(rows == c.shape[0]);
  std::vector<Out> buffer(static_cast<std::size_t>(block * cols));
  for (std::int64_t first = 0; first < rows; first += block) {
    const std::int64_t count = std::min(block, rows - first);
    stream->ReadRows(first, count, buffer.data());
    for (std::int64_t i = 0; i < count; ++i) {
      for (std::int64_t j = 0; j < cols; ++j) {
        INFO(c.what << ", " << rankme::DTypeName(dtype) << ", window " << window << ", block "
                    << block << ", element [" << first + i << ", " << j << "]");
        REQUIRE(static_cast<double>(buffer[static_cast<std::size_t>(i * cols + j)]) ==
                Expected(layout, first + i, j));
      }
    }
  }
}

}  // namespace

TEST_CASE("TensorStream reads strided views element for element", "[io]") {
  const std::vector<std::pair<DType, ByteOrder>> types = {
      {DType::kFloat32, ByteOrder::kLittle},
      {DType::kInt16, ByteOrder::kBig},
      {DType::kUInt8, ByteOrder::kLittle},
      {DType::kFloat64, ByteOrder::kBig},
  };
  for (const StrideCase& c : kStrideCases) {
    for (const auto& [dtype, order] : types) {
      const std::size_t item = rankme::DTypeSize(dtype);
      for (std::size_t window : {std::size_t{8} << 20, std::size_t{1}, 5 * item, 17 * item}) {
        for (std::int64_t block : {std::int64_t{1}, std::int64_t{2}, std::int64_t{3}, c.shape[0]}) {
          CheckCase<float>(c, dtype, order, window, block);
          CheckCase<double>(c, dtype, order, window, block);
        }
      }
    }
  }
}

TEST_CASE("TensorStream reads rows in any order", "[io]") {
  const StrideCase& c = kStrideCases[2];  // Fortran order
  TensorLayout layout{DType::kFloat32, ByteOrder::kLittle, c.shape, c.strides, 0};
  auto source = std::make_shared<MemoryByteSource>(
      Storage(c.storage_elements, DType::kFloat32, ByteOrder::kLittle), "storage");
  auto stream = rankme::io::OpenTensorStream(source, layout, "view", {});
  std::vector<double> row(7);
  for (std::int64_t r : {52, 0, 17, 16, 51}) {
    stream->ReadRows(r, 1, row.data());
    for (std::int64_t j = 0; j < 7; ++j)
      CHECK(row[static_cast<std::size_t>(j)] == Expected(layout, r, j));
  }
}

namespace {

// Runs OpenTensorStream on `layout` over `source_bytes` bytes; returns the error it throws.
template <typename E>
std::string LayoutError(const TensorLayout& layout, std::size_t source_bytes) {
  auto source = std::make_shared<MemoryByteSource>(std::string(source_bytes, '\0'), "bytes");
  try {
    rankme::io::OpenTensorStream(source, layout, "file.bin#t", {});
  } catch (const E& e) {
    CHECK(e.path() == "file.bin#t");
    return e.message();
  } catch (const std::exception& e) {
    FAIL("unexpected exception: " << e.what());
  }
  FAIL("no exception");
  return {};
}

TensorLayout Layout(std::vector<std::int64_t> shape, std::vector<std::int64_t> strides = {},
                    std::uint64_t offset = 0, DType dtype = DType::kFloat32) {
  return TensorLayout{dtype, ByteOrder::kLittle, std::move(shape), std::move(strides), offset};
}

}  // namespace

TEST_CASE("TensorStream refuses layouts that do not fit their bytes", "[io]") {
  using rankme::FormatError;
  CHECK_THAT(LayoutError<FormatError>(Layout({3, -1}), 64),
             Catch::Contains("negative dimension in shape (3, -1)"));
  CHECK_THAT(LayoutError<FormatError>(Layout({1ll << 32, 1ll << 32}), 64),
             Catch::Contains("more elements than 64 bits"));
  CHECK_THAT(LayoutError<FormatError>(Layout({1ll << 31, 1ll << 31}, {}, 0, DType::kFloat64), 64),
             Catch::Contains("more bytes than 64 bits"));
  // (0, 2^40, 2^40) has no elements, but its rows are longer than 64 bits can count
  CHECK_THAT(LayoutError<FormatError>(Layout({0, 1ll << 40, 1ll << 40}), 64),
             Catch::Contains("64 bits"));
  CHECK_THAT(LayoutError<FormatError>(Layout({4, 4}), 63), Catch::Contains("outside"));
  CHECK_THAT(LayoutError<FormatError>(Layout({4, 4}, {}, 4), 64), Catch::Contains("outside"));
  CHECK_THAT(LayoutError<FormatError>(Layout({4, 4}, {-4, 1}), 64), Catch::Contains("outside"));
  CHECK_THAT(LayoutError<FormatError>(Layout({4, 4}, {4}), 64), Catch::Contains("1 strides"));
  CHECK_THAT(LayoutError<FormatError>(Layout({4, 4}, {1ll << 62, 1}), 64),
             Catch::Contains("outside"));
  CHECK_THAT(LayoutError<FormatError>(Layout({1000, 4}, {0, 1}), 64), Catch::Contains("broadcast"));
}

TEST_CASE("TensorStream refuses shapes that are not a matrix, naming them", "[io]") {
  using rankme::DataError;
  CHECK(LayoutError<DataError>(Layout({512}), 4096) ==
        "expected a 2-D N × D matrix, got shape (512,)");
  CHECK(LayoutError<DataError>(Layout({}), 4096) == "expected a 2-D N × D matrix, got shape ()");
  CHECK_THAT(LayoutError<DataError>(Layout({4, 2, 8}), 4096),
             Catch::StartsWith("expected a 2-D N × D matrix, got shape (4, 2, 8)"));
}

TEST_CASE("TensorStream treats an empty tensor as zero rows without checking strides", "[io]") {
  auto source = std::make_shared<MemoryByteSource>(std::string(), "empty");
  auto stream = rankme::io::OpenTensorStream(source, Layout({0, 5}, {1ll << 62, 1}), "e", {});
  CHECK(stream->info().rows == 0);
  CHECK(stream->info().cols == 5);
}

TEST_CASE("FormatShape prints shapes as Python does", "[io]") {
  CHECK(rankme::io::FormatShape({}) == "()");
  CHECK(rankme::io::FormatShape({5}) == "(5,)");
  CHECK(rankme::io::FormatShape({3, 4}) == "(3, 4)");
}

TEST_CASE("SubByteSource reads inside its window and refuses outside", "[io]") {
  auto parent = std::make_shared<MemoryByteSource>("0123456789", "parent");
  rankme::io::SubByteSource sub(parent, 3, 4, "parent:member");
  CHECK(sub.size() == 4);
  CHECK(sub.name() == "parent:member");
  char out[4] = {};
  sub.ReadAt(1, 3, out);
  CHECK(std::string(out, 3) == "456");
  CHECK_THROWS_AS(sub.ReadAt(2, 3, out), rankme::FormatError);
  CHECK_THROWS_AS(sub.ReadAt(~0ull, 2, out), rankme::FormatError);
  CHECK_THROWS_AS(rankme::io::SubByteSource(parent, 7, 4, "x"), rankme::FormatError);
  CHECK_THROWS_AS(rankme::io::SubByteSource(parent, ~0ull, 2, "x"), rankme::FormatError);
}

namespace {

// Runs `body` in a child process; true when the child died of SIGABRT (RANKME_CHECK).
template <typename Body>
bool Aborts(Body body) {
  std::fflush(stdout);  // or the child would print what the parent buffered
  std::fflush(stderr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    // The child must die as rankme would, not through the test framework's handlers.
    std::signal(SIGABRT, SIG_DFL);
    std::freopen("/dev/null", "w", stdout);
    std::freopen("/dev/null", "w", stderr);
    body();
    std::_Exit(0);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
}

}  // namespace

TEST_CASE("TensorStream aborts on a row request outside the matrix", "[io]") {
  auto source = std::make_shared<MemoryByteSource>(std::string(48, '\0'), "m");
  auto stream = rankme::io::OpenTensorStream(source, Layout({4, 3}), "m", {});
  std::vector<float> out(16 * 3);
  CHECK_FALSE(Aborts([&] { stream->ReadRows(0, 4, out.data()); }));
  CHECK(Aborts([&] { stream->ReadRows(0, 0, out.data()); }));
  CHECK(Aborts([&] { stream->ReadRows(3, 2, out.data()); }));
  CHECK(Aborts([&] { stream->ReadRows(-1, 1, out.data()); }));
  CHECK(Aborts([&] { stream->ReadRows(4, 1, out.data()); }));
}
