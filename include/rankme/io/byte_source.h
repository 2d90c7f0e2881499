#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include "rankme/io/file.h"

namespace rankme::io {

/// Random-access bytes: a whole file, a stored zip member, or an inflating zip member.
/// Readers parse headers through this interface so they work the same on all of them.
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  /// Total size in bytes.
  virtual std::uint64_t size() const = 0;
  /// Reads exactly `length` bytes at `offset` into `dst`; throws FormatError when the range
  /// lies past size(), IoError when the underlying read fails. Sources that can only stream
  /// (compressed members) are fastest when reads ascend.
  virtual void ReadAt(std::uint64_t offset, std::size_t length, void* dst) = 0;
  /// "path" or "archive.npz:member", for messages.
  virtual const std::string& name() const = 0;
  /// True for sources that can only stream (a deflated member): reads are best ascending, once.
  virtual bool streams_only() const { return false; }
};

/// A ByteSource over a whole file.
class FileByteSource final : public ByteSource {
 public:
  explicit FileByteSource(File file) : file_(std::move(file)) {}
  std::uint64_t size() const override { return file_.size(); }
  void ReadAt(std::uint64_t offset, std::size_t length, void* dst) override {
    file_.ReadAt(offset, length, dst);
  }
  const std::string& name() const override { return file_.path(); }
  const File& file() const { return file_; }

 private:
  File file_;
};

/// A window [offset, offset + size) of another source, e.g. a stored (uncompressed) zip member.
class SubByteSource final : public ByteSource {
 public:
  /// Throws FormatError when the window does not lie inside `parent`.
  SubByteSource(std::shared_ptr<ByteSource> parent, std::uint64_t offset, std::uint64_t size,
                std::string name);
  std::uint64_t size() const override { return size_; }
  void ReadAt(std::uint64_t offset, std::size_t length, void* dst) override;
  const std::string& name() const override { return name_; }
  bool streams_only() const override { return parent_->streams_only(); }

 private:
  std::shared_ptr<ByteSource> parent_;
  std::uint64_t offset_;
  std::uint64_t size_;
  std::string name_;
};

/// Bytes held in memory (tests, a header already read, a small decompressed member).
class MemoryByteSource final : public ByteSource {
 public:
  MemoryByteSource(std::string bytes, std::string name)
      : bytes_(std::move(bytes)), name_(std::move(name)) {}
  std::uint64_t size() const override { return bytes_.size(); }
  /// Throws FormatError naming name() when the range lies past size().
  void ReadAt(std::uint64_t offset, std::size_t length, void* dst) override;
  const std::string& name() const override { return name_; }

 private:
  std::string bytes_;
  std::string name_;
};

}  // namespace rankme::io
