#include <algorithm>
#include <string>
#include <unordered_map>
#include <utility>

#include "io/torch_tensor_names_internal.h"
#include "rankme/core/error.h"

namespace rankme::io {

namespace {

using Kind = PickleValue::Kind;

constexpr int kMaxDepth = 64;
constexpr std::size_t kMaxVisits = std::size_t{1} << 20;
/// Paths written in one message refusing an ambiguous name.
constexpr std::size_t kShownOrigins = 4;

std::string Join(const std::string& prefix, const std::string& key) {
  return prefix.empty() ? key : prefix + "." + key;
}

/// A dict key as Python subscripts write it, and as rankme names it; "" for keys it cannot name
/// (None, floats, tuples, an empty string).
struct Key {
  std::string name;
  std::string subscript;
  std::string identity;  ///< distinguishes 1 from "1", as Python's dict does
};

Key KeyOf(const PickleValue& key) {
  if (key.kind == Kind::kString && !key.text.empty()) {
    std::string quoted;
    for (const char c : key.text) {
      if (c == '\'' || c == '\\') quoted += '\\';
      quoted += c;
    }
    return {key.text, "['" + quoted + "']", "s" + key.text};
  }
  if (key.kind == Kind::kInt) {
    const std::string text = std::to_string(key.integer);
    return {text, "[" + text + "]", "i" + text};
  }
  return {};
}

class Walker {
 public:
  Walker(const PickleDocument& document, const std::string& source)
      : document_(document), source_(source) {}

  std::vector<TorchCandidate> Run() {
    Visit(document_.root, "", "", 0);
    return std::move(out_);
  }

 private:
  bool Concatenable(const std::vector<std::size_t>& items) const {
    if (items.empty()) return false;
    const PickleTensor* first = nullptr;
    for (std::size_t item : items) {
      const PickleValue& value = document_.values[item];
      if (value.kind != Kind::kTensor) return false;
      const PickleTensor& tensor = document_.tensors[static_cast<std::size_t>(value.integer)];
      if (tensor.shape.empty()) return false;
      if (first == nullptr) {
        first = &tensor;
      } else if (tensor.dtype != first->dtype ||
                 !std::equal(tensor.shape.begin() + 1, tensor.shape.end(), first->shape.begin() + 1,
                             first->shape.end())) {
        return false;
      }
    }
    return true;
  }

  void Visit(std::size_t index, const std::string& name, const std::string& origin, int depth) {
    if (++visits_ > kMaxVisits) throw FormatError("pickle: too many nested values", source_);
    if (depth > kMaxDepth) throw FormatError("pickle: containers nested too deeply", source_);
    const PickleValue& value = document_.values[index];
    switch (value.kind) {
      case Kind::kTensor:
        out_.push_back({name, origin, {static_cast<std::size_t>(value.integer)}, true});
        return;
      case Kind::kDict: {
        // A key given twice keeps its last value at its first position, as Python's dict does
        // (torch.load would return the second tensor, so that is the one scored).
        std::vector<std::pair<Key, std::size_t>> entries;
        std::unordered_map<std::string, std::size_t> position;
        for (std::size_t i = 0; i + 1 < value.items.size(); i += 2) {
          Key key = KeyOf(document_.values[value.items[i]]);
          if (key.name.empty()) continue;
          const auto [it, added] = position.emplace(key.identity, entries.size());
          if (added) {
            entries.emplace_back(std::move(key), value.items[i + 1]);
          } else {
            entries[it->second].second = value.items[i + 1];
          }
        }
        for (const auto& [key, item] : entries) {
          Visit(item, Join(name, key.name), origin + key.subscript, depth + 1);
        }
        return;
      }
      case Kind::kList:
      case Kind::kTuple: {
        const bool chain = value.items.size() > 1 && Concatenable(value.items);
        if (chain) {
          TorchCandidate whole{name, origin, {}, true};
          for (std::size_t item : value.items) {
            whole.tensors.push_back(static_cast<std::size_t>(document_.values[item].integer));
          }
          out_.push_back(std::move(whole));
        }
        const std::size_t first_child = out_.size();
        for (std::size_t i = 0; i < value.items.size(); ++i) {
          const std::string text = std::to_string(i);
          Visit(value.items[i], Join(name, text), origin + "[" + text + "]", depth + 1);
        }
        if (chain) {
          for (std::size_t i = first_child; i < out_.size(); ++i) out_[i].listed = false;
        }
        return;
      }
      default:
        return;
    }
  }

  const PickleDocument& document_;
  const std::string& source_;
  std::vector<TorchCandidate> out_;
  std::size_t visits_ = 0;
};

}  // namespace

TorchTensorNames FindTorchTensors(const PickleDocument& document, const std::string& source) {
  TorchTensorNames found;
  found.candidates = Walker(document, source).Run();
  std::unordered_map<std::string, std::vector<const TorchCandidate*>> by_name;
  for (const TorchCandidate& candidate : found.candidates) {
    by_name[candidate.name].push_back(&candidate);
  }
  for (const auto& [name, sharing] : by_name) {
    if (sharing.size() < 2) continue;
    std::string origins;
    for (std::size_t i = 0; i < sharing.size() && i < kShownOrigins; ++i) {
      origins += (i == 0                    ? ""
                  : i + 1 == sharing.size() ? " and "
                                            : ", ") +
                 (sharing[i]->origin.empty() ? std::string("the root") : sharing[i]->origin);
    }
    if (sharing.size() > kShownOrigins) {
      origins += " and " + std::to_string(sharing.size() - kShownOrigins) + " more";
    }
    found.ambiguous[name] = "tensor name '" + name +
                            "' is ambiguous: " + std::to_string(sharing.size()) +
                            " tensors of the pickle flatten to "
                            "it (" +
                            origins +
                            "); rename the keys so that each has its own "
                            "dotted name";
  }
  return found;
}

}  // namespace rankme::io
