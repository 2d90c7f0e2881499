#include "array_source.h"

#include <algorithm>
#include <cstring>
#include <thread>
#include <utility>
#include <vector>

#include "rankme/core/error.h"
#include "rankme/io/byte_source.h"

namespace py = pybind11;

namespace rankme::python {

namespace {

// Bytes read between two checks for Ctrl-C: a few milliseconds of scoring.
constexpr std::uint64_t kSignalCheckBytes = std::uint64_t{16} << 20;

// The bytes [base, base + size) of an array, every element of it inside.
class ArrayByteSource final : public io::ByteSource {
 public:
  ArrayByteSource(const std::byte* base, std::uint64_t size, std::string name)
      : base_(base), size_(size), name_(std::move(name)), owner_(std::this_thread::get_id()) {}

  std::uint64_t size() const override { return size_; }
  const std::string& name() const override { return name_; }

  void ReadAt(std::uint64_t offset, std::size_t length, void* dst) override {
    if (offset > size_ || length > size_ - offset) {
      throw FormatError("needs bytes [" + std::to_string(offset) + ", " +
                            std::to_string(offset + length) + ") but it has " +
                            std::to_string(size_),
                        name_);
    }
    if (std::this_thread::get_id() == owner_) {
      since_check_ += length;
      if (since_check_ >= kSignalCheckBytes) {
        since_check_ = 0;
        CheckSignals();
      }
    }
    if (length > 0) std::memcpy(dst, base_ + offset, length);
  }

 private:
  // Runs Python's signal handlers; a KeyboardInterrupt (or any exception they raise) leaves as
  // error_already_set, which unwinds the computation like any error of the stream.
  static void CheckSignals() {
    const py::gil_scoped_acquire gil;
    if (PyErr_CheckSignals() != 0) throw py::error_already_set();
  }

  const std::byte* base_;
  std::uint64_t size_;
  std::string name_;
  std::thread::id owner_;
  std::uint64_t since_check_ = 0;
};

std::string DTypeText(const py::dtype& dtype) {
  return py::str(static_cast<py::handle>(dtype)).cast<std::string>();
}

struct DTypeAndOrder {
  DType dtype;
  ByteOrder order;
};

DTypeAndOrder ArrayDType(const py::array& array, const ArrayStreamOptions& options) {
  const py::dtype dtype = array.dtype();
  const char kind = dtype.kind();
  const auto size = static_cast<std::size_t>(dtype.itemsize());
  const char byteorder = dtype.attr("byteorder").cast<std::string>().at(0);
  const ByteOrder order = byteorder == '>' ? ByteOrder::kBig : ByteOrder::kLittle;
  if (options.dtype == "bfloat16") {
    if ((kind == 'i' || kind == 'u') && size == 2) return {DType::kBFloat16, order};
    throw FormatError(
        "bfloat16 needs a 2-byte integer view of the tensor, got dtype '" + DTypeText(dtype) + "'",
        options.name);
  }
  struct Entry {
    char kind;
    std::size_t size;
    DType dtype;
  };
  static constexpr Entry kEntries[] = {
      {'b', 1, DType::kBool},    {'i', 1, DType::kInt8},    {'u', 1, DType::kUInt8},
      {'i', 2, DType::kInt16},   {'u', 2, DType::kUInt16},  {'i', 4, DType::kInt32},
      {'u', 4, DType::kUInt32},  {'i', 8, DType::kInt64},   {'u', 8, DType::kUInt64},
      {'f', 2, DType::kFloat16}, {'f', 4, DType::kFloat32}, {'f', 8, DType::kFloat64},
  };
  for (const Entry& entry : kEntries) {
    if (entry.kind == kind && entry.size == size) return {entry.dtype, order};
  }
  throw FormatError("unsupported dtype '" + DTypeText(dtype) +
                        "' (supported: float16, bfloat16 (torch), float32, float64, integers, "
                        "bool)",
                    options.name);
}

}  // namespace

std::unique_ptr<RowStream> OpenArrayStream(const py::array& array,
                                           const ArrayStreamOptions& options) {
  const DTypeAndOrder type = ArrayDType(array, options);
  const auto item = static_cast<std::int64_t>(array.itemsize());
  io::TensorLayout layout;
  layout.dtype = type.dtype;
  layout.byte_order = type.order;
  // Extents of the addressed bytes relative to element [0, 0, ...], from the byte strides.
  const auto ndim = static_cast<std::size_t>(array.ndim());
  layout.shape.resize(ndim);
  layout.strides.resize(ndim);
  std::int64_t low = 0;
  std::int64_t high = 0;
  bool empty = false;
  for (std::size_t i = ndim; i-- > 0;) {
    const std::int64_t extent = array.shape(static_cast<py::ssize_t>(i));
    const std::int64_t stride = array.strides(static_cast<py::ssize_t>(i));
    layout.shape[i] = extent;
    if (extent == 0) empty = true;
    if (extent <= 1) {
      // numpy leaves a unit dimension's stride arbitrary; the C-order value lets the engine
      // merge it with its neighbour, and it addresses no byte either way.
      layout.strides[i] =
          i + 1 < ndim ? layout.strides[i + 1] * std::max<std::int64_t>(layout.shape[i + 1], 1) : 1;
      continue;
    }
    if (stride % item != 0) {
      throw FormatError("stride of " + std::to_string(stride) + " bytes in dimension " +
                            std::to_string(i) + " is not a whole number of " +
                            std::to_string(item) + "-byte elements",
                        options.name);
    }
    layout.strides[i] = stride / item;
    (stride < 0 ? low : high) += (extent - 1) * stride;
  }
  const auto* data = static_cast<const std::byte*>(array.data());
  std::uint64_t size = 0;
  if (!empty) {
    size = static_cast<std::uint64_t>(high - low + item);
    layout.offset = static_cast<std::uint64_t>(-low);
  } else {
    layout.strides.clear();  // nothing is addressed
  }
  auto source = std::make_shared<ArrayByteSource>(empty ? data : data + low, size, options.name);
  return io::OpenTensorStream(std::move(source), layout, options.name, options.stream);
}

}  // namespace rankme::python
