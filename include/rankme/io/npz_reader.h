#pragma once

#include <memory>
#include <string>
#include <vector>

#include "rankme/core/row_stream.h"
#include "rankme/io/byte_source.h"
#include "rankme/io/tensor_listing.h"
#include "rankme/io/tensor_stream.h"

namespace rankme::io {

/// Lists the arrays of an .npz archive (np.savez: stored members; np.savez_compressed: deflated
/// members), named by member name without ".npy"; members not ending in ".npy" are skipped.
/// Reads only each member's .npy header (a deflated member inflates just that far). Throws
/// FormatError naming the archive or "archive:member".
/// Two .npy members of one name (a zip may hold both; numpy reads one) are refused the same way.
std::vector<TensorEntry> ListNpzTensors(std::shared_ptr<ByteSource> source);

/// Same, of the file at `path`; its central directory and listing are kept per thread while the
/// file stays the same (see OpenNpzFile).
std::vector<TensorEntry> ListNpzFile(const std::string& path);

/// Opens array `tensor` ("" = ChooseDefaultTensor) of an .npz as a windowed RowStream: a stored
/// member is read in place, a deflated one inflates as a forward stream (memory bounded by the
/// window whatever the declared size; its CRC is checked when its last byte is read).
std::unique_ptr<RowStream> OpenNpz(std::shared_ptr<ByteSource> source, const std::string& tensor,
                                   const StreamOptions& options);

/// Same, opening the file at `path`. The archive's central directory is read once and kept per
/// thread while the file's identity (device, inode, size, modification and change times) is
/// unchanged: opening each of an archive's T arrays costs T lookups, not T directory reads.
std::unique_ptr<RowStream> OpenNpzFile(const std::string& path, const std::string& tensor,
                                       const StreamOptions& options);

}  // namespace rankme::io
