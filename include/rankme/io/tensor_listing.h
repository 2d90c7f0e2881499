#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "rankme/core/dtype.h"

namespace rankme::io {

/// One tensor an embedding file holds, as `rankme inspect` lists it.
struct TensorEntry {
  /// What `FILE#NAME` selects: "" for a bare .npy; the member name without ".npy" in an .npz;
  /// the key in a .safetensors file; in a PyTorch file, dict keys and list indices joined with
  /// '.', e.g. "feats.0" or "outputs.embeddings".
  std::string name;
  std::vector<std::int64_t> shape;  ///< as stored
  DType dtype = DType::kFloat32;
  std::uint64_t bytes = 0;  ///< product(shape) × itemsize
};

/// Lists the tensors of an embedding file (.npy, .npz, .safetensors, .pt, .pth), in file order,
/// reading only headers (and a PyTorch file's pickle). A PyTorch list or tuple of tensors whose
/// shapes agree in every dimension but the first (per-batch dumps) is listed as one entry, the
/// rows concatenated, under the list's name ("" for a top-level list); its elements stay
/// selectable one by one ("feats.3") but are not listed. Throws FormatError/IoError naming the
/// file, UsageError for an unknown extension.
std::vector<TensorEntry> ListTensors(const std::string& path);

/// File-level metadata: a .safetensors file's `__metadata__` map; for a PyTorch file "byteorder"
/// and "version" (of the serialization format) when present; empty for .npy/.npz.
std::map<std::string, std::string> FileMetadata(const std::string& path);

/// The preferred tensor names, in order, when a file holds several and none is named.
inline constexpr const char* kPreferredTensorNames[] = {"embeddings", "representations", "feats",
                                                        "features", "z"};

/// The tensor a file's spec without `#NAME` means. The rule: the only entry when there is one;
/// else the first of kPreferredTensorNames that is an entry's full name; else the first of them
/// that is the last '.'-component of exactly one entry's name (e.g. "outputs.embeddings").
/// Otherwise throws UsageError naming `path` and listing the candidates, so the user can pick one
/// with FILE#NAME. Also throws UsageError when `entries` is empty.
std::string ChooseDefaultTensor(const std::vector<TensorEntry>& entries,
                                const std::string& path = {});

/// The entry named `name`; throws UsageError naming `path` and listing the names when absent.
const TensorEntry& FindTensorEntry(const std::vector<TensorEntry>& entries, const std::string& name,
                                   const std::string& path);

}  // namespace rankme::io
