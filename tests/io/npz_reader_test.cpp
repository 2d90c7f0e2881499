#include "rankme/io/npz_reader.h"

#include <sys/resource.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdlib>
#include <filesystem>

#include "io/tensor_listing_checks.h"
#include "rankme/core/error.h"
#include "rankme/io/file.h"
#include "rankme/io/tensor_listing.h"
#include "rankme/io/zip_archive.h"
#include "support/temp_dir.h"

namespace rankme::io {
namespace {

using testing::FormatFixture;

std::int64_t PeakRssKiB() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

TEST_CASE("Npz fixtures (stored and deflated) match numpy's checksums", "[formats]") {
  const auto manifest = testing::FormatsManifest();
  for (const char* file : {"npz_stored.npz", "npz_compressed.npz"}) {
    for (const auto& [name, expected] : manifest[file].items()) {
      INFO(file << "#" << name);
      auto stream = testing::OpenSpec(FormatFixture(file) + "#" + name, {});
      testing::CheckStreamAgainst(*stream, expected);
    }
  }
}

TEST_CASE("Npz stored members are CRC-checked windows of the archive, deflated ones inflate",
          "[formats]") {
  auto source = std::make_shared<FileByteSource>(File(FormatFixture("npz_stored.npz")));
  auto archive = ZipArchive::Open(source);
  REQUIRE(archive->members().size() == 2);
  for (const ZipMember& member : archive->members()) {
    CHECK(member.stored);
    CHECK(member.crc.has_value());
    // Read out of order (end first, then a re-read of the start): the skipped bytes are read
    // for the CRC, and the intact member passes it.
    auto bytes = archive->OpenMember(member);
    REQUIRE(bytes->size() == member.size);
    std::string tail(member.size / 2, '\0'), head(member.size - tail.size(), '\0');
    CHECK_NOTHROW(bytes->ReadAt(head.size(), tail.size(), tail.data()));
    CHECK_NOTHROW(bytes->ReadAt(0, head.size(), head.data()));
    CHECK(head + tail == archive->ReadMember(member, member.size));
  }
  auto compressed =
      ZipArchive::Open(std::make_shared<FileByteSource>(File(FormatFixture("npz_compressed.npz"))));
  const ZipMember* member = compressed->Find("embeddings.npy");
  REQUIRE(member != nullptr);
  CHECK_FALSE(member->stored);
  auto bytes = compressed->OpenMember(*member);
  CHECK(dynamic_cast<SubByteSource*>(bytes.get()) == nullptr);
  // Backward reads restart inflation and return the same bytes.
  std::string tail(64, '\0'), head(64, '\0'), again(64, '\0');
  bytes->ReadAt(bytes->size() - 64, 64, tail.data());
  bytes->ReadAt(0, 64, head.data());
  bytes->ReadAt(bytes->size() - 64, 64, again.data());
  CHECK(head.substr(0, 6) == "\x93NUMPY");
  CHECK(tail == again);
  CHECK_THROWS_AS(bytes->ReadAt(bytes->size() - 1, 2, head.data()), FormatError);
}

TEST_CASE("Npz listing names members without .npy and reads only headers", "[formats]") {
  const auto entries = ListTensors(FormatFixture("npz_compressed.npz"));
  REQUIRE(entries.size() == 4);
  CHECK(entries[0].name == "embeddings");
  CHECK(entries[0].shape == std::vector<std::int64_t>{64, 16});
  CHECK(entries[0].bytes == 64 * 16 * 4);
  CHECK(ChooseDefaultTensor(entries) == "embeddings");
  CHECK(FileMetadata(FormatFixture("npz_compressed.npz")).empty());
  CHECK_THROWS_AS(testing::OpenSpec(FormatFixture("npz_compressed.npz#nope"), {}), UsageError);
}

TEST_CASE("Npz of 32 MiB of zeros streams through a bounded window", "[formats]") {
  const std::int64_t before = PeakRssKiB();
  StreamOptions options;
  options.window_bytes = std::size_t{1} << 20;
  auto stream = testing::OpenSpec(FormatFixture("npz_zeros_32mib.npz"), options);
  const MatrixInfo& info = stream->info();
  REQUIRE(info.rows == (1 << 19));
  REQUIRE(info.cols == 16);
  std::vector<float> block(4096 * 16);
  double sum = 0;
  for (std::int64_t first = 0; first < info.rows; first += 4096) {
    stream->ReadRows(first, 4096, block.data());
    for (float v : block) sum += std::abs(v);
  }
  CHECK(sum == 0.0);
  // The member inflates to 32 MiB; holding it would raise the peak by that much.
  CHECK(PeakRssKiB() - before < 16 * 1024);
}

TEST_CASE("Npz zip bomb (declared size beyond deflate's ratio) is refused", "[formats]") {
  const std::string path = FormatFixture("hostile_zip_bomb.npz");
  CHECK_THROWS_WITH(ListTensors(path), Catch::Contains("more than deflate can produce"));
  try {
    testing::OpenSpec(path, {});
    FAIL("no error");
  } catch (const FormatError& e) {
    CHECK(e.path() == path);
  }
}

TEST_CASE("Npz member with a wrong CRC fails when its last byte is read", "[formats]") {
  const std::string path = FormatFixture("hostile_bad_crc.npz");
  auto stream = testing::OpenSpec(path, {});
  std::vector<double> rows(static_cast<std::size_t>(stream->info().rows * stream->info().cols));
  try {
    stream->ReadRows(0, stream->info().rows, rows.data());
    FAIL("no error");
  } catch (const FormatError& e) {
    CHECK(e.path().find(path) == 0);
    CHECK_THAT(e.message(), Catch::Contains("CRC"));
  }
}

TEST_CASE("Npz that is not a zip archive is a FormatError naming it", "[formats]") {
  const std::string path = FormatFixture("hostile_not_a_zip.npz");
  try {
    ListTensors(path);
    FAIL("no error");
  } catch (const FormatError& e) {
    CHECK(e.path() == path);
  }
}

TEST_CASE("An .npz replaced at the same path is read again, not served from the last directory",
          "[formats]") {
  namespace fs = std::filesystem;
  testing::TempDir dir;
  const std::string path = dir.File("dump.npz");
  fs::copy_file(FormatFixture("npz_stored.npz"), path);
  auto first = OpenNpzFile(path, "embeddings", {});
  CHECK(first->info().cols == 16);
  auto again = OpenNpzFile(path, "representations", {});  // the same file: its directory reused
  CHECK(again->info().cols == 8);
  CHECK(ListNpzFile(path).size() == 2);
  fs::copy_file(FormatFixture("npz_compressed.npz"), path, fs::copy_options::overwrite_existing);
  CHECK(ListNpzFile(path).size() == 4);
  auto replaced = OpenNpzFile(path, "fortran", {});
  CHECK(replaced->info().rows == 12);
  CHECK_THROWS_WITH(OpenNpzFile(path, "representations", {}),
                    Catch::Contains("no tensor named 'representations'"));
  // The stream opened before the replacement still reads the old bytes (its own descriptor).
  std::vector<double> row(16);
  first->ReadRows(0, 1, row.data());
  CHECK(std::isfinite(row[0]));
}

TEST_CASE("An .npz naming one array twice is refused, not read as either", "[formats]") {
  // A zip may hold two members of one name; numpy would read one of them, rankme another.
  testing::TempDir dir;
  const std::string path = dir.File("twice.npz");
  const std::string script =
      "import struct, sys, zipfile\n"
      "h = \"{'descr': '<f4', 'fortran_order': False, 'shape': (4, 3), }\"\n"
      "h = h + ' ' * (63 - (10 + len(h)) % 64) + '\\n'\n"
      "z = zipfile.ZipFile(sys.argv[1], 'w')\n"
      "for v in (1.0, 2.0):\n"
      "    data = b'\\x93NUMPY\\x01\\x00' + struct.pack('<H', len(h)) + h.encode()\n"
      "    z.writestr('e.npy', data + struct.pack('<12f', *[v] * 12))\n";
  testing::WriteFile(dir.File("make.py"), script);
  REQUIRE(std::system(("/usr/bin/python3 -W ignore " + dir.File("make.py") + " " + path).c_str()) ==
          0);
  auto source = std::make_shared<FileByteSource>(File(path));
  try {
    ListNpzTensors(source);
    FAIL("listed an archive holding 'e.npy' twice");
  } catch (const FormatError& e) {
    CHECK_THAT(e.what(), Catch::Contains(path));
    CHECK_THAT(e.what(), Catch::Contains("twice") || Catch::Contains("inconsistent"));
  }
  CHECK_THROWS_AS(OpenNpzFile(path, "e", {}), FormatError);
}

}  // namespace
}  // namespace rankme::io
