// ParseNpyHeader on valid spellings, and OpenNpy on corrupt or hostile files.

#include <catch2/catch.hpp>
#include <cstring>
#include <string>
#include <vector>

#include "io/io_test_support.h"
#include "rankme/core/error.h"
#include "rankme/io/byte_source.h"
#include "rankme/io/npy_reader.h"

namespace {

using rankme::ByteOrder;
using rankme::DType;
using rankme::io::NpyHeader;
using rankme::io::ParseNpyHeader;
using rankme::io::testing::NpyBytes;
using rankme::io::testing::TempDir;

NpyHeader Parse(const std::string& dict, int major = 1) {
  return ParseNpyHeader(NpyBytes(dict, major), "test.npy");
}

}  // namespace

TEST_CASE("ParseNpyHeader accepts every spelling numpy and Python allow", "[io]") {
  const NpyHeader a = Parse("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }");
  CHECK(a.dtype == DType::kFloat32);
  CHECK(a.byte_order == ByteOrder::kLittle);
  CHECK_FALSE(a.fortran_order);
  CHECK(a.shape == std::vector<std::int64_t>{3, 4});
  CHECK(a.data_offset ==
        NpyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }").size());
  CHECK(a.element_count == 12);
  CHECK(a.data_bytes == 48);

  const NpyHeader b = Parse("{ \"shape\":(5,),\"fortran_order\" : True ,\"descr\":'>f8'}", 2);
  CHECK(b.dtype == DType::kFloat64);
  CHECK(b.byte_order == ByteOrder::kBig);
  CHECK(b.fortran_order);
  CHECK(b.shape == std::vector<std::int64_t>{5});
  CHECK(b.major_version == 2);
  CHECK(b.data_offset % 64 == 0);

  const NpyHeader c = Parse("{'descr':'|u1','fortran_order':False,'shape':()}", 3);
  CHECK(c.dtype == DType::kUInt8);
  CHECK(c.shape.empty());
  CHECK(c.element_count == 1);

  // Python 2 numpy wrote long integers with an L suffix.
  CHECK(Parse("{'descr': '<i8', 'fortran_order': False, 'shape': (2L, 3L), }").shape ==
        std::vector<std::int64_t>{2, 3});
  CHECK(Parse("{'descr': '=i2', 'fortran_order': False, 'shape': (0, 7)}").element_count == 0);
}

TEST_CASE("ParseNpyHeader maps each numeric descr to its dtype", "[io]") {
  const std::vector<std::pair<std::string, DType>> cases = {
      {"<f2", DType::kFloat16}, {"<f4", DType::kFloat32}, {"<f8", DType::kFloat64},
      {">f4", DType::kFloat32}, {"|u1", DType::kUInt8},   {"|i1", DType::kInt8},
      {"<i2", DType::kInt16},   {"<i4", DType::kInt32},   {"<i8", DType::kInt64},
      {"<u2", DType::kUInt16},  {"<u4", DType::kUInt32},  {">u8", DType::kUInt64},
      {"|b1", DType::kBool},    {"=f4", DType::kFloat32},
  };
  for (const auto& [descr, dtype] : cases) {
    INFO(descr);
    const NpyHeader h =
        Parse("{'descr': '" + descr + "', 'fortran_order': False, 'shape': (1, 1)}");
    CHECK(h.dtype == dtype);
    CHECK(h.descr == descr);
    CHECK(h.byte_order == (descr[0] == '>' ? ByteOrder::kBig : ByteOrder::kLittle));
  }
}

