#include "rankme/io/zip_archive.h"

#include <fmt/format.h>
#include <zip.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <exception>
#include <mutex>
#include <utility>
#include <vector>

#include "rankme/core/error.h"

namespace rankme::io {

namespace {

// Inflation skips forward through this much scratch space at a time.
constexpr std::size_t kSkipChunk = std::size_t{64} << 10;

// What libzip reads through: the archive's ByteSource, with the first read position recorded
// while `track` is set (used to locate a stored member's bytes, see StoredDataOffset).
struct CallbackState {
  ByteSource* source = nullptr;
  std::uint64_t position = 0;
  zip_error_t error{};
  std::exception_ptr exception;
  bool track = false;
  bool tracked = false;
  std::uint64_t first_read = 0;
};

zip_int64_t SourceCallback(void* user, void* data, zip_uint64_t length, zip_source_cmd_t command) {
  auto* state = static_cast<CallbackState*>(user);
  switch (command) {
    case ZIP_SOURCE_OPEN:
      state->position = 0;
      return 0;
    case ZIP_SOURCE_READ: {
      const std::uint64_t size = state->source->size();
      const std::uint64_t available = state->position < size ? size - state->position : 0;
      const std::uint64_t count = std::min<std::uint64_t>(length, available);
      if (state->track && !state->tracked) {
        state->tracked = true;
        state->first_read = state->position;
      }
      try {
        if (count > 0) state->source->ReadAt(state->position, count, data);
      } catch (...) {
        state->exception = std::current_exception();
        zip_error_set(&state->error, ZIP_ER_READ, EIO);
        return -1;
      }
      state->position += count;
      return static_cast<zip_int64_t>(count);
    }
    case ZIP_SOURCE_CLOSE:
      return 0;
    case ZIP_SOURCE_STAT: {
      auto* stat = static_cast<zip_stat_t*>(data);
      zip_stat_init(stat);
      stat->size = state->source->size();
      stat->valid |= ZIP_STAT_SIZE;
      return sizeof(*stat);
    }
    case ZIP_SOURCE_ERROR:
      return zip_error_to_data(&state->error, data, length);
    case ZIP_SOURCE_FREE:
      return 0;
    case ZIP_SOURCE_SEEK: {
      const zip_int64_t target = zip_source_seek_compute_offset(
          state->position, state->source->size(), data, length, &state->error);
      if (target < 0) return -1;
      state->position = static_cast<std::uint64_t>(target);
      return 0;
    }
    case ZIP_SOURCE_TELL:
      return static_cast<zip_int64_t>(state->position);
    case ZIP_SOURCE_SUPPORTS:
      return zip_source_make_command_bitmap(
          ZIP_SOURCE_OPEN, ZIP_SOURCE_READ, ZIP_SOURCE_CLOSE, ZIP_SOURCE_STAT, ZIP_SOURCE_ERROR,
          ZIP_SOURCE_FREE, ZIP_SOURCE_SEEK, ZIP_SOURCE_TELL, ZIP_SOURCE_SUPPORTS, -1);
    default:
      zip_error_set(&state->error, ZIP_ER_OPNOTSUPP, 0);
      return -1;
  }
}

std::uint16_t Le16(const unsigned char* p) { return static_cast<std::uint16_t>(p[0] | p[1] << 8); }

}  // namespace

struct ZipArchive::Handle {
  CallbackState state;
  zip_t* zip = nullptr;
  ~Handle() {
    if (zip != nullptr) zip_discard(zip);
    zip_error_fini(&state.error);
  }
  // Rethrows an exception the ByteSource raised inside a libzip call, else throws FormatError.
  [[noreturn]] void Fail(const std::string& what, const char* detail, const std::string& name) {
    if (state.exception) {
      std::exception_ptr exception = std::exchange(state.exception, nullptr);
      std::rethrow_exception(exception);
    }
    throw FormatError(what + ": " + detail, name);
  }
};

// A deflated (or otherwise unmappable) member, inflated as a forward stream. Holds one libzip
// file handle and a fixed scratch buffer; never reads past the declared size except one probe
// byte at the end that makes libzip check the CRC.
class ZipArchive::InflatingSource final : public ByteSource {
 public:
  InflatingSource(std::shared_ptr<ZipArchive> archive, ZipMember member)
      : archive_(std::move(archive)),
        member_(std::move(member)),
        name_(archive_->name() + ":" + member_.name) {
    Reopen();
  }
  ~InflatingSource() override {
    if (file_ != nullptr) zip_fclose(file_);
  }
  std::uint64_t size() const override { return member_.size; }
  const std::string& name() const override { return name_; }
  bool streams_only() const override { return true; }

