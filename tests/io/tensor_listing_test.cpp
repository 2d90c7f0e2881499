#include "rankme/io/tensor_listing.h"

#include <catch2/catch.hpp>

#include "io/tensor_listing_checks.h"
#include "rankme/core/error.h"

namespace rankme::io {
namespace {

std::vector<TensorEntry> Named(std::initializer_list<const char*> names) {
  std::vector<TensorEntry> entries;
  for (const char* name : names) entries.push_back({name, {2, 2}, DType::kFloat32, 16});
  return entries;
}

TEST_CASE("ChooseDefaultTensor follows the documented preference order", "[formats]") {
  CHECK(ChooseDefaultTensor(Named({"anything"})) == "anything");
  CHECK(ChooseDefaultTensor(Named({"representations", "embeddings"})) == "embeddings");
  CHECK(ChooseDefaultTensor(Named({"logits", "representations"})) == "representations");
  CHECK(ChooseDefaultTensor(Named({"labels", "feats"})) == "feats");
  CHECK(ChooseDefaultTensor(Named({"labels", "features"})) == "features");
  CHECK(ChooseDefaultTensor(Named({"labels", "z"})) == "z");
  // Full names win over last components; a unique last component is accepted.
  CHECK(ChooseDefaultTensor(Named({"out.embeddings", "representations"})) == "representations");
  CHECK(ChooseDefaultTensor(Named({"out.embeddings", "out.logits"})) == "out.embeddings");
  CHECK_THROWS_AS(ChooseDefaultTensor(Named({"a.embeddings", "b.embeddings"})), UsageError);
  CHECK_THROWS_AS(ChooseDefaultTensor({}, "f.npz"), UsageError);
  try {
    ChooseDefaultTensor(Named({"a", "b"}), "f.npz");
    FAIL("no error");
  } catch (const UsageError& e) {
    CHECK(e.path() == "f.npz");
    CHECK_THAT(e.message(), Catch::Contains("a, b") && Catch::Contains("FILE#NAME"));
  }
}

TEST_CASE("FindTensorEntry lists the names when one is missing", "[formats]") {
  const auto entries = Named({"x", "y"});
  CHECK(FindTensorEntry(entries, "y", "f").name == "y");
  CHECK_THROWS_WITH(FindTensorEntry(entries, "z", "f"), Catch::Contains("x, y"));
}

TEST_CASE("ListTensors lists every fixture format and refuses unknown extensions", "[formats]") {
  CHECK(ListTensors(testing::FormatFixture("npz_stored.npz")).size() == 2);
  CHECK(ListTensors(testing::FormatFixture("torch_dict_f16.pt")).size() == 2);
  CHECK(ListTensors(testing::FormatFixture("torch_bf16.pth")).front().dtype == DType::kBFloat16);
  CHECK_THROWS_AS(ListTensors(testing::FormatFixture("manifest.json")), FormatError);
  CHECK_THROWS_AS(ListTensors(testing::FormatFixture("missing.npz")), IoError);
}

}  // namespace
}  // namespace rankme::io