namespace {

struct HostileCase {
  const char* what;
  std::string bytes;
  const char* message_part;  ///< a part of the message the error must carry
  bool data_error = false;   ///< DataError rather than FormatError
};

std::string Dict(const std::string& descr, const std::string& shape,
                 const std::string& fortran = "False") {
  return "{'descr': " + descr + ", 'fortran_order': " + fortran + ", 'shape': " + shape + ", }";
}

std::string WithLength(std::string bytes, std::uint32_t length, int major = 1) {
  bytes[8] = static_cast<char>(length & 0xFF);
  bytes[9] = static_cast<char>((length >> 8) & 0xFF);
  if (major != 1) {
    bytes[10] = static_cast<char>((length >> 16) & 0xFF);
    bytes[11] = static_cast<char>(length >> 24);
  }
  return bytes;
}

std::vector<HostileCase> HostileCases() {
  const std::string data(1280, '\0');
  const std::string valid = NpyBytes(Dict("'<f4'", "(4, 4)"), 1, std::string(64, '\0'));
  std::string wrong_magic = valid;
  wrong_magic[5] = 'Z';
  std::string version = valid;
  version[6] = 9;
  version[7] = 9;
  std::string nested = "{'descr': ";
  for (int i = 0; i < 5000; ++i) nested += "[";
  return {
      {"empty file", "", "no \\x93NUMPY magic"},
      {"wrong magic", wrong_magic, "not a .npy file"},
      {"truncated before the header length", valid.substr(0, 9), "ends inside the header length"},
      {"version 9.9", version, "unsupported .npy format version 9.9"},
      {"header length longer than the file", WithLength(valid, 5000), "needs 5010 bytes"},
      {"header length over the limit",
       WithLength(NpyBytes(Dict("'<f4'", "(1, 1)"), 2), 0xFFFFFFF0u, 2), "exceeds the limit"},
      {"header length zero", WithLength(valid, 0), "expected a value"},
      {"header without shape", NpyBytes("{'descr': '<f4', 'fortran_order': False}"),
       "no 'shape' key"},
      {"header without descr", NpyBytes("{'fortran_order': False, 'shape': (1, 1)}"),
       "no 'descr' key"},
      {"unknown key", NpyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1), 'x': 1}"),
       "unexpected key 'x'"},
      {"duplicate key",
       NpyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1), 'shape': (2, 2)}"),
       "appears twice"},
      {"shape larger than the data", NpyBytes(Dict("'<f4'", "(1000, 64)"), 1, data),
       "shape (1000, 64) float32 needs 256000 bytes of data but the file has 1280 after its "
       "header"},
      {"negative dim", NpyBytes(Dict("'<f4'", "(-1, 4)"), 1, data),
       "negative dimension in shape (-1, 4)"},
      {"shape product overflowing 64 bits", NpyBytes(Dict("'<f4'", "(4294967296, 4294967296)")),
       "more elements than 64 bits"},
      {"byte size overflowing 64 bits", NpyBytes(Dict("'<f8'", "(2147483648, 2147483648)")),
       "more bytes than 64 bits"},
      {"dim beyond 64 bits", NpyBytes(Dict("'<f4'", "(99999999999999999999, 1)")),
       "does not fit in 64 bits"},
      {"bad dtype string", NpyBytes(Dict("'<x4'", "(2, 2)"), 1, data), "unsupported dtype '<x4'"},
      {"dtype by name", NpyBytes(Dict("'float32'", "(2, 2)"), 1, data),
       "unsupported dtype 'float32'"},
      {"object dtype", NpyBytes(Dict("'|O'", "(2, 2)"), 1, data),
       "unsupported dtype '|O' (Python objects)"},
      {"complex dtype", NpyBytes(Dict("'<c8'", "(2, 2)"), 1, data),
       "unsupported dtype '<c8' (complex64)"},
      {"datetime dtype", NpyBytes(Dict("'<M8[ns]'", "(2, 2)"), 1, data), "(datetime64)"},
      {"string dtype", NpyBytes(Dict("'<U8'", "(2, 2)"), 1, data), "(unicode strings)"},
      {"long double", NpyBytes(Dict("'<f16'", "(2, 2)"), 1, data), "(float128 / longdouble)"},
      {"structured descr", NpyBytes(Dict("[('a', '<f4'), ('b', '<i4', (2,))]", "(5,)")),
       "unsupported structured dtype [('a', '<f4'), ('b', '<i4', (2,))]"},
      {"unterminated dict", NpyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), "),
       "expected a value"},
      {"unterminated string", NpyBytes("{'descr': '<f4"), "unterminated string"},
      {"missing comma", NpyBytes("{'descr': '<f4' 'fortran_order': False, 'shape': (1, 1)}"),
       "expected ',' or '}'"},
      {"fortran_order not a bool", NpyBytes(Dict("'<f4'", "(1, 1)", "0")), "not True or False"},
      {"shape not a tuple", NpyBytes(Dict("'<f4'", "[1, 1]")), "'shape' is not a tuple"},
      {"shape holding a float", NpyBytes(Dict("'<f4'", "(1, 2.5)")), "expected ','"},
      {"shape holding a string", NpyBytes(Dict("'<f4'", "(1, '2')")), "holds a non-integer"},
      {"one-tuple without comma", NpyBytes(Dict("'<f4'", "(5)")), "one-element tuple"},
      {"not a dict", NpyBytes("('descr', '<f4')"), "not a dict"},
      {"text after the dict", NpyBytes(Dict("'<f4'", "(1, 1)") + " x"), "unexpected text"},
      {"nesting bomb", NpyBytes(nested), "nested too deeply"},
      {"rank 1", NpyBytes(Dict("'<f4'", "(16,)"), 1, std::string(64, '\0')),
       "expected a 2-D N × D matrix, got shape (16,)", true},
      {"rank 0", NpyBytes(Dict("'<f4'", "()"), 1, std::string(4, '\0')), "got shape ()", true},
  };
}

}  // namespace

TEST_CASE("NpyReader refuses corrupt and hostile files with an error naming the file", "[io]") {
  TempDir dir;
  int index = 0;
  for (const HostileCase& c : HostileCases()) {
    INFO(c.what);
    const std::string path = dir.Write("case" + std::to_string(index++) + ".npy", c.bytes);
    try {
      rankme::io::OpenNpy(path, {});
      FAIL("no exception");
    } catch (const rankme::Error& e) {
      CHECK(e.path() == path);
      CHECK_THAT(e.what(), Catch::Contains(path));
      CHECK_THAT(e.message(), Catch::Contains(c.message_part));
      if (c.data_error) {
        CHECK(dynamic_cast<const rankme::DataError*>(&e) != nullptr);
      } else {
        CHECK(dynamic_cast<const rankme::FormatError*>(&e) != nullptr);
      }
    }
  }
}

