#include "rankme/io/embedding_reader.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "io/io_test_support.h"
#include "rankme/core/error.h"

namespace {

using rankme::io::OpenEmbeddings;
using rankme::io::SplitEmbeddingSpec;
using rankme::io::testing::NpyBytes;
using rankme::io::testing::TempDir;

// A 2 × 2 float32 .npy holding 1, 2, 3, 4.
std::string SmallNpy() {
  const std::vector<float> values = {1, 2, 3, 4};
  return NpyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }", 1,
                  std::string(reinterpret_cast<const char*>(values.data()), 16));
}

}  // namespace

TEST_CASE("SplitEmbeddingSpec splits at the last '#' unless the spec is a file", "[io]") {
  TempDir dir;
  CHECK(SplitEmbeddingSpec("a.npz").path == "a.npz");
  CHECK(SplitEmbeddingSpec("a.npz").tensor.empty());
  CHECK(SplitEmbeddingSpec("a.npz#emb").path == "a.npz");
  CHECK(SplitEmbeddingSpec("a.npz#emb").tensor == "emb");
  CHECK(SplitEmbeddingSpec("run#3/a.npz#emb").path == "run#3/a.npz");
  CHECK(SplitEmbeddingSpec("run#3/a.npz#emb").tensor == "emb");
  CHECK(SplitEmbeddingSpec("a.npy#").path == "a.npy");
  CHECK(SplitEmbeddingSpec("a.npy#").tensor.empty());
  const std::string with_hash = dir.Write("ep#5.npy", SmallNpy());
  CHECK(SplitEmbeddingSpec(with_hash).path == with_hash);
  CHECK(SplitEmbeddingSpec(with_hash).tensor.empty());
}

TEST_CASE("OpenEmbeddings opens .npy files, also with '#' in the name", "[io]") {
  TempDir dir;
  for (const std::string name : {"plain.npy", "ep#5.npy", "UPPER.NPY"}) {
    INFO(name);
    const std::string path = dir.Write(name, SmallNpy());
    for (const std::string& spec : {path, path + "#"}) {
      auto stream = OpenEmbeddings(spec, {});
      CHECK(stream->info().rows == 2);
      CHECK(stream->info().cols == 2);
      CHECK(stream->info().source == path);
      std::vector<double> values(4);
      stream->ReadRows(0, 2, values.data());
      CHECK(values == std::vector<double>{1, 2, 3, 4});
    }
  }
}

TEST_CASE("OpenEmbeddings refuses a tensor name on a .npy file", "[io]") {
  TempDir dir;
  const std::string path = dir.Write("e.npy", SmallNpy());
  try {
    OpenEmbeddings(path + "#embeddings", {});
    FAIL("no exception");
  } catch (const rankme::UsageError& e) {
    CHECK(e.path() == path);
    CHECK_THAT(e.message(), Catch::Contains("'#embeddings'"));
  }
}

TEST_CASE("OpenEmbeddings names the extension it cannot read", "[io]") {
  TempDir dir;
  const std::string path = dir.Write("e.xyz", "whatever");
  try {
    OpenEmbeddings(path, {});
    FAIL("no exception");
  } catch (const rankme::FormatError& e) {
    CHECK(e.path() == path);
    CHECK_THAT(e.message(), Catch::StartsWith("unsupported file type '.xyz' (supported: .npy"));
  }
  CHECK_THROWS_AS(OpenEmbeddings(dir.Write("noext", "x"), {}), rankme::FormatError);
}

TEST_CASE("OpenEmbeddings reports a missing file as an I/O error", "[io]") {
  TempDir dir;
  CHECK_THROWS_AS(OpenEmbeddings(dir.path() + "/missing.npy", {}), rankme::IoError);
  CHECK_THROWS_AS(OpenEmbeddings(dir.path() + "/missing.npy#t", {}), rankme::IoError);
}
