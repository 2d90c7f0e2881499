#include "rankme/io/embedding_reader.h"

#include <array>
#include <cctype>
#include <filesystem>
#include <string_view>
#include <system_error>

#include "rankme/core/error.h"
#include "rankme/io/npy_reader.h"
#include "rankme/io/npz_reader.h"
#include "rankme/io/safetensors_reader.h"
#include "rankme/io/torch_reader.h"

namespace rankme::io {

namespace {

using Opener = std::unique_ptr<RowStream> (*)(const EmbeddingSpec& spec,
                                              const StreamOptions& options);

std::unique_ptr<RowStream> OpenNpySpec(const EmbeddingSpec& spec, const StreamOptions& options) {
  auto stream = OpenNpy(spec.path, options);  // a missing or broken file is reported first
  if (!spec.tensor.empty()) {
    throw UsageError("a .npy file holds one unnamed array; '#" + spec.tensor +
                         "' selects a tensor only in files that hold several",
                     spec.path);
  }
  return stream;
}

// Multi-tensor formats: an empty tensor name picks the default (see ChooseDefaultTensor).
std::unique_ptr<RowStream> OpenNpzSpec(const EmbeddingSpec& spec, const StreamOptions& options) {
  return OpenNpzFile(spec.path, spec.tensor, options);
}

std::unique_ptr<RowStream> OpenSafetensorsSpec(const EmbeddingSpec& spec,
                                               const StreamOptions& options) {
  return OpenSafetensorsFile(spec.path, spec.tensor, options);
}

std::unique_ptr<RowStream> OpenTorchSpec(const EmbeddingSpec& spec, const StreamOptions& options) {
  return OpenTorchFile(spec.path, spec.tensor, options);
}

struct FileType {
  std::string_view extension;  ///< lower case, with the dot
  Opener open;
};

/// One line per supported file type.
constexpr std::array<FileType, 5> kFileTypes = {{
    {".npy", &OpenNpySpec},
    {".npz", &OpenNpzSpec},
    {".safetensors", &OpenSafetensorsSpec},
    {".pt", &OpenTorchSpec},
    {".pth", &OpenTorchSpec},
}};

std::string LowerExtension(const std::string& path) {
  std::string extension = std::filesystem::path(path).extension().string();
  for (char& c : extension) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return extension;
}

}  // namespace

EmbeddingSpec SplitEmbeddingSpec(const std::string& spec) {
  const std::size_t hash = spec.rfind('#');
  std::error_code error;
  if (hash == std::string::npos || std::filesystem::is_regular_file(spec, error)) {
    return {spec, ""};
  }
  return {spec.substr(0, hash), spec.substr(hash + 1)};
}

std::unique_ptr<RowStream> OpenEmbeddings(const std::string& spec, const StreamOptions& options) {
  const EmbeddingSpec parts = SplitEmbeddingSpec(spec);
  const std::string extension = LowerExtension(parts.path);
  for (const FileType& type : kFileTypes) {
    if (type.extension == extension) return type.open(parts, options);
  }
  std::string supported;
  for (const FileType& type : kFileTypes) {
    supported += (supported.empty() ? "" : ", ") + std::string(type.extension);
  }
  throw FormatError("unsupported file type '" + (extension.empty() ? "(none)" : extension) +
                        "' (supported: " + supported + ")",
                    parts.path);
}

}  // namespace rankme::io
