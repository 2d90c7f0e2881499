#include "rankme/io/npz_reader.h"

#include <optional>
#include <unordered_map>
#include <utility>

#include "io/file_identity_internal.h"
#include "rankme/core/error.h"
#include "rankme/io/file.h"
#include "rankme/io/npy_reader.h"
#include "rankme/io/zip_archive.h"

namespace rankme::io {

namespace {

constexpr std::string_view kSuffix = ".npy";

bool IsArrayMember(const ZipMember& member) {
  return member.name.size() >= kSuffix.size() &&
         member.name.compare(member.name.size() - kSuffix.size(), kSuffix.size(), kSuffix) == 0;
}

std::string ArrayName(const ZipMember& member) {
  return member.name.substr(0, member.name.size() - kSuffix.size());
}

// An archive's central directory, read once, with its arrays by name.
struct NpzContents {
  std::shared_ptr<ZipArchive> archive;
  std::vector<const ZipMember*> arrays;  ///< the .npy members, in directory order
  std::unordered_map<std::string, const ZipMember*> by_name;
  /// The listing (every array's .npy header), read when first asked for.
  mutable std::optional<std::vector<TensorEntry>> entries;
};

NpzContents ReadContents(std::shared_ptr<ByteSource> source) {
  NpzContents contents;
  contents.archive = ZipArchive::Open(std::move(source));
  for (const ZipMember& member : contents.archive->members()) {
    if (!IsArrayMember(member)) continue;
    // Two members of one name: numpy reads one of them, so neither number could be trusted.
    if (!contents.by_name.emplace(ArrayName(member), &member).second) {
      throw FormatError("array '" + ArrayName(member) + "' appears twice in the archive",
                        contents.archive->name());
    }
    contents.arrays.push_back(&member);
  }
  return contents;
}

const std::vector<TensorEntry>& Entries(const NpzContents& contents) {
  if (!contents.entries) {
    std::vector<TensorEntry> entries;
    for (const ZipMember* member : contents.arrays) {
      const std::shared_ptr<ByteSource> bytes = contents.archive->OpenMember(*member);
      const NpyHeader header = ReadNpyHeader(*bytes);
      entries.push_back({ArrayName(*member), header.shape, header.dtype, header.data_bytes});
    }
    contents.entries = std::move(entries);
  }
  return *contents.entries;
}

std::unique_ptr<RowStream> OpenFromContents(const NpzContents& contents, const std::string& path,
                                            const std::string& tensor,
                                            const StreamOptions& options) {
  // Only names are needed to choose or to say what there is, so no member is opened for them.
  auto names = [&] {
    std::vector<TensorEntry> out;
    for (const ZipMember* member : contents.arrays) {
      out.push_back({ArrayName(*member), {}, DType::kFloat32, 0});
    }
    return out;
  };
  const std::string name = tensor.empty() ? ChooseDefaultTensor(names(), path) : tensor;
  const auto found = contents.by_name.find(name);
  if (found == contents.by_name.end()) FindTensorEntry(names(), name, path);  // throws
  return OpenNpySource(contents.archive->OpenMember(*found->second), path + "#" + name, options);
}

}  // namespace

std::vector<TensorEntry> ListNpzTensors(std::shared_ptr<ByteSource> source) {
  return Entries(ReadContents(std::move(source)));
}

std::vector<TensorEntry> ListNpzFile(const std::string& path) {
  return Entries(*ReadOncePerIdentity<NpzContents>(path, ReadContents));
}

std::unique_ptr<RowStream> OpenNpz(std::shared_ptr<ByteSource> source, const std::string& tensor,
                                   const StreamOptions& options) {
  const std::string path = source->name();
  return OpenFromContents(ReadContents(std::move(source)), path, tensor, options);
}

std::unique_ptr<RowStream> OpenNpzFile(const std::string& path, const std::string& tensor,
                                       const StreamOptions& options) {
  // A file of T arrays reads its central directory once, not T times.
  return OpenFromContents(*ReadOncePerIdentity<NpzContents>(path, ReadContents), path, tensor,
                          options);
}

}  // namespace rankme::io
