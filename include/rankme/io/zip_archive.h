#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "rankme/io/byte_source.h"

namespace rankme::io {

/// One member of a zip archive, as its central directory describes it.
struct ZipMember {
  std::string name;
  std::uint64_t index = 0;            ///< position in the central directory
  std::uint64_t size = 0;             ///< uncompressed bytes (declared)
  std::uint64_t compressed_size = 0;  ///< bytes in the archive
  bool stored = false;                ///< no compression: readable as a window of the archive
  std::optional<std::uint32_t> crc;   ///< CRC-32 of the uncompressed bytes, when declared
};

/// Largest ratio of declared to compressed size accepted for a deflated member. Deflate cannot
/// exceed about 1032:1, so a member declaring more is corrupt or hostile (a zip bomb's lie).
inline constexpr std::uint64_t kMaxDeflateRatio = 1100;

/// A zip archive (.npz, PyTorch .pt) read through libzip, zip64 included. Members open as
/// ByteSources: a stored member is a window of the archive (random access, no copy); a deflated
/// member inflates as a stream, never past its declared size, holding a bounded buffer.
/// Not thread-safe; the member sources it hands out keep it alive.
class ZipArchive : public std::enable_shared_from_this<ZipArchive> {
 public:
  /// Opens the archive held by `source`. Throws FormatError naming the source when it is not a
  /// readable zip archive, or when a member's sizes are impossible (see kMaxDeflateRatio, stored
  /// members whose sizes differ, sizes past the archive). Encrypted members are refused when
  /// opened.
  static std::shared_ptr<ZipArchive> Open(std::shared_ptr<ByteSource> source);
  ~ZipArchive();
  ZipArchive(const ZipArchive&) = delete;
  ZipArchive& operator=(const ZipArchive&) = delete;

  const std::vector<ZipMember>& members() const { return members_; }
  /// The member named `name`, or nullptr.
  const ZipMember* Find(const std::string& name) const;
  const std::string& name() const { return source_->name(); }

  /// A ByteSource over the member's uncompressed bytes, named "archive:member". Reads of a
  /// deflated member are fastest ascending (a backward read restarts inflation); reading its
  /// last byte checks its CRC. Throws FormatError on a corrupt or unsupported member.
  std::shared_ptr<ByteSource> OpenMember(const ZipMember& member);

  /// Reads a whole member into memory, refusing members larger than `max_bytes`.
  std::string ReadMember(const ZipMember& member, std::uint64_t max_bytes);

 private:
  struct Handle;
  class InflatingSource;
  explicit ZipArchive(std::shared_ptr<ByteSource> source);
  std::uint64_t StoredDataOffset(const ZipMember& member);

  std::shared_ptr<ByteSource> source_;
  std::unique_ptr<Handle> handle_;
  std::vector<ZipMember> members_;
};

}  // namespace rankme::io