  void ReadAt(std::uint64_t offset, std::size_t length, void* dst) override {
    if (offset > member_.size || length > member_.size - offset) {
      throw FormatError("needs bytes [" + std::to_string(offset) + ", +" + std::to_string(length) +
                            ") but the member has " + std::to_string(member_.size),
                        name_);
    }
    if (offset < position_) Reopen();
    if (position_ < offset && scratch_.empty()) scratch_.resize(kSkipChunk);
    while (position_ < offset) {
      Read(scratch_.data(), std::min<std::uint64_t>(scratch_.size(), offset - position_));
    }
    Read(dst, length);
    if (position_ == member_.size && !checked_end_) {
      // libzip verifies size and CRC when it reaches the end of the compressed data.
      unsigned char probe = 0;
      const zip_int64_t got = zip_fread(file_, &probe, 1);
      if (got < 0) Fail("cannot inflate");
      if (got > 0) {
        throw FormatError(
            "member holds more bytes than the " + std::to_string(member_.size) + " it declares",
            name_);
      }
      checked_end_ = true;
    }
  }

 private:
  void Reopen() {
    if (file_ != nullptr) zip_fclose(file_);
    file_ = zip_fopen_index(archive_->handle_->zip, member_.index, 0);
    if (file_ == nullptr) {
      archive_->handle_->Fail("cannot open member", zip_strerror(archive_->handle_->zip), name_);
    }
    position_ = 0;
    checked_end_ = false;
  }

  void Read(void* dst, std::uint64_t length) {
    auto* out = static_cast<unsigned char*>(dst);
    while (length > 0) {
      const zip_int64_t got = zip_fread(file_, out, length);
      if (got < 0) Fail("cannot inflate");
      if (got == 0) {
        throw FormatError("member ends after " + std::to_string(position_) +
                              " bytes but declares " + std::to_string(member_.size),
                          name_);
      }
      out += got;
      length -= static_cast<std::uint64_t>(got);
      position_ += static_cast<std::uint64_t>(got);
    }
  }

  [[noreturn]] void Fail(const std::string& what) {
    const std::string detail = zip_file_strerror(file_);
    archive_->handle_->Fail(what, detail.c_str(), name_);
  }

  std::shared_ptr<ZipArchive> archive_;
  ZipMember member_;
  std::string name_;
  zip_file_t* file_ = nullptr;
  std::uint64_t position_ = 0;
  bool checked_end_ = false;
  std::vector<unsigned char> scratch_;
};

namespace {

// A stored member read in place checks its CRC-32 as the reads advance (every row of a tensor
// is read, in order, so the check costs one CRC pass over bytes already in cache): a read that
// skips ahead reads the skipped bytes too, and the read that reaches the member's end compares
// the CRC with the archive's, throwing FormatError on a mismatch. (Deflated members are
// checked by libzip when it reaches their end.) Reads are serialised: the CRC runs in order.
class CrcCheckedSource final : public ByteSource {
 public:
  CrcCheckedSource(std::shared_ptr<ByteSource> inner, std::uint32_t expected)
      : inner_(std::move(inner)), expected_(expected) {}
  std::uint64_t size() const override { return inner_->size(); }
  const std::string& name() const override { return inner_->name(); }
  bool streams_only() const override { return inner_->streams_only(); }

  void ReadAt(std::uint64_t offset, std::size_t length, void* dst) override {
    std::lock_guard lock(mutex_);
    if (offset > verified_ && offset <= size()) {
      std::vector<unsigned char> gap(std::min<std::uint64_t>(offset - verified_, 1 << 20));
      while (verified_ < offset) {
        const std::size_t n =
            static_cast<std::size_t>(std::min<std::uint64_t>(gap.size(), offset - verified_));
        inner_->ReadAt(verified_, n, gap.data());
        Advance(gap.data(), n);
      }
    }
    inner_->ReadAt(offset, length, dst);
    if (offset <= verified_ && offset + length > verified_) {
      const auto* bytes = static_cast<const unsigned char*>(dst);
      const std::uint64_t skip = verified_ - offset;
      Advance(bytes + skip, static_cast<std::size_t>(length - skip));
    }
  }

