#include "rankme/io/tensor_listing.h"

#include <algorithm>
#include <memory>

#include "rankme/core/error.h"
#include "rankme/io/file.h"
#include "rankme/io/npy_reader.h"
#include "rankme/io/npz_reader.h"
#include "rankme/io/safetensors_reader.h"
#include "rankme/io/torch_reader.h"

namespace rankme::io {

namespace {

enum class Format { kNpy, kNpz, kSafetensors, kTorch };

Format FormatOf(const std::string& path) {
  const std::size_t dot = path.rfind('.');
  const std::size_t slash = path.rfind('/');
  std::string extension = dot == std::string::npos || (slash != std::string::npos && dot < slash)
                              ? ""
                              : path.substr(dot);
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (extension == ".npy") return Format::kNpy;
  if (extension == ".npz") return Format::kNpz;
  if (extension == ".safetensors") return Format::kSafetensors;
  if (extension == ".pt" || extension == ".pth") return Format::kTorch;
  throw FormatError("unsupported file type '" + (extension.empty() ? "(none)" : extension) +
                        "' (supported: .npy, .npz, .safetensors, .pt, .pth)",
                    path);
}

// The names for a message: the first twenty, then how many more (a file may hold thousands).
std::string NameList(const std::vector<TensorEntry>& entries) {
  constexpr std::size_t kShown = 20;
  std::string names;
  for (std::size_t i = 0; i < entries.size() && i < kShown; ++i) {
    if (!names.empty()) names += ", ";
    names += entries[i].name.empty() ? "\"\"" : entries[i].name;
  }
  if (entries.size() > kShown) names += " and " + std::to_string(entries.size() - kShown) + " more";
  return names;
}

std::string LastComponent(const std::string& name) {
  const std::size_t dot = name.rfind('.');
  return dot == std::string::npos ? name : name.substr(dot + 1);
}

}  // namespace

std::vector<TensorEntry> ListTensors(const std::string& path) {
  const Format format = FormatOf(path);
  // Containers come from the readers' per-file caches: shards list their file once per tensor.
  if (format == Format::kNpz) return ListNpzFile(path);
  if (format == Format::kTorch) return ListTorchFile(path);
  FileByteSource source{File(path)};
  if (format == Format::kSafetensors) return SafetensorsEntries(ReadSafetensorsHeader(source));
  const NpyHeader header = ReadNpyHeader(source);
  return {{"", header.shape, header.dtype, header.data_bytes}};
}

std::map<std::string, std::string> FileMetadata(const std::string& path) {
  const Format format = FormatOf(path);
  if (format == Format::kSafetensors) {
    FileByteSource source{File(path)};
    return ReadSafetensorsHeader(source).metadata;
  }
  if (format == Format::kTorch) return TorchMetadata(std::make_shared<FileByteSource>(File(path)));
  return {};
}

std::string ChooseDefaultTensor(const std::vector<TensorEntry>& entries, const std::string& path) {
  if (entries.empty()) throw DataError("the file holds no tensor", path);
  if (entries.size() == 1) return entries.front().name;
  for (const char* preferred : kPreferredTensorNames) {
    for (const TensorEntry& entry : entries) {
      if (entry.name == preferred) return entry.name;
    }
  }
  for (const char* preferred : kPreferredTensorNames) {
    const TensorEntry* match = nullptr;
    int matches = 0;
    for (const TensorEntry& entry : entries) {
      if (LastComponent(entry.name) == preferred) {
        match = &entry;
        ++matches;
      }
    }
    if (matches == 1) return match->name;
  }
  throw UsageError(
      "the file holds " + std::to_string(entries.size()) +
          " tensors and none is a default; pick one with FILE#NAME: " + NameList(entries),
      path);
}

const TensorEntry& FindTensorEntry(const std::vector<TensorEntry>& entries, const std::string& name,
                                   const std::string& path) {
  for (const TensorEntry& entry : entries) {
    if (entry.name == name) return entry;
  }
  throw UsageError("no tensor named '" + name + "'; the file holds: " + NameList(entries), path);
}

}  // namespace rankme::io
