#include "rankme/io/torch_reader.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <vector>

#include "io/tensor_listing_checks.h"
#include "rankme/core/error.h"
#include "rankme/io/tensor_listing.h"
#include "support/temp_dir.h"

namespace rankme::io {
namespace {

using testing::FormatFixture;

TEST_CASE("Torch fixtures match numpy's checksums", "[formats]") {
  const auto manifest = testing::FormatsManifest();
  StreamOptions options;
  options.flatten = true;
  int checked = 0;
  for (const auto& [file, tensors] : manifest.items()) {
    if (file.rfind("torch_", 0) != 0) continue;
    for (const auto& [name, expected] : tensors.items()) {
      INFO(file << "#" << name);
      auto stream = testing::OpenSpec(FormatFixture(file) + "#" + name, options);
      testing::CheckStreamAgainst(*stream, expected, 4);
      ++checked;
    }
  }
  CHECK(checked == 18);
}

TEST_CASE("Torch listing names nested keys and list indices, chains per-batch lists", "[formats]") {
  const auto nested = ListTensors(FormatFixture("torch_nested.pt"));
  std::vector<std::string> names;
  for (const auto& entry : nested) names.push_back(entry.name);
  // feats holds a 5×4 and a 6×3 tensor: widths differ, so they are listed one by one.
  CHECK(names ==
        std::vector<std::string>{"outputs.embeddings", "outputs.logits", "feats.0", "feats.1"});
  CHECK(ChooseDefaultTensor(nested) == "outputs.embeddings");

  const auto batches = ListTensors(FormatFixture("torch_batches.pt"));
  REQUIRE(batches.size() == 1);
  CHECK(batches[0].name.empty());
  CHECK(batches[0].shape == std::vector<std::int64_t>{27, 8});
  CHECK(batches[0].bytes == 27 * 8 * 4);

  const auto single = ListTensors(FormatFixture("torch_tensor_f32.pt"));
  REQUIRE(single.size() == 1);
  CHECK(single[0].name.empty());
  CHECK(testing::OpenSpec(FormatFixture("torch_tensor_f32.pt"), {})->info().rows == 20);
}

TEST_CASE("Torch per-batch list streams rows across batch boundaries", "[formats]") {
  auto stream = testing::OpenSpec(FormatFixture("torch_batches.pt"), {});
  std::vector<double> all(27 * 8), part(6 * 8);
  stream->ReadRows(0, 27, all.data());
  stream->ReadRows(8, 6, part.data());  // rows 8..13 span the first two batches
  CHECK(std::equal(part.begin(), part.end(), all.begin() + 8 * 8));
  stream->ReadRows(21, 6, part.data());  // back and forth
  CHECK(std::equal(part.begin(), part.end(), all.begin() + 21 * 8));
}

TEST_CASE("Torch metadata lists byteorder and version", "[formats]") {
  const auto big = FileMetadata(FormatFixture("torch_big_endian.pt"));
  CHECK(big.at("byteorder") == "big");
  CHECK(big.at("version") == "3");
}

TEST_CASE("Torch rank-3 tensor needs flatten", "[formats]") {
  CHECK_THROWS_AS(testing::OpenSpec(FormatFixture("torch_rank3.pt"), {}), DataError);
}

TEST_CASE("Torch hostile files are refused naming the file, nothing runs", "[formats]") {
  struct Case {
    const char* file;
    const char* message;
  };
  const Case cases[] = {
      {"hostile_os_system.pt",
       "refusing to load global 'os.system' (only tensors and plain containers are allowed)"},
      {"hostile_builtins_eval.pt", "refusing to load global 'builtins.eval'"},
      {"hostile_numpy.pt", "numpy arrays inside a PyTorch file are not supported"},
      {"hostile_legacy.pt",
       "legacy PyTorch format (before 1.6): re-save with torch.save(..., "
       "_use_new_zipfile_serialization=True) in a newer torch"},
      {"hostile_view_past_storage.pt", "tensor view reaches element 15 but its storage"},
      {"hostile_storage_member_short.pt", "declares 64 elements but its member holds 16 bytes"},
      {"hostile_stack_underflow.pt", "no MARK on the stack"},
  };
  std::filesystem::remove("/tmp/rankme_pwned");
  for (const Case& c : cases) {
    INFO(c.file);
    const std::string path = FormatFixture(c.file);
    try {
      testing::OpenSpec(path, {});
      FAIL("no error");
    } catch (const FormatError& e) {
      CHECK(e.path().rfind(path, 0) == 0);
      CHECK_THAT(e.message(), Catch::Contains(c.message));
    }
  }
  CHECK_FALSE(std::filesystem::exists("/tmp/rankme_pwned"));
}

// The real sweep's W&B dumps: torch's own values when python3-torch is installed, otherwise
// shapes and names only.
TEST_CASE("Torch files of the real sweep read as 512×64 float16 (views 256×8×64)", "[formats]") {
  const std::string root = std::string(RANKME_TEST_DATA_DIR) + "/real_sweep_small/wandb";
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    if (entry.path().extension() == ".pt") files.push_back(entry.path().string());
  }
  REQUIRE(files.size() == 6);
  std::string list;
  for (const auto& f : files) list += "'" + f + "',";
  const auto expected = testing::PythonJson(R"(
import json
out = {}
try:
    import torch
except ImportError:
    torch = None
if torch is not None:
    for path in [)" + list + R"(]:
        for name, t in torch.load(path).items():
            a = t.double().numpy().reshape(t.shape[0], -1)
            out[path + '#' + name] = [float(a.sum()), float((a * a).sum()), float(a[-1, -1])]
print(json.dumps(out))
)");
  if (expected.empty()) WARN("python3-torch missing: values of the real .pt files not compared");
  for (const std::string& file : files) {
    const auto entries = ListTensors(file);
    REQUIRE(entries.size() == 4);
    std::vector<std::string> names;
    for (const auto& entry : entries) names.push_back(entry.name);
    std::sort(names.begin(), names.end());
    CHECK(names == std::vector<std::string>{"embeddings", "embeddings_views", "representations",
                                            "representations_views"});
    for (const auto& entry : entries) {
      const std::string spec = file + "#" + entry.name;
      INFO(spec);
      // The views tensors (256 × 8 × 64) read flattened, a row per sample.
      const bool views = entry.name.ends_with("_views");
      StreamOptions options;
      options.flatten = views;
      auto stream = testing::OpenSpec(spec, options);
      CHECK(stream->info().rows == (views ? 256 : 512));
      CHECK(stream->info().cols == (views ? 8 * 64 : 64));
      CHECK(stream->info().dtype == DType::kFloat16);
      if (!expected.contains(spec)) continue;
      std::vector<double> all(static_cast<std::size_t>(stream->info().rows * stream->info().cols));
      stream->ReadRows(0, stream->info().rows, all.data());
      double sum = 0, sum_sq = 0;
      for (double v : all) {
        sum += v;
        sum_sq += v * v;
      }
      const auto& values = expected[spec];
      CHECK(sum == Approx(values[0].get<double>()).margin(1e-9 * (1 + sum_sq)));
      CHECK(sum_sq == Approx(values[1].get<double>()).epsilon(1e-12));
      CHECK(all.back() == values[2].get<double>());
    }
  }
}

TEST_CASE("A .pt replaced at the same path is read again, not served from the last parse",
          "[formats]") {
  namespace fs = std::filesystem;
  testing::TempDir dir;
  const std::string path = dir.File("dump.pt");
  // Two files with an `embeddings` tensor of different shapes: 32 x 8 float16, 14 x 6 float32.
  fs::copy_file(FormatFixture("torch_dict_f16.pt"), path);
  auto first = OpenTorchFile(path, "embeddings", {});
  CHECK(first->info().rows == 32);
  auto again = OpenTorchFile(path, "representations", {});  // the same file: reused
  CHECK(again->info().rows == 32);
  fs::copy_file(FormatFixture("torch_big_endian.pt"), path, fs::copy_options::overwrite_existing);
  auto replaced = OpenTorchFile(path, "embeddings", {});
  CHECK(replaced->info().rows == 14);
  CHECK(replaced->info().cols == 6);
  // The stream opened before the replacement still reads the old bytes (its own descriptor).
  std::vector<double> row(8);
  first->ReadRows(0, 1, row.data());
  CHECK(std::isfinite(row[0]));
}

TEST_CASE("Torch keys that flatten to one name are refused by that name, not scored as one",
          "[formats]") {
  // Regression: {"a.b": t0, "a": {"b": t1}} listed "a.b" twice and opened t0 for both; an int
  // key 1 and a str key "1" counted as one key, so t2 was dropped without a word.
  const std::string path = FormatFixture("hostile_name_collision.pt");
  std::vector<std::string> names;
  for (const auto& entry : ListTensors(path)) names.push_back(entry.name);
  CHECK(names == std::vector<std::string>{"a.b", "x.1", "ok"});  // each name once
  for (const auto& [name, origins] : std::vector<std::pair<std::string, std::string>>{
           {"a.b", "(['a.b'] and ['a']['b'])"}, {"x.1", "(['x'][1] and ['x']['1'])"}}) {
    INFO(name);
    try {
      OpenTorchFile(path, name, {});
      FAIL("opened the ambiguous name " << name);
    } catch (const FormatError& e) {
      CHECK_THAT(e.what(), Catch::StartsWith(path + ": tensor name '" + name + "' is ambiguous"));
      CHECK_THAT(e.what(), Catch::Contains("2 tensors of the pickle flatten to it " + origins));
    }
  }
  auto ok = OpenTorchFile(path, "ok", {});  // the file's other tensors still open
  std::vector<double> row(2);
  ok->ReadRows(0, 1, row.data());
  CHECK(row[0] == 4.0);
}

}  // namespace
}  // namespace rankme::io
