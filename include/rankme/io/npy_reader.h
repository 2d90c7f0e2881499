#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "rankme/core/dtype.h"
#include "rankme/core/row_stream.h"
#include "rankme/io/byte_source.h"
#include "rankme/io/tensor_stream.h"

namespace rankme::io {

/// What a .npy header says (numpy's format, versions 1.0, 2.0 and 3.0).
struct NpyHeader {
  int major_version = 1;
  int minor_version = 0;
  std::string descr;  ///< as written, e.g. "<f4"
  DType dtype = DType::kFloat32;
  ByteOrder byte_order = kNativeByteOrder;
  bool fortran_order = false;
  std::vector<std::int64_t> shape;  ///< every dim >= 0, product fits in 64 bits
  std::uint64_t data_offset = 0;    ///< bytes before the data: prefix + header length
  std::uint64_t element_count = 0;  ///< product of shape (1 for shape ())
  std::uint64_t data_bytes = 0;     ///< element_count × item size (fits in 64 bits)
};

/// Bytes of the fixed prefix: magic (6), version (2), header length (2 in 1.0, 4 in 2.0/3.0).
/// Reading this many bytes (or the whole source if shorter) suffices for NpyHeaderSize.
inline constexpr std::size_t kNpyPrefixBytes = 12;
/// Headers longer than this are refused (numpy writes a few hundred bytes).
inline constexpr std::uint64_t kMaxNpyHeaderBytes = std::uint64_t{1} << 20;

/// From the first bytes of a .npy (at least 10 for version 1.0, 12 otherwise), the total size of
/// prefix + header, i.e. the data offset. Pure. Throws FormatError naming `source` for a bad
/// magic, an unknown version, too few bytes, or a header over kMaxNpyHeaderBytes.
std::uint64_t NpyHeaderSize(std::string_view first_bytes, const std::string& source);

/// Parses a .npy prefix and header dict from `bytes` (at least NpyHeaderSize bytes; more, e.g.
/// the whole file, is fine). Pure: no disk. Checks the header length against bytes.size()
/// before using it; parses the dict strictly (keys 'descr', 'fortran_order', 'shape', each once,
/// in any order). Throws FormatError naming `source` for anything malformed, for negative dims,
/// a shape whose element or byte count overflows 64 bits, and for dtypes rankme cannot score
/// (object, structured, complex, strings, datetime, ...), naming the dtype.
NpyHeader ParseNpyHeader(std::string_view bytes, const std::string& source);

/// Reads and parses the header at the start of `source` (reads only the header's bytes).
/// Throws like ParseNpyHeader, naming source.name(); IoError when the read fails.
NpyHeader ReadNpyHeader(ByteSource& source);

/// The TensorLayout of a parsed header's data (C or Fortran order) inside the same source.
TensorLayout NpyLayout(const NpyHeader& header);

/// Opens the .npy held by `source` (a file or a stored archive member) as a RowStream. Checks
/// that the data the shape implies fits in source->size() after the header (trailing bytes are
/// allowed), then as OpenTensorStream. Errors name `source_name`.
std::unique_ptr<RowStream> OpenNpySource(std::shared_ptr<ByteSource> source,
                                         std::string source_name, const StreamOptions& options);

/// Opens the .npy file at `path`. Throws IoError (cannot open), FormatError (not a valid .npy,
/// unsupported dtype, data shorter than the shape implies), DataError (not a 2-D matrix, unless
/// options.flatten for rank > 2), all naming `path`.
std::unique_ptr<RowStream> OpenNpy(const std::string& path, const StreamOptions& options);

}  // namespace rankme::io
