// An array of the calling Python process as the engine's RowStream.
#pragma once

#include <pybind11/numpy.h>

#include <memory>
#include <string>

#include "rankme/core/row_stream.h"
#include "rankme/io/tensor_stream.h"

namespace rankme::python {

/// How the array's elements are read.
struct ArrayStreamOptions {
  /// Element type to read the bytes as; empty: the array's own dtype. "bfloat16" reads a 2-byte
  /// integer array (a torch bfloat16 tensor viewed as int16) as bfloat16.
  std::string dtype;
  io::StreamOptions stream;      ///< flatten, window size
  std::string name = "<array>";  ///< the path of every message
};

/// A RowStream over `array`'s memory, in place: rows are read through the engine's window
/// (io::OpenTensorStream, the reader of .npy files), so strides, Fortran order and negative
/// strides cost no copy of the array. The caller keeps `array` alive while the stream is used.
/// Reads on the thread that created the stream check for pending Python signals (Ctrl-C) about
/// every 16 MB, taking the GIL for the check; a pending KeyboardInterrupt is thrown as
/// pybind11::error_already_set. Throws FormatError for an unsupported dtype or strides that are
/// not whole elements, DataError for a shape the engine refuses (rank other than 2 without
/// flatten).
std::unique_ptr<RowStream> OpenArrayStream(const pybind11::array& array,
                                           const ArrayStreamOptions& options);

}  // namespace rankme::python
