// YAML documents as JSON under a budget. yaml-cpp shares the node of an anchor with every alias
// to it, so a 300-byte file can stand for billions of values ("billion laughs") or contain itself
// (`x: &x [*x]`); expanding it counts every value produced and every level entered.

#include <fmt/format.h>
#include <yaml-cpp/depthguard.h>

#include <utility>
#include <vector>

#include "discovery/config_internal.h"
#include "rankme/core/error.h"
#include "rankme/discovery/config.h"

namespace rankme::discovery::internal {

DocumentBudget DocumentBudget::ForFile(std::size_t file_bytes) {
  return {kMaxConfigValues, kConfigExpansionBaseBytes + kConfigExpansionFactor * file_bytes,
          kMaxConfigDepth};
}

namespace {

using nlohmann::json;

std::string DepthProblem(int max_depth) {
  return fmt::format("the config nests deeper than {} levels (or a YAML alias contains itself)",
                     max_depth);
}

class YamlConverter {
 public:
  YamlConverter(const DocumentBudget& budget, std::string_view source)
      : budget_(budget), source_(source) {}

  json Convert(const YAML::Node& node, int depth) {
    if (depth > budget_.max_depth) throw ConfigError(DepthProblem(budget_.max_depth), source_);
    switch (node.Type()) {
      case YAML::NodeType::Scalar:
        Spend(node.Scalar().size());
        return Scalar(node);
      case YAML::NodeType::Sequence: {
        Spend(1);
        json out = json::array();
        for (const auto& item : node) out.push_back(Convert(item, depth + 1));
        return out;
      }
      case YAML::NodeType::Map:
        Spend(1);
        return Map(node, depth);
      default:  // Null, Undefined
        Spend(1);
        return nullptr;
    }
  }

 private:
  void Spend(std::size_t bytes) {
    ++values_;
    bytes_ += bytes;
    if (values_ > budget_.max_values) {
      throw ConfigError(fmt::format("the config expands to more than {} values (YAML aliases "
                                    "included), the limit",
                                    budget_.max_values),
                        source_);
    }
    if (bytes_ > budget_.max_bytes) {
      throw ConfigError(fmt::format("the config expands to more than {} bytes of text (YAML "
                                    "aliases included; the limit is 1 MiB + {} x the file size)",
                                    budget_.max_bytes, kConfigExpansionFactor),
                        source_);
    }
  }

  static json Scalar(const YAML::Node& node) {
    const std::string& tag = node.Tag();
    if (tag == "!" || tag == "tag:yaml.org,2002:str") return SanitizeUtf8(node.Scalar());
    if (tag == "tag:yaml.org,2002:null") return nullptr;
    // plain, or a tag (!!int, !!float, !!python/...) that is ignored
    json value = ResolvePlainScalar(node.Scalar());
    if (value.is_string()) return SanitizeUtf8(value.get_ref<const std::string&>());
    return value;
  }

  static bool IsMergeKey(const YAML::Node& key) {
    return key.IsScalar() && key.Scalar() == "<<" &&
           (key.Tag() == "?" || key.Tag() == "tag:yaml.org,2002:merge");
  }

  std::string Key(const YAML::Node& key, int depth) {
    if (key.IsScalar()) {
      Spend(key.Scalar().size());
      return SanitizeUtf8(key.Scalar());
    }
    if (key.IsNull()) return "~";
    return CanonicalJson(Convert(key, depth + 1));  // a complex key, e.g. [a, b]
  }

  /// A map with `<<` merge keys resolved as PyYAML does: the maps named by `<<` supply the keys
  /// the map does not write itself; in a list of merges the earlier map wins, and of several
  /// `<<` keys the later one. A key written twice with different values is refused.
  json Map(const YAML::Node& node, int depth) {
    json own = json::object();
    std::vector<json> merged;  // later entries win
    for (const auto& entry : node) {
      if (IsMergeKey(entry.first)) {
        json value = Convert(entry.second, depth + 1);
        if (value.is_object()) {
          merged.push_back(std::move(value));
        } else if (value.is_array() && std::all_of(value.begin(), value.end(),
                                                   [](const json& v) { return v.is_object(); })) {
          for (auto it = value.rbegin(); it != value.rend(); ++it) merged.push_back(*it);
        } else {
          throw ConfigError("a YAML merge key << must name a map or a list of maps", source_);
        }
        continue;
      }
      std::string key = Key(entry.first, depth);
      json value = Convert(entry.second, depth + 1);
      auto found = own.find(key);
      if (found == own.end()) {
        own.emplace(std::move(key), std::move(value));
      } else if (CanonicalJson(*found) != CanonicalJson(value)) {
        throw ConfigError("key " + OneLine(key) + " is written twice with different values",
                          source_);
      }
    }
    if (merged.empty()) return own;
    json out = json::object();
    for (auto& map : merged) {
      for (auto it = map.begin(); it != map.end(); ++it) out[it.key()] = std::move(it.value());
    }
    for (auto it = own.begin(); it != own.end(); ++it) out[it.key()] = std::move(it.value());
    return out;
  }

  DocumentBudget budget_;
  std::string source_;
  std::size_t values_ = 0;
  std::size_t bytes_ = 0;
};

}  // namespace

json YamlToJson(const YAML::Node& node, const DocumentBudget& budget, std::string_view source) {
  try {
    return YamlConverter(budget, source).Convert(node, 0);
  } catch (const YAML::Exception& e) {
    throw ConfigError("invalid YAML: " + OneLine(e.what(), 200), std::string(source));
  }
}

json ParseYamlDocument(std::string_view text, std::string_view source) {
  YAML::Node node;
  try {
    node = YAML::Load(std::string(text));
  } catch (const YAML::DeepRecursion&) {
    // yaml-cpp stops at its own depth (2000) before its recursive parser can overflow the stack
    throw ConfigError(DepthProblem(kMaxConfigDepth), std::string(source));
  } catch (const YAML::Exception& e) {
    throw ConfigError("invalid YAML: " + OneLine(e.what(), 200), std::string(source));
  }
  return YamlToJson(node, DocumentBudget::ForFile(text.size()), source);
}

}  // namespace rankme::discovery::internal
