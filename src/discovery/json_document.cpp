// JSON documents under the same limits as YAML ones: nlohmann's own DOM parser nests without
// bound (30 000 `[` overflow the stack of every recursive walk after it) and rounds integers
// beyond 64 bits, so documents are built here from its SAX events.

#include <fmt/format.h>

#include <limits>
#include <utility>
#include <vector>

#include "discovery/config_internal.h"
#include "rankme/core/error.h"
#include "rankme/discovery/config.h"

namespace rankme::discovery::internal {
namespace {

using nlohmann::json;

class DocumentBuilder : public nlohmann::json_sax<json> {
 public:
  explicit DocumentBuilder(const DocumentBudget& budget) : budget_(budget) {}

  bool null() override { return Add(nullptr); }
  bool boolean(bool value) override { return Add(value); }
  bool number_integer(number_integer_t value) override { return Add(value); }
  bool number_unsigned(number_unsigned_t value) override { return Add(value); }
  bool number_float(number_float_t value, const string_t& raw) override {
    if (raw.find_first_of(".eE") == std::string::npos) {  // an integer beyond 64 bits
      std::string_view digits = raw;
      const bool negative = !digits.empty() && digits[0] == '-';
      if (negative) digits.remove_prefix(1);
      while (digits.size() > 1 && digits[0] == '0') digits.remove_prefix(1);
      std::string text = negative ? "-" : "";
      text.append(digits);
      return Add(
          json::binary(std::vector<std::uint8_t>(text.begin(), text.end()), kBigIntegerSubtype));
    }
    return Add(value);
  }
  bool string(string_t& value) override {
    if (value.size() > 1 && value[0] == '\0') {  // a placeholder of PythonNonFinite
      if (value == std::string("\0nan", 4)) return Add(std::numeric_limits<double>::quiet_NaN());
      if (value == std::string("\0inf", 4)) return Add(std::numeric_limits<double>::infinity());
      if (value == std::string("\0-inf", 5)) return Add(-std::numeric_limits<double>::infinity());
    }
    return Add(std::move(value));
  }
  bool binary(binary_t&) override { return Fail("binary values are not JSON"); }
  bool start_object(std::size_t) override { return Open(json::object()); }
  bool key(string_t& value) override {
    stack_.back().key = std::move(value);
    return true;
  }
  bool end_object() override { return Close(); }
  bool start_array(std::size_t) override { return Open(json::array()); }
  bool end_array() override { return Close(); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) override {
    return Fail(std::string("invalid JSON: ") + e.what());
  }

  json& document() { return document_; }
  const std::string& problem() const { return problem_; }

 private:
  struct Frame {
    json value;
    std::string key;  // of the next member when value is an object
  };

  bool Fail(std::string problem) {
    if (problem_.empty()) problem_ = OneLine(problem, 240);
    return false;
  }

  bool Spend() {
    if (++values_ <= budget_.max_values) return true;
    return Fail(fmt::format("the config holds more than {} values, the limit", budget_.max_values));
  }

  bool Add(json value) {
    if (!Spend()) return false;
    if (stack_.empty()) {
      document_ = std::move(value);
      return true;
    }
    Frame& top = stack_.back();
    if (top.value.is_array()) {
      top.value.push_back(std::move(value));
      return true;
    }
    auto found = top.value.find(top.key);
    if (found == top.value.end()) {
      top.value.emplace(std::move(top.key), std::move(value));
    } else if (CanonicalJson(*found) != CanonicalJson(value)) {
      return Fail("key " + OneLine(top.key) + " is written twice with different values");
    }
    return true;
  }

  bool Open(json value) {
    if (static_cast<int>(stack_.size()) >= budget_.max_depth) {
      return Fail(fmt::format("the config nests deeper than {} levels", budget_.max_depth));
    }
    stack_.push_back({std::move(value), {}});
    return true;
  }

  bool Close() {
    json value = std::move(stack_.back().value);
    stack_.pop_back();
    return Add(std::move(value));
  }

  DocumentBudget budget_;
  std::vector<Frame> stack_;
  json document_;
  std::size_t values_ = 0;
  std::string problem_;
};

/// Python's json module writes NaN, Infinity and -Infinity (solo-learn's args.json holds them
/// when an argument defaults to float("inf")); JSON has no such tokens, so outside strings they
/// become the strings "\u0000nan", "\u0000inf", "\u0000-inf", read back as numbers by
/// DocumentBuilder (a string written so in the file reads as the number too).
std::string PythonNonFinite(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      out += c;
      if (c == '\\' && i + 1 < text.size()) {
        out += text[++i];
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') in_string = true;
    const std::string_view rest = std::string_view(text).substr(i);
    std::string_view token;
    const char* placeholder = nullptr;
    if (rest.starts_with("NaN")) {
      token = "NaN";
      placeholder = "\"\\u0000nan\"";
    } else if (rest.starts_with("Infinity")) {
      token = "Infinity";
      placeholder = "\"\\u0000inf\"";
    } else if (rest.starts_with("-Infinity")) {
      token = "-Infinity";
      placeholder = "\"\\u0000-inf\"";
    }
    if (placeholder) {
      out += placeholder;
      i += token.size() - 1;
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace

json ParseJsonDocument(std::string_view text, std::string_view source) {
  const std::string valid = PythonNonFinite(SanitizeUtf8(text));
  DocumentBuilder builder(DocumentBudget::ForFile(text.size()));
  const bool ok = json::sax_parse(valid, &builder);
  if (!ok || !builder.problem().empty()) {
    throw ConfigError(builder.problem().empty() ? "invalid JSON" : builder.problem(),
                      std::string(source));
  }
  return std::move(builder.document());
}

}  // namespace rankme::discovery::internal
