#pragma once

// Module-private: canonical JSON of config values. nlohmann/json stays inside src/discovery.

#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>
#include <string>

namespace rankme::discovery::internal {

/// Canonical text of a double (see ParamValue): integral values below 1e16 as integers, others
/// as Python's repr prints them. Requires a finite value.
std::string FormatNumber(double value);

/// Compact JSON with canonical numbers and sorted object keys.
std::string CanonicalJson(const nlohmann::json& value);

/// A YAML node as JSON, scalars typed as PyYAML/OmegaConf read them (see FlattenYaml).
nlohmann::json YamlToJson(const YAML::Node& node);

/// JSON-quoted string (invalid UTF-8 replaced, never throws).
std::string QuoteJson(const std::string& text);

}  // namespace rankme::discovery::internal
