#include "rankme/discovery/config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <regex>

#include "discovery/config_internal.h"
#include "rankme/core/error.h"
#include "rankme/discovery/config_key.h"

namespace rankme::discovery {
namespace internal {

std::string FormatNumber(double value) {
  if (value == 0) return "0";  // also -0
  if (std::trunc(value) == value && std::fabs(value) < 1e16) {
    return std::to_string(static_cast<std::int64_t>(value));
  }
  // Shortest round-trip digits, laid out as Python's repr does: fixed notation when the decimal
  // point falls within -4 < point <= 16, else d.ddde-XX with at least two exponent digits.
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, std::fabs(value),
                                    std::chars_format::scientific);
  const std::string text(buffer, result.ptr);
  const std::size_t e = text.find('e');
  std::string digits = text.substr(0, e);
  digits.erase(std::remove(digits.begin(), digits.end(), '.'), digits.end());
  const int point = std::stoi(text.substr(e + 1)) + 1;
  std::string out;
  if (value < 0) out.push_back('-');
  if (point > -4 && point <= 16) {
    if (point <= 0) {
      out.append("0.").append(static_cast<std::size_t>(-point), '0').append(digits);
    } else {
      out.append(digits, 0, static_cast<std::size_t>(point))
          .append(".")
          .append(digits, static_cast<std::size_t>(point));
    }
    return out;
  }
  out.push_back(digits[0]);
  if (digits.size() > 1) out.append(".").append(digits, 1);
  char exponent[16];
  std::snprintf(exponent, sizeof exponent, "e%+03d", point - 1);
  return out.append(exponent);
}

std::string QuoteJson(const std::string& text) {
  return nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string CanonicalJson(const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::object: {
      std::string out = "{";
      for (auto it = value.begin(); it != value.end(); ++it) {  // std::map: sorted keys
        if (out.size() > 1) out += ',';
        out += QuoteJson(it.key()) + ':' + CanonicalJson(it.value());
      }
      return out + '}';
    }
    case nlohmann::json::value_t::array: {
      std::string out = "[";
      for (const auto& item : value) {
        if (out.size() > 1) out += ',';
        out += CanonicalJson(item);
      }
      return out + ']';
    }
    case nlohmann::json::value_t::number_float:
      return std::isfinite(value.get<double>()) ? FormatNumber(value.get<double>()) : "null";
    case nlohmann::json::value_t::string:
      return QuoteJson(value.get<std::string>());
    default:  // null, bool, integers
      return value.dump();
  }
}

}  // namespace internal

namespace {

using nlohmann::json;

const std::regex& FloatPattern() {
  static const std::regex pattern(R"([-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?)");
  return pattern;
}

json ParseInteger(const std::string& text) {
  std::string digits = text;
  if (!digits.empty() && digits[0] == '+') digits.erase(0, 1);
  std::int64_t value = 0;
  const auto result = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (result.ec == std::errc() && result.ptr == digits.data() + digits.size()) return value;
  return std::strtod(text.c_str(), nullptr);  // beyond int64: read as a double
}

/// Resolves a plain (untagged, unquoted) YAML scalar the way PyYAML/OmegaConf read it.
json ResolvePlainScalar(const std::string& text) {
  static const std::regex null_pattern("~|null|Null|NULL|");
  static const std::regex true_pattern("true|True|TRUE|yes|Yes|YES|on|On|ON");
  static const std::regex false_pattern("false|False|FALSE|no|No|NO|off|Off|OFF");
  static const std::regex int_pattern("[-+]?[0-9]+");
  static const std::regex hex_pattern("0x[0-9a-fA-F]+");
  if (std::regex_match(text, null_pattern)) return nullptr;
  if (std::regex_match(text, true_pattern)) return true;
  if (std::regex_match(text, false_pattern)) return false;
  if (std::regex_match(text, int_pattern)) return ParseInteger(text);
  if (std::regex_match(text, hex_pattern)) {
    std::uint64_t value = 0;
    const auto result = std::from_chars(text.data() + 2, text.data() + text.size(), value, 16);
    if (result.ec == std::errc() && value <= static_cast<std::uint64_t>(INT64_MAX)) {
      return static_cast<std::int64_t>(value);
    }
    return text;
  }
  if (std::regex_match(text, FloatPattern())) {
    const double value = std::strtod(text.c_str(), nullptr);
    if (std::isfinite(value)) return value;
  }
  return text;  // includes .inf / .nan: JSON cannot hold them
}

json ScalarToJson(const YAML::Node& node) {
  const std::string& text = node.Scalar();
  const std::string& tag = node.Tag();
  if (tag == "!" || tag == "tag:yaml.org,2002:str") return text;  // quoted or explicit string
  if (tag == "tag:yaml.org,2002:null") return nullptr;
  return ResolvePlainScalar(text);  // plain, or a tag (!!int, !!float, !!python/...) to ignore
}

}  // namespace

