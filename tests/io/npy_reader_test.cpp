// Every numpy-written fixture of tests/data/npy read through OpenNpy and compared with the
// checksums numpy computed (scripts/make_npy_fixtures.py), for several block sizes and windows.

#include "rankme/io/npy_reader.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "rankme/core/error.h"
#include "rankme/io/byte_source.h"

namespace {

using nlohmann::json;

const std::string kDir = std::string(RANKME_TEST_DATA_DIR) + "/npy/";

json Manifest() {
  std::ifstream in(kDir + "manifest.json");
  REQUIRE(in.good());
  return json::parse(in);
}

struct Sums {
  double sum = 0, sum_sq = 0, weighted = 0;
  std::vector<double> row_sums, col_sums;
};

// Reads the whole matrix in blocks of `block` rows and accumulates what the manifest holds.
template <typename Out>
Sums ReadSums(rankme::RowStream& stream, std::int64_t block, std::vector<double>* all) {
  const auto rows = stream.info().rows;
  const auto cols = stream.info().cols;
  Sums s;
  s.row_sums.assign(static_cast<std::size_t>(rows), 0.0);
  s.col_sums.assign(static_cast<std::size_t>(cols), 0.0);
  std::vector<Out> buffer(static_cast<std::size_t>(block * cols));
  for (std::int64_t first = 0; first < rows; first += block) {
    const std::int64_t count = std::min(block, rows - first);
    stream.ReadRows(first, count, buffer.data());
    for (std::int64_t i = 0; i < count; ++i) {
      for (std::int64_t j = 0; j < cols; ++j) {
        const double v = static_cast<double>(buffer[static_cast<std::size_t>(i * cols + j)]);
        const std::int64_t r = first + i;
        s.sum += v;
        s.sum_sq += v * v;
        s.weighted += v * static_cast<double>(1 + (7 * r + 13 * j) % 101);
        s.row_sums[static_cast<std::size_t>(r)] += v;
        s.col_sums[static_cast<std::size_t>(j)] += v;
        all->push_back(v);
      }
    }
  }
  return s;
}

void CheckClose(double got, double want, double scale, const std::string& what) {
  INFO(what << ": got " << got << ", numpy " << want);
  CHECK(std::abs(got - want) <= 1e-12 * (scale + 1.0));
}

template <typename Out>
void CheckFixture(const std::string& name, const json& entry, std::int64_t block,
                  std::size_t window) {
  INFO(name << " read as " << (sizeof(Out) == 4 ? "float32" : "float64") << ", block " << block
            << ", window " << window);
  rankme::io::StreamOptions options;
  options.window_bytes = window;
  options.flatten = entry["shape"].size() > 2;
  auto stream = rankme::io::OpenNpy(kDir + name, options);
  const auto rows = entry["rows"].get<std::int64_t>();
  const auto cols = entry["cols"].get<std::int64_t>();
  REQUIRE(stream->info().rows == rows);
  REQUIRE(stream->info().cols == cols);
  CHECK(stream->info().shape == entry["shape"].get<std::vector<std::int64_t>>());
  CHECK(rankme::DTypeName(stream->info().dtype) == entry["dtype"].get<std::string>());
  CHECK(stream->info().source == kDir + name);
  if (rows == 0) return;

  std::vector<double> all;
  const Sums got = ReadSums<Out>(*stream, std::min(block, rows), &all);
  const json& want = entry[sizeof(Out) == 4 ? "f32" : "f64"];
  const double sum_abs = want["sum_abs"].get<double>();
  CheckClose(got.sum, want["sum"].get<double>(), sum_abs, "sum");
  CheckClose(got.sum_sq, want["sum_sq"].get<double>(), want["sum_sq"].get<double>(), "sum_sq");
  CheckClose(got.weighted, want["weighted"].get<double>(), 101 * sum_abs, "weighted");
  for (std::size_t r = 0; r < got.row_sums.size(); ++r) {
    CheckClose(got.row_sums[r], want["row_sums"][r].get<double>(), sum_abs,
               "row sum " + std::to_string(r));
  }
  for (std::size_t c = 0; c < got.col_sums.size(); ++c) {
    CheckClose(got.col_sums[c], want["col_sums"][c].get<double>(), sum_abs,
               "column sum " + std::to_string(c));
  }
  for (const json& sample : entry["samples"]) {
    const auto r = sample[0].get<std::int64_t>();
    const auto c = sample[1].get<std::int64_t>();
    const double expected = sample[sizeof(Out) == 4 ? 3 : 2].get<double>();
    INFO("value at [" << r << ", " << c << "]");
    CHECK(all[static_cast<std::size_t>(r * cols + c)] == expected);
  }
}

}  // namespace

