#include "rankme/io/byte_source.h"

#include <cstring>

#include "rankme/core/error.h"

namespace rankme::io {

namespace {

void CheckRange(std::uint64_t offset, std::size_t length, std::uint64_t size,
                const std::string& name) {
  if (offset > size || length > size - offset) {
    throw FormatError("needs bytes [" + std::to_string(offset) + ", " +
                          std::to_string(offset + length) + ") but it has " + std::to_string(size),
                      name);
  }
}

}  // namespace

SubByteSource::SubByteSource(std::shared_ptr<ByteSource> parent, std::uint64_t offset,
                             std::uint64_t size, std::string name)
    : parent_(std::move(parent)), offset_(offset), size_(size), name_(std::move(name)) {
  RANKME_CHECK(parent_ != nullptr);
  const std::uint64_t parent_size = parent_->size();
  if (offset_ > parent_size || size_ > parent_size - offset_) {
    throw FormatError("bytes [" + std::to_string(offset_) + ", +" + std::to_string(size_) +
                          ") lie outside " + parent_->name() + " (" + std::to_string(parent_size) +
                          " bytes)",
                      name_);
  }
}

void SubByteSource::ReadAt(std::uint64_t offset, std::size_t length, void* dst) {
  CheckRange(offset, length, size_, name_);
  parent_->ReadAt(offset_ + offset, length, dst);
}

void MemoryByteSource::ReadAt(std::uint64_t offset, std::size_t length, void* dst) {
  CheckRange(offset, length, bytes_.size(), name_);
  if (length > 0) std::memcpy(dst, bytes_.data() + offset, length);
}

}  // namespace rankme::io