json internal::YamlToJson(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Scalar:
      return ScalarToJson(node);
    case YAML::NodeType::Sequence: {
      json out = json::array();
      for (const auto& item : node) out.push_back(internal::YamlToJson(item));
      return out;
    }
    case YAML::NodeType::Map: {
      json out = json::object();
      for (const auto& entry : node) {
        const std::string key =
            entry.first.IsScalar() ? entry.first.Scalar() : YAML::Dump(entry.first);
        out[key] = internal::YamlToJson(entry.second);
      }
      return out;
    }
    default:  // Null, Undefined
      return nullptr;
  }
}

namespace {

ParamValue ToParamValue(const json& value) {
  using Kind = ParamValue::Kind;
  Kind kind = Kind::kNull;
  switch (value.type()) {
    case json::value_t::boolean:
      kind = Kind::kBool;
      break;
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float:
      kind = std::isfinite(value.get<double>()) ? Kind::kNumber : Kind::kNull;
      break;
    case json::value_t::string:
      kind = Kind::kString;
      break;
    case json::value_t::array:
      kind = Kind::kList;
      break;
    case json::value_t::object:
      kind = Kind::kObject;
      break;
    default:
      break;
  }
  return ParamValue{kind, internal::CanonicalJson(value)};
}

void Flatten(const json& node, const std::string& prefix, ParamMap& out) {
  for (auto it = node.begin(); it != node.end(); ++it) {
    const std::string key = prefix.empty() ? it.key() : prefix + "." + it.key();
    if (it.value().is_object() && !it.value().empty()) {
      Flatten(it.value(), key, out);
    } else {
      out[key] = ToParamValue(it.value());
    }
  }
}

ParamMap FlattenDocument(json document, const FlattenOptions& options, std::string_view source) {
  if (document.is_null()) return {};
  if (!document.is_object()) {
    throw ConfigError("the config's top level is not a map of keys", std::string(source));
  }
  json reduced = json::object();
  for (auto it = document.begin(); it != document.end(); ++it) {
    bool dropped = false;
    for (const auto& pattern : options.drop_keys) dropped |= MatchesKeyPattern(pattern, it.key());
    if (dropped) continue;
    const json& value = it.value();
    if (!options.unwrap_key.empty() && value.is_object() && value.contains(options.unwrap_key)) {
      reduced[it.key()] = value.at(options.unwrap_key);
    } else {
      reduced[it.key()] = value;
    }
  }
  ParamMap out;
  Flatten(reduced, "", out);
  return out;
}

}  // namespace

ParamMap FlattenYaml(std::string_view text, const FlattenOptions& options,
                     std::string_view source) {
  json document;
  try {
    document = internal::YamlToJson(YAML::Load(std::string(text)));
  } catch (const YAML::Exception& e) {
    throw ConfigError(std::string("invalid YAML: ") + e.what(), std::string(source));
  }
  return FlattenDocument(std::move(document), options, source);
}

ParamMap FlattenJson(std::string_view text, const FlattenOptions& options,
                     std::string_view source) {
  json document;
  try {
    document = json::parse(text);
  } catch (const json::exception& e) {
    throw ConfigError(std::string("invalid JSON: ") + e.what(), std::string(source));
  }
  return FlattenDocument(std::move(document), options, source);
}

std::vector<std::string> ParseOverrides(std::string_view text, std::string_view source) {
  YAML::Node node;
  try {
    node = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    throw ConfigError(std::string("invalid YAML: ") + e.what(), std::string(source));
  }
  std::vector<std::string> out;
  if (node.IsNull()) return out;
  if (!node.IsSequence()) throw ConfigError("overrides are not a YAML list", std::string(source));
  for (const auto& item : node) {
    if (!item.IsScalar()) throw ConfigError("an override is not a string", std::string(source));
    out.push_back(item.Scalar());
  }
  return out;
}

std::string ParamText(const ParamValue& value) {
  if (value.kind == ParamValue::Kind::kString) return json::parse(value.json).get<std::string>();
  return value.json;
}

std::optional<double> ParamNumber(const ParamValue& value) {
  if (value.kind != ParamValue::Kind::kNumber) return std::nullopt;
  return std::strtod(value.json.c_str(), nullptr);
}

}  // namespace rankme::discovery
