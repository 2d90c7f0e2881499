#include "rankme/io/torch_reader.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "io/checked_math_internal.h"
#include "io/file_identity_internal.h"
#include "io/torch_row_chain_internal.h"
#include "io/torch_tensor_names_internal.h"
#include "rankme/core/error.h"
#include "rankme/io/file.h"
#include "rankme/io/pickle_reader.h"
#include "rankme/io/zip_archive.h"

namespace rankme::io {

namespace {

using Candidate = TorchCandidate;

struct TorchContents {
  std::shared_ptr<ZipArchive> archive;
  std::string prefix;  ///< "archive/" part before data.pkl
  ByteOrder byte_order = ByteOrder::kLittle;
  std::map<std::string, std::string> metadata;
  PickleDocument document;
  std::vector<Candidate> candidates;
  std::map<std::string, std::string> ambiguous;  ///< see TorchTensorNames::ambiguous
};

void RefuseLegacy(ByteSource& source) {
  std::array<unsigned char, 14> head{};
  if (source.size() < 2) throw FormatError("too short for a PyTorch file", source.name());
  const std::size_t count = static_cast<std::size_t>(std::min<std::uint64_t>(14, source.size()));
  source.ReadAt(0, count, head.data());
  if (head[0] == 'P' && head[1] == 'K') return;
  // Pre-1.6 torch.save: protocol-2 pickle of the magic number 0x1950a86a20f9469cfc6c first.
  static constexpr std::array<unsigned char, 14> kLegacy = {
      0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19};
  if (count == kLegacy.size() && head == kLegacy) {
    throw FormatError(
        "legacy PyTorch format (before 1.6): re-save with torch.save(..., "
        "_use_new_zipfile_serialization=True) in a newer torch",
        source.name());
  }
  if (head[0] == 0x80) {
    throw FormatError("a bare pickle, not a PyTorch zip file (torch.save since 1.6)",
                      source.name());
  }
  throw FormatError("not a PyTorch file (no zip signature)", source.name());
}

TorchContents ReadContents(std::shared_ptr<ByteSource> source) {
  RefuseLegacy(*source);
  TorchContents contents;
  contents.archive = ZipArchive::Open(source);
  const ZipMember* pickle = nullptr;
  for (const ZipMember& member : contents.archive->members()) {
    const std::string& name = member.name;
    const std::size_t slash = name.find('/');
    if (slash != std::string::npos && name.compare(slash, std::string::npos, "/data.pkl") == 0) {
      pickle = &member;
      contents.prefix = name.substr(0, slash + 1);
      break;
    }
  }
  if (pickle == nullptr) {
    throw FormatError("zip archive without <name>/data.pkl: not a PyTorch file", source->name());
  }
  if (const ZipMember* order = contents.archive->Find(contents.prefix + "byteorder")) {
    const std::string text = contents.archive->ReadMember(*order, 16);
    if (text == "big") {
      contents.byte_order = ByteOrder::kBig;
    } else if (text != "little") {
      throw FormatError("unknown byteorder record '" + text + "'", source->name());
    }
    contents.metadata["byteorder"] = text;
  }
  if (const ZipMember* version = contents.archive->Find(contents.prefix + "version")) {
    std::string text = contents.archive->ReadMember(*version, 64);
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    contents.metadata["version"] = text;
  }
  const std::string pickle_name = source->name() + ":" + pickle->name;
  contents.document =
      ParsePickle(contents.archive->ReadMember(*pickle, kMaxTorchPickleBytes), pickle_name);
  TorchTensorNames names = FindTorchTensors(contents.document, pickle_name);
  contents.candidates = std::move(names.candidates);
  contents.ambiguous = std::move(names.ambiguous);
  return contents;
}

std::vector<std::int64_t> ChainShape(const TorchContents& contents, const Candidate& candidate) {
  std::vector<std::int64_t> shape = contents.document.tensors[candidate.tensors[0]].shape;
  if (candidate.tensors.size() > 1) {
    shape[0] = 0;
    for (std::size_t index : candidate.tensors)
      shape[0] += contents.document.tensors[index].shape[0];
  }
  return shape;
}

std::vector<TensorEntry> Entries(const TorchContents& contents) {
  std::vector<TensorEntry> entries;
  std::set<std::string> named;
  for (const Candidate& candidate : contents.candidates) {
    // An ambiguous name is listed once (opening it is refused, naming every tensor behind it).
    if (!candidate.listed || !named.insert(candidate.name).second) continue;
    const DType dtype = contents.document.tensors[candidate.tensors[0]].dtype;
    TensorEntry entry{candidate.name, ChainShape(contents, candidate), dtype, 0};
    std::uint64_t elements = 1;
    for (std::int64_t extent : entry.shape) {
      elements = CheckedMul(elements, static_cast<std::uint64_t>(extent)).value_or(UINT64_MAX);
    }
    entry.bytes = CheckedMul(elements, DTypeSize(dtype)).value_or(UINT64_MAX);
    entries.push_back(std::move(entry));
  }
  return entries;
}

// Checks a tensor's view against its storage and the storage against its member.
std::unique_ptr<RowStream> OpenOne(const TorchContents& contents, const PickleTensor& tensor,
                                   const std::string& source_name, const StreamOptions& options) {
  const ZipMember* member = contents.archive->Find(contents.prefix + "data/" + tensor.storage_key);
  if (member == nullptr) {
    throw FormatError("storage '" + tensor.storage_key + "' is missing from the archive",
                      source_name);
  }
  const std::uint64_t itemsize = DTypeSize(tensor.dtype);
  const auto storage_bytes = CheckedMul(static_cast<std::uint64_t>(tensor.storage_numel), itemsize);
  if (!storage_bytes || *storage_bytes > member->size) {
    throw FormatError("storage '" + tensor.storage_key + "' declares " +
                          std::to_string(tensor.storage_numel) + " elements but its member holds " +
                          std::to_string(member->size) + " bytes",
                      source_name);
  }
  bool empty = false;
  std::uint64_t last = static_cast<std::uint64_t>(tensor.storage_offset);
  for (std::size_t d = 0; d < tensor.shape.size(); ++d) {
    if (tensor.shape[d] == 0) empty = true;
    const auto step =
        CheckedMul(static_cast<std::uint64_t>(std::max<std::int64_t>(tensor.shape[d] - 1, 0)),
                   static_cast<std::uint64_t>(tensor.strides[d]));
    const auto sum = step ? CheckedAdd(last, *step) : std::nullopt;
    if (!sum) throw FormatError("tensor view extent overflows 64 bits", source_name);
    last = *sum;
  }
  if (!empty && last >= static_cast<std::uint64_t>(tensor.storage_numel)) {
    throw FormatError("tensor view reaches element " + std::to_string(last) + " but its storage '" +
                          tensor.storage_key + "' holds " + std::to_string(tensor.storage_numel),
                      source_name);
  }
  auto storage = std::make_shared<SubByteSource>(contents.archive->OpenMember(*member), 0,
                                                 *storage_bytes, source_name);
  TensorLayout layout;
  layout.dtype = tensor.dtype;
  layout.byte_order = contents.byte_order;
  layout.shape = tensor.shape;
  layout.strides = tensor.strides;
  layout.offset = static_cast<std::uint64_t>(tensor.storage_offset) * itemsize;
  return OpenTensorStream(std::move(storage), layout, source_name, options);
}

}  // namespace

std::vector<TensorEntry> ListTorchTensors(std::shared_ptr<ByteSource> source) {
  return Entries(ReadContents(std::move(source)));
}

std::map<std::string, std::string> TorchMetadata(std::shared_ptr<ByteSource> source) {
  return ReadContents(std::move(source)).metadata;
}

namespace {

// Opens `tensor` of a file's parsed contents (named `file_name` in messages).
std::unique_ptr<RowStream> OpenFromContents(std::shared_ptr<const TorchContents> contents,
                                            const std::string& file_name,
                                            const std::string& tensor,
                                            const StreamOptions& options) {
  const std::vector<TensorEntry> entries = Entries(*contents);
  const std::string name = tensor.empty() ? ChooseDefaultTensor(entries, file_name) : tensor;
  if (const auto it = contents->ambiguous.find(name); it != contents->ambiguous.end()) {
    throw FormatError(it->second, file_name);
  }
  const auto found = std::find_if(contents->candidates.begin(), contents->candidates.end(),
                                  [&](const Candidate& c) { return c.name == name; });
  if (found == contents->candidates.end()) {
    FindTensorEntry(entries, name, file_name);  // throws, listing the names
  }
  const std::string source_name = file_name + "#" + name;
  const Candidate& candidate = *found;
  if (candidate.tensors.size() == 1) {
    return OpenOne(*contents, contents->document.tensors[candidate.tensors[0]], source_name,
                   options);
  }
  // Per-batch list: chain the elements; the first is opened now to learn the columns (and to
  // refuse an unflattened rank > 2 shape early).
  const PickleTensor& first = contents->document.tensors[candidate.tensors[0]];
  MatrixInfo info = OpenOne(*contents, first, source_name + ".0", options)->info();
  info.shape = ChainShape(*contents, candidate);
  info.rows = info.shape[0];
  info.source = source_name;
  std::vector<RowChainPart> parts;
  for (std::size_t i = 0; i < candidate.tensors.size(); ++i) {
    const std::size_t index = candidate.tensors[i];
    const std::string part_name = source_name + "." + std::to_string(i);
    parts.push_back(
        {contents->document.tensors[index].shape[0], [contents, index, part_name, options]() {
           return OpenOne(*contents, contents->document.tensors[index], part_name, options);
         }});
  }
  return std::make_unique<RowChain>(std::move(info), std::move(parts));
}

}  // namespace

std::unique_ptr<RowStream> OpenTorch(std::shared_ptr<ByteSource> source, const std::string& tensor,
                                     const StreamOptions& options) {
  auto contents = std::make_shared<const TorchContents>(ReadContents(source));
  return OpenFromContents(std::move(contents), source->name(), tensor, options);
}

std::unique_ptr<RowStream> OpenTorchFile(const std::string& path, const std::string& tensor,
                                         const StreamOptions& options) {
  // A file of T tensors is parsed once, not T times (3000 tensors: 112 s).
  return OpenFromContents(ReadOncePerIdentity<TorchContents>(path, ReadContents), path, tensor,
                          options);
}

std::vector<TensorEntry> ListTorchFile(const std::string& path) {
  return Entries(*ReadOncePerIdentity<TorchContents>(path, ReadContents));
}

}  // namespace rankme::io
