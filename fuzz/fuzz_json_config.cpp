// libFuzzer target: see FuzzJsonConfig in fuzz_discovery_entry_points.h.
#include "fuzz_discovery_entry_points.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    rankme::fuzz::FuzzJsonConfig(data, size);
  } catch (const rankme::Error&) {
  }
  return 0;
}
