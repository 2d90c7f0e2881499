#pragma once

// Module-private: a file's contents parsed once while the file stays the same. Ingest opens a
// file's tensors one after another; a reader whose container must be parsed before any tensor
// (a zip's central directory, a pickle) keeps the last file it parsed, per thread, and reuses
// it while the file's identity is unchanged, so a file of T tensors is parsed once, not T times.

#include <sys/stat.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "rankme/io/byte_source.h"
#include "rankme/io/file.h"

namespace rankme::io {

/// Device, inode, size, modification and change times of a file. The change time cannot be set
/// by a user, so equal identities are the same bytes.
struct FileIdentity {
  dev_t device = 0;
  ino_t inode = 0;
  off_t size = 0;
  std::int64_t mtime_ns = 0, ctime_ns = 0;
  bool operator==(const FileIdentity&) const = default;
};

/// The identity of the file at `path` (symlinks followed); nullopt when it cannot be read.
inline std::optional<FileIdentity> IdentityOf(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  return FileIdentity{st.st_dev, st.st_ino, st.st_size,
                      std::int64_t{st.st_mtim.tv_sec} * 1000000000 + st.st_mtim.tv_nsec,
                      std::int64_t{st.st_ctim.tv_sec} * 1000000000 + st.st_ctim.tv_nsec};
}

/// `read(source)` of the file at `path`, or what it returned last time in this thread for the
/// same path while the file's identity has not changed. The file is opened every time (so a file
/// gone or unreadable throws IoError as before); its identity is taken before and after opening,
/// and when the two differ (replaced meanwhile) nothing is reused or kept. One entry per
/// `Contents` type and thread: it holds the last file's descriptor and parsed contents.
template <typename Contents, typename Read>
std::shared_ptr<const Contents> ReadOncePerIdentity(const std::string& path, Read&& read) {
  struct LastFile {
    std::string path;
    FileIdentity identity;
    std::shared_ptr<const Contents> contents;
  };
  thread_local LastFile last;
  std::optional<FileIdentity> identity = IdentityOf(path);
  auto source = std::make_shared<FileByteSource>(File(path));
  if (identity != IdentityOf(path)) identity.reset();
  if (identity && last.contents && last.path == path && last.identity == *identity) {
    return last.contents;
  }
  auto contents = std::make_shared<const Contents>(read(std::move(source)));
  if (identity) {
    last = {path, *identity, contents};
  } else {
    last = {};
  }
  return contents;
}

}  // namespace rankme::io
