#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace rankme::io {

/// A read-only file opened for positioned reads (pread). Owns its descriptor; movable.
/// Every read is bounds-checked against the size seen at open time and throws IoError naming
/// the path on a short read (e.g. the file was truncated while being read).
class File {
 public:
  /// Opens `path` for reading; throws IoError when it does not exist or cannot be read, and
  /// when it is a directory.
  explicit File(std::string path);
  ~File();
  File(File&& other) noexcept;
  File& operator=(File&& other) noexcept;
  File(const File&) = delete;
  File& operator=(const File&) = delete;

  const std::string& path() const { return path_; }
  /// Size in bytes when opened.
  std::uint64_t size() const { return size_; }
  /// Modification time when opened, nanoseconds since the epoch.
  std::int64_t mtime_ns() const { return mtime_ns_; }

  /// Reads exactly `length` bytes at `offset` into `dst`. Throws FormatError when
  /// [offset, offset + length) lies past the end of the file, IoError on a read failure.
  void ReadAt(std::uint64_t offset, std::size_t length, void* dst) const;

  /// Tells the kernel the bytes [offset, offset + length) will not be needed again, so a
  /// streaming pass over a large file does not fill the page cache with it. Best effort.
  void DropCache(std::uint64_t offset, std::uint64_t length) const;

 private:
  std::string path_;
  int fd_ = -1;
  std::uint64_t size_ = 0;
  std::int64_t mtime_ns_ = 0;
};

}  // namespace rankme::io