TEST_CASE("NpyReader reads every fixture as numpy does, in any block size and window", "[io]") {
  const json manifest = Manifest();
  int checked = 0;
  for (const auto& [name, entry] : manifest.items()) {
    if (!entry.contains("rows")) continue;
    const auto rows = entry["rows"].get<std::int64_t>();
    const auto cols = entry["cols"].get<std::int64_t>();
    const std::size_t item =
        rankme::DTypeSize(*rankme::DTypeFromName(entry["dtype"].get<std::string>()));
    const std::size_t row_bytes = static_cast<std::size_t>(cols) * item;
    // default window; one byte (raised to two elements); less than a row; a few rows
    for (std::size_t window : {std::size_t{8} << 20, std::size_t{1},
                               row_bytes > item ? row_bytes - item : item, 3 * row_bytes + 5}) {
      for (std::int64_t block : {std::int64_t{1}, std::int64_t{4}, std::int64_t{7}, rows}) {
        CheckFixture<float>(name, entry, std::max<std::int64_t>(block, 1), window);
        CheckFixture<double>(name, entry, std::max<std::int64_t>(block, 1), window);
      }
    }
    ++checked;
  }
  CHECK(checked >= 25);
}

TEST_CASE("ReadNpyHeader reports what numpy wrote", "[io]") {
  const json manifest = Manifest();
  for (const auto& [name, entry] : manifest.items()) {
    INFO(name);
    auto source = rankme::io::FileByteSource(rankme::io::File(kDir + name));
    const rankme::io::NpyHeader header = rankme::io::ReadNpyHeader(source);
    CHECK(header.shape == entry["shape"].get<std::vector<std::int64_t>>());
    CHECK(rankme::DTypeName(header.dtype) == entry["dtype"].get<std::string>());
    CHECK(header.descr == entry["descr"].get<std::string>());
    CHECK(header.fortran_order == entry["fortran_order"].get<bool>());
    CHECK(header.major_version == entry["version"][0].get<int>());
    CHECK(header.data_offset % 64 == 0);  // numpy aligns the data
    CHECK(header.data_offset + header.data_bytes == source.size());
    const bool big = entry["descr"].get<std::string>()[0] == '>';
    CHECK((header.byte_order == rankme::ByteOrder::kBig) == big);
  }
}

TEST_CASE("NpyReader refuses a 1-D array naming its shape", "[io]") {
  const std::string path = kDir + "float32_rank1.npy";
  try {
    rankme::io::OpenNpy(path, {});
    FAIL("no exception");
  } catch (const rankme::DataError& e) {
    CHECK(e.path() == path);
    CHECK(e.message() == "expected a 2-D N × D matrix, got shape (512,)");
  }
}

TEST_CASE("NpyReader refuses a 3-D array unless asked to flatten", "[io]") {
  const std::string path = kDir + "float32_rank3.npy";
  try {
    rankme::io::OpenNpy(path, {});
    FAIL("no exception");
  } catch (const rankme::DataError& e) {
    CHECK(e.path() == path);
    CHECK_THAT(e.message(), Catch::Contains("got shape (12, 3, 5)"));
    CHECK_THAT(e.message(), Catch::Contains("12 × 15"));
  }
  rankme::io::StreamOptions options;
  options.flatten = true;
  auto stream = rankme::io::OpenNpy(path, options);
  CHECK(stream->info().rows == 12);
  CHECK(stream->info().cols == 15);
}

TEST_CASE("NpyReader opens an array with zero rows", "[io]") {
  auto stream = rankme::io::OpenNpy(kDir + "float32_empty.npy", {});
  CHECK(stream->info().rows == 0);
  CHECK(stream->info().cols == 8);
}
