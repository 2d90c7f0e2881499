#pragma once

// Module-private: where in a name the step/epoch tokens lie, so a file stem can be split into
// its checkpoint part ("epoch_10") and its tensor part ("embeddings").

#include <cstddef>
#include <optional>
#include <string_view>

#include "rankme/discovery/checkpoint_name.h"

namespace rankme::discovery::internal {

/// Step/epoch of one path component and the span [begin, end) covering all their tokens.
struct NameTokens {
  CheckpointName name;
  std::optional<std::size_t> begin;  ///< nullopt when the component has no token
  std::size_t end = 0;
  /// Digits of a step or epoch that do not fit int64 ("" when none): the token still names the
  /// checkpoint (ordered by its name after every step that fits), but carries no number.
  std::string overflowed;
};

NameTokens FindNameTokens(std::string_view component);

/// `text` with separators (`_`, `-`, `.`, `=`, space) trimmed from both ends.
std::string_view TrimSeparators(std::string_view text);

}  // namespace rankme::discovery::internal
