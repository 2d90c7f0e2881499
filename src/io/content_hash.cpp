#include "rankme/io/content_hash.h"

#include <sys/stat.h>
#include <xxhash.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <vector>

#include "rankme/core/error.h"
#include "rankme/io/file.h"

namespace rankme::io {

namespace {

struct StateDeleter {
  void operator()(XXH3_state_t* state) const { XXH3_freeState(state); }
};

struct stat StatOrThrow(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    throw IoError(std::string("cannot stat: ") + std::strerror(errno), path);
  }
  return st;
}

}  // namespace

std::string HashFiles(const std::vector<std::string>& paths) {
  std::unique_ptr<XXH3_state_t, StateDeleter> state(XXH3_createState());
  RANKME_CHECK(state != nullptr);
  XXH3_128bits_reset(state.get());
  constexpr std::size_t kBuffer = std::size_t{1} << 20;
  std::vector<char> buffer(kBuffer);
  for (const std::string& path : paths) {
    File file(path);
    const std::uint64_t size = file.size();
    XXH3_128bits_update(state.get(), &size, sizeof size);
    for (std::uint64_t offset = 0; offset < size;) {
      const std::size_t n =
          static_cast<std::size_t>(std::min<std::uint64_t>(kBuffer, size - offset));
      file.ReadAt(offset, n, buffer.data());
      XXH3_128bits_update(state.get(), buffer.data(), n);
      offset += n;
    }
  }
  const XXH128_hash_t hash = XXH3_128bits_digest(state.get());
  char hex[33];
  std::snprintf(hex, sizeof hex, "%016llx%016llx", static_cast<unsigned long long>(hash.high64),
                static_cast<unsigned long long>(hash.low64));
  return hex;
}

std::string StatKey(const std::vector<std::string>& paths) {
  std::string key;
  for (const std::string& path : paths) {
    const struct stat st = StatOrThrow(path);
    const long long mtime_ns =
        static_cast<long long>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
    if (!key.empty()) key += ';';
    key += std::to_string(st.st_size) + ":" + std::to_string(mtime_ns);
  }
  return key;
}

double NewestMtimeSeconds(const std::vector<std::string>& paths) {
  double newest = 0;
  for (const std::string& path : paths) {
    const struct stat st = StatOrThrow(path);
    newest = std::max(newest, static_cast<double>(st.st_mtim.tv_sec) + st.st_mtim.tv_nsec * 1e-9);
  }
  return newest;
}

}  // namespace rankme::io
