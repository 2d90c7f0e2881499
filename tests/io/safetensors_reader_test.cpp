#include "rankme/io/safetensors_reader.h"

#include <catch2/catch.hpp>
#include <filesystem>

#include "io/tensor_listing_checks.h"
#include "rankme/core/error.h"
#include "rankme/io/file.h"
#include "rankme/io/tensor_listing.h"

namespace rankme::io {
namespace {

using testing::FormatFixture;

std::string WithLength(std::uint64_t length, const std::string& rest) {
  std::string bytes(8, '\0');
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>((length >> (8 * i)) & 0xff);
  return bytes + rest;
}

TEST_CASE("Safetensors fixtures match numpy's checksums", "[formats]") {
  const auto manifest = testing::FormatsManifest();
  const std::string file = "safetensors_mixed.safetensors";
  StreamOptions options;
  options.flatten = true;
  for (const auto& [name, expected] : manifest[file].items()) {
    INFO(name);
    auto stream = testing::OpenSpec(FormatFixture(file) + "#" + name, options);
    CHECK(stream->info().source == FormatFixture(file) + "#" + name);
    testing::CheckStreamAgainst(*stream, expected);
  }
}

TEST_CASE("Safetensors listing keeps header order, sizes and metadata", "[formats]") {
  const auto entries = ListTensors(FormatFixture("safetensors_mixed.safetensors"));
  REQUIRE(entries.size() == 6);
  CHECK(entries[0].name == "embeddings");
  CHECK(entries[0].dtype == DType::kFloat16);
  CHECK(entries[0].bytes == 24 * 8 * 2);
  CHECK(entries[1].dtype == DType::kBFloat16);
  CHECK(entries[3].shape == std::vector<std::int64_t>{20, 3, 4});
  const auto metadata = FileMetadata(FormatFixture("safetensors_mixed.safetensors"));
  CHECK(metadata == std::map<std::string, std::string>{{"epoch", "4"}, {"format", "pt"}});
  // No #NAME: "embeddings" is preferred.
  CHECK(ChooseDefaultTensor(entries) == "embeddings");
  CHECK(testing::OpenSpec(FormatFixture("safetensors_mixed.safetensors"), {})->info().cols == 8);
}

TEST_CASE("Safetensors rank-3 tensor is refused unless flattened", "[formats]") {
  CHECK_THROWS_AS(testing::OpenSpec(FormatFixture("safetensors_mixed.safetensors#views"), {}),
                  DataError);
}

TEST_CASE("Safetensors hostile files are refused naming the file", "[formats]") {
  for (const char* name :
       {"hostile_header_2p63.safetensors", "hostile_shape_overflow.safetensors",
        "hostile_offsets_past_end.safetensors", "hostile_offsets_reversed.safetensors",
        "hostile_bad_json.safetensors"}) {
    INFO(name);
    const std::string path = FormatFixture(name);
    try {
      ListTensors(path);
      FAIL("no error");
    } catch (const FormatError& e) {
      CHECK(e.path() == path);
    }
    CHECK_THROWS_AS(testing::OpenSpec(path, {}), FormatError);
  }
}

TEST_CASE("Safetensors header length 2^63 is refused before allocating", "[formats]") {
  MemoryByteSource source(WithLength(std::uint64_t{1} << 63, "{}"), "mem.safetensors");
  CHECK_THROWS_WITH(ReadSafetensorsHeader(source), Catch::Contains("exceeds the file size") &&
                                                       Catch::Contains("9223372036854775808"));
}

TEST_CASE("Safetensors header parser validates each entry", "[formats]") {
  const std::string ok = R"({"a":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]}})";
  const SafetensorsHeader header = ParseSafetensorsHeader(ok, 24, "x");
  REQUIRE(header.tensors.size() == 1);
  CHECK(header.tensors[0].shape == std::vector<std::int64_t>{2, 3});
  CHECK_THROWS_AS(ParseSafetensorsHeader(ok, 23, "x"), FormatError);  // end past data
  const std::vector<std::string> bad = {
      R"([1,2])",
      R"({"a":{"dtype":"F8","shape":[1],"data_offsets":[0,1]}})",
      R"({"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,0]}})",
      R"({"a":{"dtype":"F32","shape":[2,3],"data_offsets":[0,20]}})",
      R"({"a":{"dtype":"F32","shape":[2,3],"data_offsets":[24,0]}})",
      R"({"a":{"dtype":"F32","shape":[2,3],"data_offsets":[0]}})",
      R"({"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,0]}})",
      R"({"a":{"dtype":"F64","shape":[2305843009213693952],"data_offsets":[0,0]}})",
      R"({"a":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}})",
      R"({"__metadata__":[1]})",
      R"({"a":)",
      // two tensors sharing bytes: the second would read the first's values as its own
      R"({"a":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},)"
      R"("b":{"dtype":"F32","shape":[2,3],"data_offsets":[12,36]}})",
      R"({"a":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},)"
      R"("b":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]}})",
  };
  for (const std::string& json : bad) {
    INFO(json);
    CHECK_THROWS_AS(ParseSafetensorsHeader(json, 1 << 20, "x"), FormatError);
  }
  CHECK_THROWS_WITH(
      ParseSafetensorsHeader(R"({"a":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},)"
                             R"("b":{"dtype":"F32","shape":[2,3],"data_offsets":[12,36]}})",
                             48, "x"),
      Catch::Contains("tensors 'a' and 'b' overlap"));
  // A name given twice is refused (JSON parsers silently keep one of the two), at the top level
  // only: the same key in two entries is ordinary.
  CHECK_THROWS_WITH(
      ParseSafetensorsHeader(R"({"a":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},)"
                             R"("a":{"dtype":"F32","shape":[2,3],"data_offsets":[24,48]}})",
                             48, "x"),
      Catch::Contains("names 'a' twice"));
  CHECK_THROWS_WITH(
      ParseSafetensorsHeader(R"({"__metadata__":{"k":"1"},"__metadata__":{"k":"2"}})", 0, "x"),
      Catch::Contains("names '__metadata__' twice"));
  // Empty tensors and adjacent ranges are fine.
  CHECK(ParseSafetensorsHeader(R"({"a":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},)"
                               R"("b":{"dtype":"F32","shape":[0,3],"data_offsets":[24,24]},)"
                               R"("c":{"dtype":"F32","shape":[1,3],"data_offsets":[24,36]}})",
                               36, "x")
            .tensors.size() == 3);
}

