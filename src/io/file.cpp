#include "rankme/io/file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "rankme/core/error.h"

namespace rankme::io {

File::File(std::string path) : path_(std::move(path)) {
  // O_NONBLOCK: opening a FIFO (or a device) named like an embedding file must not wait for a
  // writer forever; such files are refused below. Regular files ignore the flag.
  fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd_ < 0) throw IoError(std::string("cannot open: ") + std::strerror(errno), path_);
  struct stat st {};
  if (::fstat(fd_, &st) != 0) {
    const int err = errno;
    ::close(fd_);
    fd_ = -1;
    throw IoError(std::string("cannot stat: ") + std::strerror(err), path_);
  }
  if (S_ISDIR(st.st_mode)) {
    ::close(fd_);
    fd_ = -1;
    throw IoError("is a directory, not a file", path_);
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd_);
    fd_ = -1;
    const char* kind = S_ISFIFO(st.st_mode)   ? "a FIFO"
                       : S_ISCHR(st.st_mode)  ? "a character device"
                       : S_ISBLK(st.st_mode)  ? "a block device"
                       : S_ISSOCK(st.st_mode) ? "a socket"
                                              : "a special file";
    throw IoError(std::string("is ") + kind + ", not a regular file", path_);
  }
  size_ = static_cast<std::uint64_t>(st.st_size);
  mtime_ns_ = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
}

File::~File() {
  if (fd_ >= 0) ::close(fd_);
}

File::File(File&& other) noexcept
    : path_(std::move(other.path_)),
      fd_(std::exchange(other.fd_, -1)),
      size_(other.size_),
      mtime_ns_(other.mtime_ns_) {}

File& File::operator=(File&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    path_ = std::move(other.path_);
    fd_ = std::exchange(other.fd_, -1);
    size_ = other.size_;
    mtime_ns_ = other.mtime_ns_;
  }
  return *this;
}

void File::ReadAt(std::uint64_t offset, std::size_t length, void* dst) const {
  if (offset > size_ || length > size_ - offset) {
    throw FormatError("needs bytes [" + std::to_string(offset) + ", " +
                          std::to_string(offset + length) + ") but the file has " +
                          std::to_string(size_),
                      path_);
  }
  auto* out = static_cast<char*>(dst);
  std::size_t done = 0;
  while (done < length) {
    const ssize_t n = ::pread(fd_, out + done, length - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      throw IoError(std::string("read failed: ") + std::strerror(errno), path_);
    }
    if (n == 0) {
      throw IoError("file shrank while being read (expected " + std::to_string(size_) + " bytes)",
                    path_);
    }
    done += static_cast<std::size_t>(n);
  }
}

void File::DropCache(std::uint64_t offset, std::uint64_t length) const {
  ::posix_fadvise(fd_, static_cast<off_t>(offset), static_cast<off_t>(length), POSIX_FADV_DONTNEED);
}

}  // namespace rankme::io
