#pragma once

// A small strict parser for the Python literals numpy writes into .npy headers:
// {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace rankme::io {

struct PyLiteral {
  enum class Kind : std::uint8_t { kString, kInt, kBool, kNone, kTuple, kList, kDict };
  Kind kind = Kind::kNone;
  std::string text;          ///< kString: the decoded string
  std::int64_t integer = 0;  ///< kInt
  bool boolean = false;      ///< kBool
  /// kTuple / kList: the elements; kDict: key, value, key, value, ...
  std::vector<PyLiteral> items;
  std::string_view spelling;  ///< the literal as written, for messages
};

/// Parses exactly one literal: strings ('…' or "…", backslash escapes), integers (optionally
/// negative, an old 'L' suffix allowed), True, False, None, tuples, lists and dicts, nested at
/// most 16 deep, trailing commas allowed; only whitespace may follow. Throws FormatError naming
/// `source` and the offset of the first offending character.
PyLiteral ParsePyLiteral(std::string_view text, const std::string& source);

}  // namespace rankme::io
