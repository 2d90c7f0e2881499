#include <cctype>

#include "io/py_literal_internal.h"
#include "rankme/core/error.h"

namespace rankme::io {

namespace {

constexpr int kMaxDepth = 16;

class LiteralParser {
 public:
  LiteralParser(std::string_view text, const std::string& source) : text_(text), source_(source) {}

  PyLiteral ParseAll() {
    PyLiteral value = ParseValue(0);
    SkipSpace();
    if (pos_ != text_.size()) Fail("unexpected text after the header dict");
    return value;
  }

 private:
  [[noreturn]] void Fail(const std::string& what) const {
    std::string context(text_.substr(pos_, 24));
    for (char& c : context) {
      if (!std::isprint(static_cast<unsigned char>(c))) c = '?';
    }
    throw FormatError(
        "bad .npy header: " + what + " at offset " + std::to_string(pos_) +
            (context.empty() ? std::string(" (end of header)") : " near \"" + context + "\""),
        source_);
  }

  void SkipSpace() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                   text_[pos_] == '\n' || text_[pos_] == '\r')) {
      ++pos_;
    }
  }

  bool Peek(char c) {
    SkipSpace();
    return pos_ < text_.size() && text_[pos_] == c;
  }

  bool StartsWithWord(std::string_view word) const {
    if (text_.substr(pos_, word.size()) != word) return false;
    const std::size_t end = pos_ + word.size();
    return end == text_.size() ||
           !(std::isalnum(static_cast<unsigned char>(text_[end])) || text_[end] == '_');
  }

  PyLiteral ParseValue(int depth) {
    if (depth > kMaxDepth) Fail("literal nested too deeply");
    SkipSpace();
    if (pos_ >= text_.size()) Fail("expected a value");
    const std::size_t start = pos_;
    PyLiteral value;
    const char c = text_[pos_];
    if (c == '\'' || c == '"') {
      value.kind = PyLiteral::Kind::kString;
      value.text = ParseString();
    } else if (c == '-' || std::isdigit(static_cast<unsigned char>(c))) {
      value.kind = PyLiteral::Kind::kInt;
      value.integer = ParseInt();
    } else if (c == '(' || c == '[' || c == '{') {
      ParseSequence(value, depth);
    } else if (StartsWithWord("True") || StartsWithWord("False")) {
      value.kind = PyLiteral::Kind::kBool;
      value.boolean = c == 'T';
      pos_ += value.boolean ? 4 : 5;
    } else if (StartsWithWord("None")) {
      value.kind = PyLiteral::Kind::kNone;
      pos_ += 4;
    } else {
      Fail("expected a value");
    }
    value.spelling = text_.substr(start, pos_ - start);
    return value;
  }

  std::string ParseString() {
    const char quote = text_[pos_++];
    std::string out;
    while (true) {
      if (pos_ >= text_.size() || text_[pos_] == '\n') Fail("unterminated string");
      const char c = text_[pos_++];
      if (c == quote) return out;
      if (c != '\\') {
        out += c;
        continue;
      }
      if (pos_ >= text_.size()) Fail("unterminated string");
      const char escaped = text_[pos_++];
      switch (escaped) {
        case 'n':
          out += '\n';
          break;
        case 't':
          out += '\t';
          break;
        case 'r':
          out += '\r';
          break;
        case '0':
          out += '\0';
          break;
        default:
          out += escaped;
          break;  // \\ \' \" and anything else, kept literally
      }
    }
  }

  std::int64_t ParseInt() {
    const bool negative = text_[pos_] == '-';
    if (negative) ++pos_;
    if (pos_ >= text_.size() || !std::isdigit(static_cast<unsigned char>(text_[pos_]))) {
      Fail("expected digits");
    }
    // Accumulate negatively so INT64_MIN parses; the magnitude check rejects overflow.
    std::int64_t value = 0;
    while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) {
      const int digit = text_[pos_] - '0';
      if (__builtin_mul_overflow(value, 10, &value) ||
          __builtin_sub_overflow(value, digit, &value)) {
        Fail("integer does not fit in 64 bits");
      }
      ++pos_;
    }
    if (pos_ < text_.size() && (text_[pos_] == 'L' || text_[pos_] == 'l')) ++pos_;
    if (!negative) {
      if (value == INT64_MIN) Fail("integer does not fit in 64 bits");
      value = -value;
    }
    return value;
  }

  void ParseSequence(PyLiteral& value, int depth) {
    const char open = text_[pos_++];
    const char close = open == '(' ? ')' : open == '[' ? ']' : '}';
    value.kind = open == '('   ? PyLiteral::Kind::kTuple
                 : open == '[' ? PyLiteral::Kind::kList
                               : PyLiteral::Kind::kDict;
    const bool is_dict = value.kind == PyLiteral::Kind::kDict;
    bool had_comma = false;
    while (true) {
      if (Peek(close)) break;
      if (!value.items.empty() && !had_comma) Fail(std::string("expected ',' or '") + close + "'");
      value.items.push_back(ParseValue(depth + 1));
      if (is_dict) {
        if (value.items.back().kind != PyLiteral::Kind::kString) Fail("dict key is not a string");
        if (!Peek(':')) Fail("expected ':'");
        ++pos_;
        value.items.push_back(ParseValue(depth + 1));
      }
      had_comma = Peek(',');
      if (had_comma) ++pos_;
    }
    // "(5)" is an int in Python, not a tuple: a one-element tuple needs its comma.
    if (value.kind == PyLiteral::Kind::kTuple && value.items.size() == 1 && !had_comma) {
      Fail("one-element tuple without a trailing comma");
    }
    ++pos_;
  }

  std::string_view text_;
  const std::string& source_;
  std::size_t pos_ = 0;
};

}  // namespace

PyLiteral ParsePyLiteral(std::string_view text, const std::string& source) {
  return LiteralParser(text, source).ParseAll();
}

}  // namespace rankme::io
