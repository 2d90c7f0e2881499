#include "rankme/discovery/config.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>

#include "discovery/config_internal.h"
#include "rankme/core/error.h"
#include "rankme/discovery/config_key.h"

namespace rankme::discovery {
namespace internal {

std::string FormatNumber(double value) {
  if (std::isnan(value)) return "\".nan\"";
  if (std::isinf(value)) return value > 0 ? "\".inf\"" : "\"-.inf\"";
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
      return FormatNumber(value.get<double>());
    case nlohmann::json::value_t::binary: {  // kBigIntegerSubtype: decimal digits, quoted
      const auto& bytes = value.get_binary();
      return '"' + std::string(bytes.begin(), bytes.end()) + '"';
    }
    case nlohmann::json::value_t::string:
      return QuoteJson(value.get<std::string>());
    default:  // null, bool, integers
      return value.dump();
  }
}

}  // namespace internal

namespace {

using nlohmann::json;

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
    case json::value_t::binary:  // an integer beyond 64 bits
      kind = Kind::kNumber;
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

/// Flattens `node` into dotted keys. Two entries that flatten to one key (`a.b: 1` beside
/// `a: {b: 100}`) are one entry when their values are equal, else the config is refused: a value
/// never disappears, and runs with different values never become seeds of one configuration.
class Flattener {
 public:
  Flattener(std::size_t max_bytes, std::string_view source)
      : max_bytes_(max_bytes), source_(source) {}

  void Flatten(const json& node, const std::string& prefix, ParamMap& out) {
    for (auto it = node.begin(); it != node.end(); ++it) {
      const std::string key = prefix.empty() ? it.key() : prefix + "." + it.key();
      if (it.value().is_object() && !it.value().empty()) {
        Flatten(it.value(), key, out);
        continue;
      }
      ParamValue value = ToParamValue(it.value());
      bytes_ += key.size() + value.json.size();
      if (bytes_ > max_bytes_) {
        throw ConfigError(fmt::format("the flattened config exceeds {} bytes, the limit (1 MiB + "
                                      "{} x the file size)",
                                      max_bytes_, kConfigExpansionFactor),
                          source_);
      }
      auto [found, inserted] = out.emplace(key, value);
      if (!inserted && found->second.json != value.json) {
        throw ConfigError("keys collide after flattening: " + internal::OneLine(key) +
                              " is written twice (a dotted key beside a nested map) with "
                              "different values, " +
                              internal::OneLine(found->second.json, 40) + " and " +
                              internal::OneLine(value.json, 40),
                          source_);
      }
    }
  }

 private:
  std::size_t max_bytes_;
  std::string source_;
  std::size_t bytes_ = 0;
};

ParamMap FlattenDocument(json document, const FlattenOptions& options, std::size_t file_bytes,
                         std::string_view source) {
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
  Flattener(internal::DocumentBudget::ForFile(file_bytes).max_bytes, source)
      .Flatten(reduced, "", out);
  return out;
}

}  // namespace

ParamMap FlattenYaml(std::string_view text, const FlattenOptions& options,
                     std::string_view source) {
  return FlattenDocument(internal::ParseYamlDocument(text, source), options, text.size(), source);
}

ParamMap FlattenJson(std::string_view text, const FlattenOptions& options,
                     std::string_view source) {
  return FlattenDocument(internal::ParseJsonDocument(text, source), options, text.size(), source);
}

std::vector<std::string> ParseOverrides(std::string_view text, std::string_view source) {
  const json document = internal::ParseYamlDocument(text, source);  // bounded as a config is
  std::vector<std::string> out;
  if (document.is_null()) return out;
  if (!document.is_array()) throw ConfigError("overrides are not a YAML list", std::string(source));
  for (const auto& item : document) {
    if (item.is_string()) {
      out.push_back(item.get<std::string>());
    } else if (item.is_primitive() || item.is_binary()) {  // `- 5`: as its canonical text
      out.push_back(ParamText(ToParamValue(item)));
    } else {
      throw ConfigError("an override is not a string", std::string(source));
    }
  }
  return out;
}

std::string ParamText(const ParamValue& value) {
  const bool quoted = !value.json.empty() && value.json[0] == '"';  // strings, .nan, .inf
  if (quoted) return json::parse(value.json).get<std::string>();
  return value.json;
}

std::optional<double> ParamNumber(const ParamValue& value) {
  if (value.kind != ParamValue::Kind::kNumber) return std::nullopt;
  if (value.json == "\".nan\"") return std::numeric_limits<double>::quiet_NaN();
  if (value.json == "\".inf\"") return std::numeric_limits<double>::infinity();
  if (value.json == "\"-.inf\"") return -std::numeric_limits<double>::infinity();
  const bool quoted = !value.json.empty() && value.json[0] == '"';  // beyond 64 bits
  return std::strtod(value.json.c_str() + (quoted ? 1 : 0), nullptr);
}

}  // namespace rankme::discovery
