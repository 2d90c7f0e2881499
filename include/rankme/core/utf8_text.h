#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace rankme {

/// Length of the valid UTF-8 sequence starting at `at` (< text.size()), 0 when the bytes there
/// are not one (overlong forms, surrogates and code points past U+10FFFF are invalid).
std::size_t Utf8SequenceLength(std::string_view text, std::size_t at);

/// True when `text` is valid UTF-8 (no overlong forms, surrogates or code points past U+10FFFF).
bool IsValidUtf8(std::string_view text);

/// `text` as valid UTF-8, with nothing lost: valid UTF-8 is returned unchanged; in a text that is
/// not, each byte outside a valid sequence becomes U+FFFD followed by its two lowercase hex
/// digits (`r\xff` -> `r\uFFFDff`, shown as `r�ff`) and each U+FFFD already there U+FFFD
/// followed by `!`, so texts that differ only in such bytes stay different (`r\xff` and `r\xfe`
/// are two names, not one). The result is valid, so applying it again changes nothing. What
/// folder and file names, tensor names and messages quoting them become when they are stored.
std::string EscapeInvalidUtf8(std::string_view text);

}  // namespace rankme
