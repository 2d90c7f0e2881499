#pragma once

// Module-private: the tensors a PyTorch pickle holds and the names rankme gives them. Nested
// containers flatten to dotted names (`{"a": {"b": t}}` -> "a.b"), which two different paths
// can share (`{"a.b": t1, "a": {"b": t2}}`): such a name is ambiguous and refused, never
// resolved silently to one of the tensors.

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "rankme/io/pickle_reader.h"

namespace rankme::io {

/// A tensor, or a list of concatenable tensors, reachable from the pickle's root.
struct TorchCandidate {
  std::string name;
  std::string origin;                ///< where it is, in Python's subscripts: `['a']['b'][0]`
  std::vector<std::size_t> tensors;  ///< indices into PickleDocument::tensors; > 1 = chain
  bool listed = true;                ///< false for elements of a listed chain
};

/// What the walk found.
struct TorchTensorNames {
  std::vector<TorchCandidate> candidates;  ///< in the pickle's order
  /// Names that more than one candidate flattens to -> the message refusing them (naming
  /// every path that leads there).
  std::map<std::string, std::string> ambiguous;
};

/// Walks the document from its root: dicts by key (str or int; a key given twice keeps its last
/// value at its first position, as Python's dict does; 1 and "1" are different keys), lists
/// and tuples by index, a list of tensors with equal trailing dims also as one chain. Throws
/// FormatError naming `source` when the containers nest deeper than 64 levels or hold more than
/// 2^20 values on the way.
TorchTensorNames FindTorchTensors(const PickleDocument& document, const std::string& source);

}  // namespace rankme::io