TEST_CASE("NpyReader accepts trailing bytes after the data", "[io]") {
  TempDir dir;
  std::string data(2 * 3 * 4 + 17, '\x01');
  const float one = 1.5f;
  std::memcpy(data.data(), &one, 4);
  const std::string path = dir.Write("t.npy", NpyBytes(Dict("'<f4'", "(2, 3)"), 1, data));
  auto stream = rankme::io::OpenNpy(path, {});
  float first = 0;
  std::vector<float> rows(6);
  stream->ReadRows(0, 2, rows.data());
  first = rows[0];
  CHECK(first == 1.5f);
}

TEST_CASE("NpyReader errors on a stored member name the member, not the archive", "[io]") {
  auto archive = std::make_shared<rankme::io::MemoryByteSource>(
      "junk" + NpyBytes(Dict("'<c8'", "(2, 2)"), 1, std::string(32, '\0')), "a.npz");
  auto member =
      std::make_shared<rankme::io::SubByteSource>(archive, 4, archive->size() - 4, "a.npz:emb.npy");
  try {
    rankme::io::OpenNpySource(member, "a.npz#emb", {});
    FAIL("no exception");
  } catch (const rankme::FormatError& e) {
    CHECK(e.path() == "a.npz#emb");
    CHECK(e.message() == "unsupported dtype '<c8' (complex64)");
  }
}

namespace {

std::uint64_t SplitMix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// Opens `bytes` as a .npy and reads every row; lets only rankme::Error escape.
void OpenAndRead(const std::string& bytes) {
  auto source = std::make_shared<rankme::io::MemoryByteSource>(bytes, "fuzz.npy");
  rankme::io::StreamOptions options;
  options.flatten = true;
  options.window_bytes = 24;
  auto stream = rankme::io::OpenNpySource(source, "fuzz.npy", options);
  const auto& info = stream->info();
  // The opener checked the data fits in the bytes, so this allocation is bounded by them.
  REQUIRE(static_cast<std::uint64_t>(info.cols) <= bytes.size() + 1);
  std::vector<double> row(static_cast<std::size_t>(info.cols));
  for (std::int64_t r = 0; r < info.rows && info.cols > 0; ++r) stream->ReadRows(r, 1, row.data());
}

}  // namespace

TEST_CASE("NpyReader survives 2000 mutated headers with only rankme errors", "[io]") {
  const std::vector<std::string> seeds = {
      NpyBytes(Dict("'<f4'", "(3, 4)"), 1, std::string(48, '\x3f')),
      NpyBytes(Dict("'>f8'", "(2, 3)", "True"), 2, std::string(48, '\x40')),
      NpyBytes(Dict("'<f2'", "(2, 2, 2)"), 3, std::string(16, '\x3c')),
  };
  std::uint64_t state = 42;
  int opened = 0;
  int refused = 0;
  for (int iteration = 0; iteration < 2000; ++iteration) {
    std::string bytes = seeds[static_cast<std::size_t>(iteration) % seeds.size()];
    const std::uint64_t draw = SplitMix64(state);
    const int mutations = draw % 2 == 0 ? 1 : 1 + static_cast<int>((draw >> 1) % 4);
    for (int m = 0; m < mutations && !bytes.empty(); ++m) {
      const std::uint64_t r = SplitMix64(state);
      // Mutate mostly the prefix and header, where the parser looks; sometimes anywhere.
      const std::size_t span =
          (r >> 60) < 12 ? std::min<std::size_t>(bytes.size(), 80) : bytes.size();
      const std::size_t at = static_cast<std::size_t>(r >> 8) % span;
      switch (r % 6) {
        case 0:
          bytes[at] = static_cast<char>(SplitMix64(state));
          break;
        case 1:
          bytes.resize(static_cast<std::size_t>(SplitMix64(state) % bytes.size()));
          break;
        case 2:
          bytes.erase(at, 1);
          break;
        case 3:
          bytes.insert(at, 1, "(),:'0123456789-L[]{} \n"[SplitMix64(state) % 23]);
          break;
        case 4:
          bytes[at] = static_cast<char>(bytes[at] ^ (1 << (SplitMix64(state) % 8)));
          break;
        case 5:
          if (bytes.size() > 9)
            bytes[8 + SplitMix64(state) % 2] = static_cast<char>(SplitMix64(state));
          break;
      }
    }
    INFO("iteration " << iteration);
    try {
      rankme::io::ParseNpyHeader(bytes, "fuzz.npy");
    } catch (const rankme::Error& e) {
      CHECK(e.path() == "fuzz.npy");
    }
    try {
      OpenAndRead(bytes);
      ++opened;
    } catch (const rankme::Error& e) {
      CHECK(e.path() == "fuzz.npy");
      ++refused;
    }
  }
  INFO("opened " << opened << ", refused " << refused);
  // Both outcomes occur, so the loop exercises the parser and the reader.
  CHECK(opened > 40);
  CHECK(refused > 1000);
}