 private:
  void Advance(const unsigned char* bytes, std::size_t n) {
    for (std::size_t done = 0; done < n;) {  // zlib's crc32 takes a 32-bit length
      const auto chunk = static_cast<uInt>(std::min<std::size_t>(n - done, 1u << 30));
      crc_ = ::crc32(crc_, bytes + done, chunk);
      done += chunk;
    }
    verified_ += n;
    if (verified_ == size() && crc_ != expected_) {
      throw FormatError(fmt::format("CRC-32 mismatch: the archive declares {:08x} but the bytes "
                                    "give {:08x} (the file is corrupt)",
                                    expected_, crc_),
                        name());
    }
  }

  std::shared_ptr<ByteSource> inner_;
  std::uint32_t expected_;
  std::mutex mutex_;
  std::uint64_t verified_ = 0;  // bytes [0, verified_) are in crc_
  uLong crc_ = ::crc32(0L, Z_NULL, 0);
};

}  // namespace

ZipArchive::ZipArchive(std::shared_ptr<ByteSource> source)
    : source_(std::move(source)), handle_(std::make_unique<Handle>()) {}

ZipArchive::~ZipArchive() = default;

std::shared_ptr<ZipArchive> ZipArchive::Open(std::shared_ptr<ByteSource> source) {
  RANKME_CHECK(source != nullptr);
  std::shared_ptr<ZipArchive> archive(new ZipArchive(std::move(source)));
  Handle& handle = *archive->handle_;
  handle.state.source = archive->source_.get();
  zip_error_init(&handle.state.error);

  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* zip_source = zip_source_function_create(SourceCallback, &handle.state, &error);
  if (zip_source == nullptr) {
    zip_error_fini(&error);
    throw std::bad_alloc();
  }
  handle.zip = zip_open_from_source(zip_source, ZIP_RDONLY | ZIP_CHECKCONS, &error);
  if (handle.zip == nullptr) {
    zip_source_free(zip_source);
    const std::string detail = zip_error_strerror(&error);
    zip_error_fini(&error);
    handle.Fail("not a readable zip archive", detail.c_str(), archive->name());
  }
  zip_error_fini(&error);

  const zip_int64_t count = zip_get_num_entries(handle.zip, 0);
  const std::uint64_t archive_size = archive->source_->size();
  for (zip_int64_t i = 0; i < count; ++i) {
    zip_stat_t stat;
    if (zip_stat_index(handle.zip, static_cast<zip_uint64_t>(i), 0, &stat) != 0) {
      handle.Fail("cannot read the directory entry", zip_strerror(handle.zip), archive->name());
    }
    constexpr zip_uint64_t kNeeded =
        ZIP_STAT_NAME | ZIP_STAT_SIZE | ZIP_STAT_COMP_SIZE | ZIP_STAT_COMP_METHOD;
    if ((stat.valid & kNeeded) != kNeeded || stat.name == nullptr) {
      throw FormatError("zip entry " + std::to_string(i) + " lacks a name or sizes",
                        archive->name());
    }
    ZipMember member{stat.name,      static_cast<std::uint64_t>(i),    stat.size,
                     stat.comp_size, stat.comp_method == ZIP_CM_STORE, std::nullopt};
    if (stat.valid & ZIP_STAT_CRC) member.crc = stat.crc;
    const std::string where = "zip member '" + member.name + "'";
    if (member.compressed_size > archive_size) {
      throw FormatError(where + " declares " + std::to_string(member.compressed_size) +
                            " compressed bytes, more than the archive holds",
                        archive->name());
    }
    if (member.stored && member.size != member.compressed_size) {
      throw FormatError(where + " is stored but declares different sizes", archive->name());
    }
    if (!member.stored && member.size / kMaxDeflateRatio > member.compressed_size) {
      throw FormatError(where + " declares " + std::to_string(member.size) + " bytes from " +
                            std::to_string(member.compressed_size) +
                            " compressed bytes, more than deflate can produce (zip bomb?)",
                        archive->name());
    }
    archive->members_.push_back(std::move(member));
  }
  return archive;
}

const ZipMember* ZipArchive::Find(const std::string& name) const {
  for (const ZipMember& member : members_) {
    if (member.name == name) return &member;
  }
  return nullptr;
}

// libzip has no public call for where a member's bytes start. For a stored member, the first
// byte libzip reads through our source when asked for the member's first byte is where its
// data lies. The guess is then checked independently: a local file header with this member's
// name must end exactly there, and the bytes must match what libzip returned. Returns
// UINT64_MAX when any check fails (the caller then streams the member through libzip).
std::uint64_t ZipArchive::StoredDataOffset(const ZipMember& member) {
  constexpr std::uint64_t kUnknown = UINT64_MAX;
  Handle& handle = *handle_;
  zip_file_t* file = zip_fopen_index(handle.zip, member.index, 0);
  if (file == nullptr) {
    handle.Fail("cannot open member '" + member.name + "'", zip_strerror(handle.zip), name());
  }
  std::array<unsigned char, 256> head{};
  const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(256, member.size));
  handle.state.track = true;
  handle.state.tracked = false;
  const zip_int64_t got = zip_fread(file, head.data(), want);
  handle.state.track = false;
  zip_fclose(file);
  if (got != static_cast<zip_int64_t>(want) || !handle.state.tracked) {
    if (handle.state.exception) handle.Fail("", "", name());
    return kUnknown;
  }
  const std::uint64_t data = handle.state.first_read;
  const std::uint64_t archive_size = source_->size();
  if (data > archive_size || member.size > archive_size - data) return kUnknown;
  std::array<unsigned char, 256> direct{};
  source_->ReadAt(data, want, direct.data());
  if (std::memcmp(direct.data(), head.data(), want) != 0) return kUnknown;