TEST_CASE("Safetensors header nested 200000 deep in __metadata__ is refused, not a crash",
          "[formats]") {
  const std::string entry = R"("e":{"dtype":"F32","shape":[10,4],"data_offsets":[0,160]})";
  for (const char* open_close : {"[]", "{}"}) {
    std::string nested;
    for (int i = 0; i < 200000; ++i) {
      nested += open_close[0];
      if (open_close[0] == '{') nested += R"("k":)";
    }
    nested += "1";
    nested += std::string(200000, open_close[1]);
    const std::string json = R"({"__metadata__":{"a":)" + nested + "}," + entry + "}";
    CHECK_THROWS_WITH(ParseSafetensorsHeader(json, 160, "d.safetensors"),
                      Catch::Contains("nests deeper than 64 levels"));
  }
  // Within the bound, a nested (non-standard) metadata value is kept as JSON text.
  const std::string shallow = R"({"__metadata__":{"a":[[1]]},)" + entry + "}";
  CHECK(ParseSafetensorsHeader(shallow, 160, "x").metadata.at("a") == "[[1]]");
}

TEST_CASE("Safetensors file holding no tensor is bad data (exit 2), not a usage error",
          "[formats]") {
  MemoryByteSource source(WithLength(2, "{}"), "empty.safetensors");
  const std::vector<TensorEntry> entries = SafetensorsEntries(ReadSafetensorsHeader(source));
  CHECK(entries.empty());
  try {
    ChooseDefaultTensor(entries, "empty.safetensors");
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.exit_code() == ExitCode::kBadInput);
    CHECK(e.path() == "empty.safetensors");
  }
}

// The real sweep's Lightning dumps, checked against a hand-written numpy parser.
TEST_CASE("Safetensors files of the real sweep match an independent numpy parse", "[formats]") {
  const std::string root = std::string(RANKME_TEST_DATA_DIR) + "/real_sweep_small/lightning_logs";
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    if (entry.path().extension() == ".safetensors") files.push_back(entry.path().string());
  }
  REQUIRE(files.size() == 6);
  std::string list;
  for (const auto& f : files) list += "'" + f + "',";
  const auto expected = testing::PythonJson(R"(
import json, struct, numpy as np
out = {}
for path in [)" + list + R"(]:
    raw = open(path, 'rb').read()
    n = struct.unpack('<Q', raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    for name, e in header.items():
        if name == '__metadata__': continue
        b, end = e['data_offsets']
        a = np.frombuffer(raw[8 + n + b:8 + n + end], dtype={'F16': '<f2', 'F32': '<f4'}[e['dtype']])
        a = a.reshape(e['shape'][0], -1).astype(np.float64)
        out[path + '#' + name] = [list(e['shape']), float(a.sum()), float((a * a).sum()), float(a[-1, -1])]
print(json.dumps(out))
)");
  // embeddings and representations (512 × 64), and their views (256 × 8 × 64, read flattened).
  REQUIRE(expected.size() == 24);
  for (const auto& [spec, values] : expected.items()) {
    INFO(spec);
    const bool views = spec.ends_with("_views");
    StreamOptions options;
    options.flatten = views;
    auto stream = testing::OpenSpec(spec, options);
    const MatrixInfo& info = stream->info();
    CHECK(info.rows == (views ? 256 : 512));
    CHECK(info.cols == (views ? 8 * 64 : 64));
    CHECK(info.dtype == DType::kFloat16);
    std::vector<double> all(static_cast<std::size_t>(info.rows * info.cols));
    stream->ReadRows(0, info.rows, all.data());
    double sum = 0, sum_sq = 0;
    for (double v : all) {
      sum += v;
      sum_sq += v * v;
    }
    CHECK(sum == Approx(values[1].get<double>()).margin(1e-9 * (1 + sum_sq)));
    CHECK(sum_sq == Approx(values[2].get<double>()).epsilon(1e-12));
    CHECK(all.back() == values[3].get<double>());
  }
}

}  // namespace
}  // namespace rankme::io
