// YAML documents as JSON under a budget, built from yaml-cpp's parser events: its node tree
// costs about 250 bytes of memory per byte of a flow list, and shares an anchor's node with every
// alias to it, so a 300-byte file can stand for billions of values ("billion laughs") or contain
// itself (`x: &x [*x]`). Here every value produced, aliases included, is counted before it is
// built, and every level entered.

#include <fmt/format.h>
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/parser.h>

#include <map>
#include <sstream>
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
  return fmt::format("the config nests deeper than {} levels", max_depth);
}

/// A scalar typed by its tag: quoted or !!str -> string, !!null -> null, plain or any other tag
/// (!!int, !!python/...: ignored, nothing constructed) -> as PyYAML/OmegaConf read plain text.
json TypedScalar(const std::string& tag, const std::string& text) {
  if (tag == "!" || tag == "tag:yaml.org,2002:str") return SanitizeUtf8(text);
  if (tag == "tag:yaml.org,2002:null") return nullptr;
  json value = ResolvePlainScalar(text);
  if (value.is_string()) return SanitizeUtf8(value.get_ref<const std::string&>());
  return value;
}

class DocumentBuilder : public YAML::EventHandler {
 public:
  DocumentBuilder(const DocumentBudget& budget, std::string_view source)
      : budget_(budget), source_(source) {}

  json& document() { return document_; }

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t anchor) override {
    Spend(1, 0);
    Deliver(nullptr, anchor, {values_ - 1, bytes_}, false);
  }
  void OnScalar(const YAML::Mark&, const std::string& tag, YAML::anchor_t anchor,
                const std::string& text) override {
    const Size before{values_, bytes_};
    Spend(1, text.size());
    const bool merge_key = text == "<<" && (tag == "?" || tag == "tag:yaml.org,2002:merge");
    Deliver(TypedScalar(tag, text), anchor, before, merge_key, &text);
  }
  void OnAlias(const YAML::Mark&, YAML::anchor_t anchor) override {
    const auto found = anchors_.find(anchor);
    if (found == anchors_.end()) {
      throw ConfigError("a YAML alias refers to a node that contains it (or to no node)", source_);
    }
    const Size before{values_, bytes_};
    Spend(found->second.size.values, found->second.size.bytes);
    Deliver(found->second.value, 0, before, false);
  }
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    Open(json::array(), anchor);
  }
  void OnSequenceEnd() override { Close(); }
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    Open(json::object(), anchor);
  }
  void OnMapEnd() override { Close(); }

 private:
  struct Size {
    std::size_t values = 0;
    std::size_t bytes = 0;
  };
  struct Frame {
    json value;
    YAML::anchor_t anchor = 0;
    Size start;
    bool expecting_key = true;  // maps: the next node is a key
    bool merging = false;       // maps: the pending key is `<<`
    std::string key;            // maps: the pending key
    std::vector<json> merged;   // maps: maps named by `<<`, later ones win
  };
  struct Anchored {
    json value;
    Size size;
  };

  void Spend(std::size_t values, std::size_t bytes) {
    values_ += values;
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

  void Open(json value, YAML::anchor_t anchor) {
    if (static_cast<int>(stack_.size()) >= budget_.max_depth) {
      throw ConfigError(DepthProblem(budget_.max_depth), source_);
    }
    Spend(1, 0);
    Frame frame;
    frame.value = std::move(value);
    frame.anchor = anchor;
    frame.start = {values_ - 1, bytes_};
    stack_.push_back(std::move(frame));
  }

  /// A map with `<<` merge keys resolved as PyYAML does: the maps named by `<<` supply the keys
  /// the map does not write itself; in a list of merges the earlier map wins, and of several `<<`
  /// keys the later one.
  void Close() {
    Frame frame = std::move(stack_.back());
    stack_.pop_back();
    json value = std::move(frame.value);
    if (value.is_object() && !frame.merged.empty()) {
      json out = json::object();
      for (auto& map : frame.merged) {
        for (auto it = map.begin(); it != map.end(); ++it) out[it.key()] = std::move(it.value());
      }
      for (auto it = value.begin(); it != value.end(); ++it) out[it.key()] = std::move(it.value());
      value = std::move(out);
    }
    Deliver(std::move(value), frame.anchor, frame.start, false);
  }

  /// Places a finished node in its parent (or as the document), recording its anchor.
  void Deliver(json value, YAML::anchor_t anchor, Size before, bool merge_key,
               const std::string* scalar_text = nullptr) {
    if (anchor != 0) {
      anchors_[anchor] = {value, {values_ - before.values, bytes_ - before.bytes}};
    }
    if (stack_.empty()) {
      document_ = std::move(value);
      return;
    }
    Frame& top = stack_.back();
    if (top.value.is_array()) {
      top.value.push_back(std::move(value));
      return;
    }
    if (top.expecting_key) {
      top.expecting_key = false;
      top.merging = merge_key;
      if (scalar_text) {
        top.key = SanitizeUtf8(*scalar_text);
      } else {
        top.key = value.is_null() ? "~" : CanonicalJson(value);  // a complex key, e.g. [a, b]
      }
      return;
    }
    top.expecting_key = true;
    if (top.merging) {
      if (value.is_object()) {
        top.merged.push_back(std::move(value));
      } else if (value.is_array() && std::all_of(value.begin(), value.end(),
                                                 [](const json& v) { return v.is_object(); })) {
        for (auto it = value.rbegin(); it != value.rend(); ++it) {
          top.merged.push_back(std::move(*it));
        }
      } else {
        throw ConfigError("a YAML merge key << must name a map or a list of maps", source_);
      }
      return;
    }
    auto found = top.value.find(top.key);
    if (found == top.value.end()) {
      top.value.emplace(std::move(top.key), std::move(value));
    } else if (CanonicalJson(*found) != CanonicalJson(value)) {
      throw ConfigError("key " + OneLine(top.key) + " is written twice with different values",
                        source_);
    }
  }

  DocumentBudget budget_;
  std::string source_;
  std::vector<Frame> stack_;
  std::map<YAML::anchor_t, Anchored> anchors_;
  json document_;
  std::size_t values_ = 0;
  std::size_t bytes_ = 0;
};

}  // namespace

json ParseYamlDocument(std::string_view text, std::string_view source) {
  std::istringstream stream{std::string(text)};
  DocumentBuilder builder(DocumentBudget::ForFile(text.size()), source);
  try {
    YAML::Parser parser(stream);
    parser.HandleNextDocument(builder);
  } catch (const YAML::DeepRecursion&) {
    // yaml-cpp stops at its own depth (2000) before its recursive parser can overflow the stack
    throw ConfigError(DepthProblem(kMaxConfigDepth), std::string(source));
  } catch (const YAML::Exception& e) {
    throw ConfigError("invalid YAML: " + OneLine(e.what(), 200), std::string(source));
  }
  return std::move(builder.document());
}

}  // namespace rankme::discovery::internal
