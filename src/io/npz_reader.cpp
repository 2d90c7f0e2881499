#include "rankme/io/npz_reader.h"

#include <utility>

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

}  // namespace

std::vector<TensorEntry> ListNpzTensors(std::shared_ptr<ByteSource> source) {
  const std::shared_ptr<ZipArchive> archive = ZipArchive::Open(std::move(source));
  std::vector<TensorEntry> entries;
  for (const ZipMember& member : archive->members()) {
    if (!IsArrayMember(member)) continue;
    const std::shared_ptr<ByteSource> bytes = archive->OpenMember(member);
    const NpyHeader header = ReadNpyHeader(*bytes);
    entries.push_back({ArrayName(member), header.shape, header.dtype, header.data_bytes});
  }
  return entries;
}

std::unique_ptr<RowStream> OpenNpz(std::shared_ptr<ByteSource> source, const std::string& tensor,
                                   const StreamOptions& options) {
  const std::string path = source->name();
  const std::shared_ptr<ZipArchive> archive = ZipArchive::Open(std::move(source));
  std::string name = tensor;
  if (name.empty()) {
    // Only names are needed to choose, so no member is opened for the listing.
    std::vector<TensorEntry> names;
    for (const ZipMember& member : archive->members()) {
      if (IsArrayMember(member)) names.push_back({ArrayName(member), {}, DType::kFloat32, 0});
    }
    name = ChooseDefaultTensor(names, path);
  }
  const ZipMember* member = archive->Find(name + std::string(kSuffix));
  if (member == nullptr) {
    std::vector<TensorEntry> names;
    for (const ZipMember& m : archive->members()) {
      if (IsArrayMember(m)) names.push_back({ArrayName(m), {}, DType::kFloat32, 0});
    }
    FindTensorEntry(names, name, path);  // throws, listing the names
  }
  return OpenNpySource(archive->OpenMember(*member), path + "#" + name, options);
}

std::unique_ptr<RowStream> OpenNpzFile(const std::string& path, const std::string& tensor,
                                       const StreamOptions& options) {
  return OpenNpz(std::make_shared<FileByteSource>(File(path)), tensor, options);
}

}  // namespace rankme::io
