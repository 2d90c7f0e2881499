#pragma once

#include <memory>
#include <string>

#include "rankme/core/row_stream.h"
#include "rankme/io/tensor_stream.h"

namespace rankme::io {

/// A spec "PATH" or "PATH#TENSOR" split into its parts.
struct EmbeddingSpec {
  std::string path;
  std::string tensor;  ///< empty when the spec names no tensor
};

/// Splits `spec` at its last '#', unless the whole spec names an existing file (file names may
/// contain '#'). "a#b#c" is path "a#b", tensor "c"; "a.npy#" is path "a.npy", no tensor.
EmbeddingSpec SplitEmbeddingSpec(const std::string& spec);

/// Opens the embeddings `spec` names ("PATH" or "PATH#TENSOR", see SplitEmbeddingSpec) with the
/// reader its extension selects (case-insensitive). Supported: .npy (a single array: a non-empty
/// TENSOR is a UsageError), .npz, .safetensors, .pt/.pth (without TENSOR: ChooseDefaultTensor in
/// tensor_listing.h). Throws FormatError "unsupported file type '.xyz' (supported: ...)"
/// for any other extension, and whatever the reader throws (IoError, FormatError, DataError),
/// all naming the file.
std::unique_ptr<RowStream> OpenEmbeddings(const std::string& spec, const StreamOptions& options);

}  // namespace rankme::io
