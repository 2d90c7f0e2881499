#include "rankme/report/output_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include "rankme/core/error.h"

namespace rankme::report {

namespace {

[[noreturn]] void ThrowErrno(const std::string& what, const std::string& path) {
  throw IoError(what + ": " + std::strerror(errno), path);
}

void WriteAll(int fd, const std::string& text, const std::string& path) {
  std::size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) ThrowErrno("cannot write", path);
    written += static_cast<std::size_t>(n);
  }
}

/// Follows a chain of symbolic links to the path they finally name (which need not exist yet),
/// so the link itself is kept and its target is replaced. Relative targets are resolved against
/// the folder of the link; a loop of links is an error.
std::string FollowLinks(const std::string& path) {
  std::string current = path;
  for (int hops = 0; hops < 40; ++hops) {
    struct stat info {};
    if (::lstat(current.c_str(), &info) != 0 || !S_ISLNK(info.st_mode)) return current;
    std::string target(PATH_MAX, '\0');
    const ssize_t n = ::readlink(current.c_str(), target.data(), target.size());
    if (n < 0) ThrowErrno("cannot read the symbolic link", current);
    target.resize(static_cast<std::size_t>(n));
    if (!target.empty() && target[0] != '/') {
      const std::size_t slash = current.rfind('/');
      if (slash != std::string::npos) target = current.substr(0, slash + 1) + target;
    }
    current = target;
  }
  errno = ELOOP;
  ThrowErrno("cannot write", path);
}

/// Writes straight into something that is not a regular file (a FIFO, a terminal, /dev/null):
/// replacing such a node by renaming over it would destroy it.
void WriteInPlace(const std::string& path, const std::string& text) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) ThrowErrno("cannot open for writing", path);
  try {
    WriteAll(fd, text, path);
  } catch (...) {
    ::close(fd);
    throw;
  }
  if (::close(fd) != 0) ThrowErrno("cannot close", path);
}

void ReplaceAtomically(const std::string& path, const std::string& text, mode_t mode) {
  std::string temp = path + ".tmp.XXXXXX";
  const int fd = ::mkstemp(temp.data());
  if (fd < 0) ThrowErrno("cannot write", path);
  auto fail = [&](const char* what) {
    const int saved = errno;
    ::close(fd);
    ::unlink(temp.c_str());
    errno = saved;
    ThrowErrno(what, path);
  };
  try {
    WriteAll(fd, text, path);
  } catch (...) {
    ::close(fd);
    ::unlink(temp.c_str());
    throw;
  }
  if (::fchmod(fd, mode) != 0) fail("cannot set permissions");
  if (::fsync(fd) != 0) fail("cannot flush");
  if (::close(fd) != 0) {
    const int saved = errno;
    ::unlink(temp.c_str());
    errno = saved;
    ThrowErrno("cannot close", path);
  }
  if (std::rename(temp.c_str(), path.c_str()) != 0) {
    const int saved = errno;
    ::unlink(temp.c_str());
    errno = saved;
    ThrowErrno("cannot rename into place", path);
  }
}

}  // namespace

OutputTarget WriteOutputFile(const std::string& path, const std::string& text) {
  if (path == "-") {
    if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size() || std::fflush(stdout)) {
      ThrowErrno("cannot write", "<stdout>");
    }
    return OutputTarget::kStdout;
  }
  const std::string target = FollowLinks(path);
  struct stat info {};
  if (::stat(target.c_str(), &info) == 0) {
    if (S_ISDIR(info.st_mode)) {
      throw IoError("is a folder; name a file to write", path);
    }
    if (!S_ISREG(info.st_mode)) {
      WriteInPlace(target, text);
      return OutputTarget::kInPlace;
    }
    // Keep the permissions of the file being replaced (as an editor saving it would).
    ReplaceAtomically(target, text, info.st_mode & 07777);
    return OutputTarget::kReplaced;
  }
  if (errno != ENOENT) ThrowErrno("cannot write", path);
  ReplaceAtomically(target, text, 0644);
  return OutputTarget::kReplaced;
}

}  // namespace rankme::report