  // The local header (30 bytes + name + extra field of at most 65535 bytes) ends at `data`.
  const std::uint64_t name_length = member.name.size();
  const std::uint64_t fixed = 30 + name_length;
  if (data < fixed) return kUnknown;
  const std::uint64_t span = std::min<std::uint64_t>(data - fixed, 65535);
  std::vector<unsigned char> before(static_cast<std::size_t>(fixed + span));
  source_->ReadAt(data - before.size(), before.size(), before.data());
  for (std::uint64_t extra = 0; extra <= span; ++extra) {
    const unsigned char* header = before.data() + (span - extra);
    if (std::memcmp(header, "PK\x03\x04", 4) != 0) continue;
    if (Le16(header + 26) != name_length || Le16(header + 28) != extra) continue;
    if (std::memcmp(header + 30, member.name.data(), name_length) != 0) continue;
    return data;
  }
  return kUnknown;
}

std::shared_ptr<ByteSource> ZipArchive::OpenMember(const ZipMember& member) {
  RANKME_CHECK(member.index < members_.size());
  zip_stat_t stat;
  if (zip_stat_index(handle_->zip, member.index, 0, &stat) != 0) {
    handle_->Fail("cannot read the directory entry", zip_strerror(handle_->zip), name());
  }
  const std::string member_name = name() + ":" + member.name;
  if ((stat.valid & ZIP_STAT_ENCRYPTION_METHOD) && stat.encryption_method != ZIP_EM_NONE) {
    throw FormatError("member is encrypted", member_name);
  }
  if (!member.stored && stat.comp_method != ZIP_CM_DEFLATE) {
    throw FormatError("unsupported compression method " + std::to_string(stat.comp_method) +
                          " (only stored and deflate)",
                      member_name);
  }
  if (member.stored) {
    if (member.size == 0) return std::make_shared<SubByteSource>(source_, 0, 0, member_name);
    const std::uint64_t data = StoredDataOffset(member);
    if (data != UINT64_MAX) {
      auto window = std::make_shared<SubByteSource>(source_, data, member.size, member_name);
      if (!member.crc) return window;
      return std::make_shared<CrcCheckedSource>(std::move(window), *member.crc);
    }
  }
  return std::make_shared<InflatingSource>(shared_from_this(), member);
}

std::string ZipArchive::ReadMember(const ZipMember& member, std::uint64_t max_bytes) {
  if (member.size > max_bytes) {
    throw FormatError("member of " + std::to_string(member.size) + " bytes exceeds the limit of " +
                          std::to_string(max_bytes),
                      name() + ":" + member.name);
  }
  std::shared_ptr<ByteSource> source = OpenMember(member);
  std::string bytes(static_cast<std::size_t>(member.size), '\0');
  source->ReadAt(0, bytes.size(), bytes.data());
  return bytes;
}

}  // namespace rankme::io
