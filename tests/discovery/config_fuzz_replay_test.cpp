// Replays every committed fuzz corpus file (tensor formats included: bytes no config parser
// expects) through the config and layout entry points. Under the sanitizer build this is the
// regression suite of fuzz_yaml_config, fuzz_json_config and fuzz_layout.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "../../fuzz/fuzz_discovery_entry_points.h"

namespace rankme::fuzz {
namespace {

using EntryPoint = void (*)(const std::uint8_t*, std::size_t);

int ReplayAll(EntryPoint entry_point) {
  const std::filesystem::path root = std::filesystem::path(RANKME_SOURCE_DIR) / "fuzz" / "corpus";
  int files = 0;
  for (const auto& item : std::filesystem::recursive_directory_iterator(root)) {
    if (!item.is_regular_file()) continue;
    std::ifstream in(item.path(), std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    INFO(item.path().string());
    try {
      entry_point(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    } catch (const Error&) {
      // expected for most inputs
    }
    ++files;
  }
  return files;
}

TEST_CASE("Fuzz corpus replays through the config and layout parsers raising only rankme::Error",
          "[discovery]") {
  for (EntryPoint entry_point : {&FuzzYamlConfig, &FuzzJsonConfig, &FuzzLayout}) {
    CHECK(ReplayAll(entry_point) >= 60);
  }
}

}  // namespace
}  // namespace rankme::fuzz
