#pragma once

// What the config and layout fuzz targets do with one input, shared by the libFuzzer targets in
// this folder and by tests/discovery/config_fuzz_replay_test.cpp. Each function may throw only
// rankme::Error subclasses; a broken invariant (a config key that is not valid JSON) aborts.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "discovery/checkpoint_scan_internal.h"
#include "rankme/core/error.h"
#include "rankme/discovery/checkpoint_name.h"
#include "rankme/discovery/config.h"
#include "rankme/discovery/config_key.h"
#include "rankme/discovery/layout.h"

namespace rankme::fuzz {

inline std::string_view Text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

/// Every value that reaches the database or JSON output must read back as strict JSON.
inline void CheckParams(const discovery::ParamMap& params) {
  const std::string key = discovery::ConfigKey(params);
  const auto parsed = nlohmann::json::parse(key, nullptr, false);
  RANKME_CHECK(!parsed.is_discarded());
  RANKME_CHECK(parsed.dump() ==
               parsed.dump(-1, ' ', false, nlohmann::json::error_handler_t::strict));
  for (const auto& [name, value] : params) {
    RANKME_CHECK(!nlohmann::json::parse(value.json, nullptr, false).is_discarded());
    (void)discovery::ParamText(value);
    (void)discovery::ParamNumber(value);
  }
  const auto split =
      discovery::SplitConfig(params, discovery::DefaultSeedKeys(), discovery::DefaultIgnoredKeys());
  (void)discovery::ConfigId(discovery::ConfigKey(split.hyperparameters));
}

/// A YAML config as Hydra, Lightning and W&B files are read, and as Hydra's overrides.yaml.
inline void FuzzYamlConfig(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = Text(data, size);
  try {
    CheckParams(discovery::FlattenYaml(text, {}, "fuzz.yaml"));
  } catch (const Error&) {
  }
  try {
    CheckParams(discovery::FlattenYaml(text, {"value", {"_wandb", "wandb_version"}}, "fuzz.yaml"));
  } catch (const Error&) {
  }
  discovery::ParseOverrides(text, "overrides.yaml");
}

/// A JSON config (solo-learn args.json, config.json).
inline void FuzzJsonConfig(const std::uint8_t* data, std::size_t size) {
  CheckParams(discovery::FlattenJson(Text(data, size), {}, "fuzz.json"));
}

/// The input as a layout file, and its lines as run-relative file paths scanned into
/// checkpoints with that layout (regexes dropped: a user regex's own cost is the user's) and
/// with each built-in one.
inline void FuzzLayout(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = Text(data, size);
  std::vector<std::string> paths;
  for (std::size_t start = 0; start < text.size() && paths.size() < 256;) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    paths.emplace_back(text.substr(start, std::min<std::size_t>(end - start, 4096)));
    start = end + 1;
  }
  for (std::size_t i = 0; i < paths.size(); ++i) {
    (void)discovery::ParseCheckpointName(paths[i]);
    (void)discovery::ParseShardName(paths[i]);
    if (i > 0) {
      const bool less = discovery::NaturalLess(paths[i - 1], paths[i]);
      RANKME_CHECK(!(less && discovery::NaturalLess(paths[i], paths[i - 1])));
    }
  }
  std::vector<discovery::Layout> layouts = discovery::BuiltinLayouts();
  try {
    for (auto layout : discovery::ParseLayouts(text, "fuzz-layout.yaml")) {
      layout.checkpoint_regexes.clear();
      layouts.push_back(std::move(layout));
    }
  } catch (const Error&) {
  }
  for (const auto& layout : layouts) {
    const auto scan = discovery::internal::ScanCheckpoints("/run", paths, layout);
    for (std::size_t i = 1; i < scan.checkpoints.size(); ++i) {
      RANKME_CHECK(
          !discovery::internal::CheckpointLess(scan.checkpoints[i], scan.checkpoints[i - 1]));
    }
  }
}

}  // namespace rankme::fuzz
