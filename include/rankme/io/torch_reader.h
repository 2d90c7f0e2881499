#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "rankme/core/row_stream.h"
#include "rankme/io/byte_source.h"
#include "rankme/io/tensor_listing.h"
#include "rankme/io/tensor_stream.h"

namespace rankme::io {

/// Largest `data.pkl` accepted: the pickle describes tensors, it does not hold their values.
inline constexpr std::uint64_t kMaxTorchPickleBytes = std::uint64_t{64} << 20;

/// Lists the tensors of a PyTorch file written by torch.save (zip format, torch ≥ 1.6): every
/// tensor reachable from the pickled object through dicts, OrderedDicts, lists and tuples, named
/// by keys and indices joined with '.'. A list or tuple of tensors whose shapes agree except in
/// the first dimension is one entry (rows concatenated), see ListTensors. Reads only the pickle
/// (through a restricted unpickler that executes nothing, see ParsePickle). Throws FormatError
/// naming the source: not a zip archive, legacy pre-1.6 format, refused globals, storages smaller
/// than their views, bad byte order.
std::vector<TensorEntry> ListTorchTensors(std::shared_ptr<ByteSource> source);

/// Same, of the file at `path`; parsed once while the file stays the same (see OpenTorchFile).
std::vector<TensorEntry> ListTorchFile(const std::string& path);

/// "byteorder" and "version" records of the archive, when present.
std::map<std::string, std::string> TorchMetadata(std::shared_ptr<ByteSource> source);

/// Opens tensor `tensor` ("" = ChooseDefaultTensor of the listing) as a windowed RowStream,
/// honouring sizes, strides, storage offset and the archive's byte order. A concatenated list
/// entry streams its elements one after another, holding one open at a time. Stored storages
/// are read in place; deflated ones (not written by torch) inflate as a stream.
std::unique_ptr<RowStream> OpenTorch(std::shared_ptr<ByteSource> source, const std::string& tensor,
                                     const StreamOptions& options);

/// Same, opening the file at `path`. The file's parsed zip directory and pickle are kept per
/// thread and reused by the next call for the same file while its identity (device, inode, size,
/// modification and change times) is unchanged: a file of T tensors is parsed once.
std::unique_ptr<RowStream> OpenTorchFile(const std::string& path, const std::string& tensor,
                                         const StreamOptions& options);

}  // namespace rankme::io
