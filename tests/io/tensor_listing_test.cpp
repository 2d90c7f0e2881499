#include "rankme/io/tensor_listing.h"

#include <catch2/catch.hpp>

#include "io/tensor_listing_checks.h"
#include "rankme/core/error.h"
#include "rankme/io/embedding_reader.h"

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
  CHECK_THROWS_AS(ChooseDefaultTensor({}, "f.npz"), DataError);
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

TEST_CASE("A file of 20000 tensors gets a message of twenty names, not all of them", "[formats]") {
  std::vector<TensorEntry> entries;
  for (int i = 0; i < 20000; ++i) {
    entries.push_back({"a" + std::to_string(i), {2, 2}, DType::kFloat32, 16});
  }
  try {
    ChooseDefaultTensor(entries, "many.npz");
    FAIL("no error");
  } catch (const UsageError& e) {
    const std::string message = e.message();
    CHECK(message.find("holds 20000 tensors") != std::string::npos);
    CHECK(message.find("a19 and 19980 more") != std::string::npos);
    CHECK(message.find("a20,") == std::string::npos);
    CHECK(message.size() < 400);
  }
}

TEST_CASE("ListTensors lists every fixture format and refuses unknown extensions", "[formats]") {
  CHECK(ListTensors(testing::FormatFixture("npz_stored.npz")).size() == 2);
  CHECK(ListTensors(testing::FormatFixture("torch_dict_f16.pt")).size() == 2);
  CHECK(ListTensors(testing::FormatFixture("torch_bf16.pth")).front().dtype == DType::kBFloat16);
  CHECK_THROWS_AS(ListTensors(testing::FormatFixture("manifest.json")), FormatError);
  CHECK_THROWS_AS(ListTensors(testing::FormatFixture("missing.npz")), IoError);
}

TEST_CASE("OpenEmbeddings dispatches .npz, .safetensors, .pt and .pth to their readers",
          "[formats]") {
  const auto manifest = testing::FormatsManifest();
  struct Case {
    const char* spec;
    const char* file;
    const char* name;
  };
  // Without #NAME the default rule applies ("embeddings" preferred).
  const Case cases[] = {
      {"npz_stored.npz", "npz_stored.npz", "embeddings"},
      {"npz_compressed.npz#ints", "npz_compressed.npz", "ints"},
      {"safetensors_mixed.safetensors", "safetensors_mixed.safetensors", "embeddings"},
      {"torch_dict_f16.pt#representations", "torch_dict_f16.pt", "representations"},
      {"torch_bf16.pth", "torch_bf16.pth", "z"},
      {"torch_nested.pt", "torch_nested.pt", "outputs.embeddings"},
  };
  for (const Case& c : cases) {
    INFO(c.spec);
    auto stream = OpenEmbeddings(testing::FormatFixture(c.spec), {});
    testing::CheckStreamAgainst(*stream, manifest[c.file][c.name]);
  }
  CHECK_THROWS_AS(OpenEmbeddings(testing::FormatFixture("torch_views.pt"), {}), UsageError);
  CHECK_THROWS_AS(OpenEmbeddings(testing::FormatFixture("torch_nested.pt#feats.7"), {}),
                  UsageError);
}

}  // namespace
}  // namespace rankme::io
