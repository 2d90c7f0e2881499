// Replays every committed fuzz corpus file through every parser entry point. Run under the
// sanitizer build (RANKME_SANITIZE=ON) this is the fuzzers' regression suite: only rankme::Error
// may escape, and nothing may read out of bounds, leak or overflow.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "../../fuzz/fuzz_entry_points.h"
#include "rankme/core/error.h"

namespace rankme::fuzz {
namespace {

using EntryPoint = void (*)(const std::uint8_t*, std::size_t);

void ReplayAll(EntryPoint entry_point, int* files) {
  const std::filesystem::path root = std::filesystem::path(RANKME_SOURCE_DIR) / "fuzz" / "corpus";
  for (const auto& item : std::filesystem::recursive_directory_iterator(root)) {
    if (!item.is_regular_file()) continue;
    std::ifstream in(item.path(), std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    INFO(item.path().string());
    try {
      entry_point(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    } catch (const Error&) {
      // expected for most inputs fed to the wrong parser
    }
    ++*files;
  }
}

TEST_CASE("Fuzz corpus replays through every parser raising only rankme::Error", "[formats]") {
  for (EntryPoint entry_point : {&FuzzNpy, &FuzzSafetensors, &FuzzZip, &FuzzPickle}) {
    int files = 0;
    ReplayAll(entry_point, &files);
    CHECK(files >= 40);
  }
}

}  // namespace
}  // namespace rankme::fuzz
