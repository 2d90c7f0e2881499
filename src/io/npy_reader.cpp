#include "rankme/io/npy_reader.h"

#include <array>
#include <cstring>
#include <optional>
#include <utility>

#include "io/checked_math_internal.h"
#include "io/py_literal_internal.h"
#include "rankme/core/error.h"

namespace rankme::io {

namespace {

constexpr std::string_view kMagic = "\x93NUMPY";

struct DescrEntry {
  char kind;  ///< numpy's type character: 'f', 'i', 'u', 'b'
  std::size_t size;
  DType dtype;
};

constexpr std::array<DescrEntry, 12> kDescrs = {{
    {'f', 2, DType::kFloat16},
    {'f', 4, DType::kFloat32},
    {'f', 8, DType::kFloat64},
    {'i', 1, DType::kInt8},
    {'i', 2, DType::kInt16},
    {'i', 4, DType::kInt32},
    {'i', 8, DType::kInt64},
    {'u', 1, DType::kUInt8},
    {'u', 2, DType::kUInt16},
    {'u', 4, DType::kUInt32},
    {'u', 8, DType::kUInt64},
    {'b', 1, DType::kBool},
}};

/// What numpy calls the types rankme refuses, for the message.
std::string UnsupportedKindName(char kind, std::string_view size) {
  switch (kind) {
    case 'c':
      return size == "8" ? "complex64" : size == "16" ? "complex128" : "complex";
    case 'f':
      return size == "16" ? "float128 / longdouble" : "float of that size";
    case 'O':
      return "Python objects";
    case 'S':
    case 'a':
      return "byte strings";
    case 'U':
      return "unicode strings";
    case 'V':
      return "raw void bytes";
    case 'M':
      return "datetime64";
    case 'm':
      return "timedelta64";
    default:
      return "";
  }
}

std::string Abbreviate(std::string_view text) {
  constexpr std::size_t kMax = 60;
  return text.size() <= kMax ? std::string(text) : std::string(text.substr(0, kMax)) + "...";
}

std::pair<DType, ByteOrder> ParseDescr(std::string_view descr, const std::string& source) {
  auto refuse = [&]() -> std::pair<DType, ByteOrder> {
    const std::string rest(descr.size() > 1 ? descr.substr(1) : descr);
    const std::string name = rest.empty()
                                 ? std::string()
                                 : UnsupportedKindName(rest[0], std::string_view(rest).substr(1));
    throw FormatError("unsupported dtype '" + Abbreviate(descr) + "'" +
                          (name.empty() ? std::string() : " (" + name + ")"),
                      source);
  };
  if (descr.size() < 2) return refuse();
  ByteOrder order = kNativeByteOrder;
  switch (descr[0]) {
    case '<':
      order = ByteOrder::kLittle;
      break;
    case '>':
      order = ByteOrder::kBig;
      break;
    case '=':
    case '|':
      order = kNativeByteOrder;
      break;
    default:
      return refuse();
  }
  const std::string_view size_text = descr.substr(2);
  if (size_text.empty() || size_text.size() > 2) return refuse();
  std::size_t size = 0;
  for (char c : size_text) {
    if (c < '0' || c > '9') return refuse();
    size = size * 10 + static_cast<std::size_t>(c - '0');
  }
  for (const DescrEntry& entry : kDescrs) {
    if (entry.kind == descr[1] && entry.size == size) return {entry.dtype, order};
  }
  return refuse();
}

const PyLiteral& RequireKey(const PyLiteral& dict, std::string_view key,
                            const std::string& source) {
  for (std::size_t i = 0; i + 1 < dict.items.size(); i += 2) {
    if (dict.items[i].text == key) return dict.items[i + 1];
  }
  throw FormatError("bad .npy header: no '" + std::string(key) + "' key", source);
}

}  // namespace

std::uint64_t NpyHeaderSize(std::string_view first_bytes, const std::string& source) {
  if (first_bytes.size() < kMagic.size() || first_bytes.substr(0, kMagic.size()) != kMagic) {
    throw FormatError("not a .npy file (no \\x93NUMPY magic at the start)", source);
  }
  if (first_bytes.size() < 8) throw FormatError("truncated .npy: no format version", source);
  const auto major = static_cast<unsigned char>(first_bytes[6]);
  const auto minor = static_cast<unsigned char>(first_bytes[7]);
  if ((major != 1 && major != 2 && major != 3) || minor != 0) {
    throw FormatError("unsupported .npy format version " + std::to_string(major) + "." +
                          std::to_string(minor) + " (supported: 1.0, 2.0, 3.0)",
                      source);
  }
  const std::size_t length_bytes = major == 1 ? 2 : 4;
  const std::size_t prefix = 8 + length_bytes;
  if (first_bytes.size() < prefix) {
    throw FormatError("truncated .npy: the file ends inside the header length", source);
  }
  std::uint64_t header_length = 0;
  for (std::size_t i = 0; i < length_bytes; ++i) {
    header_length |= static_cast<std::uint64_t>(static_cast<unsigned char>(first_bytes[8 + i]))
                     << (8 * i);
  }
  if (header_length > kMaxNpyHeaderBytes) {
    throw FormatError("bad .npy header: length " + std::to_string(header_length) +
                          " exceeds the limit of " + std::to_string(kMaxNpyHeaderBytes),
                      source);
  }
  return prefix + header_length;
}

NpyHeader ParseNpyHeader(std::string_view bytes, const std::string& source) {
  const std::uint64_t header_size = NpyHeaderSize(bytes, source);
  if (header_size > bytes.size()) {
    throw FormatError("truncated .npy: the header needs " + std::to_string(header_size) +
                          " bytes but there are " + std::to_string(bytes.size()),
                      source);
  }
  NpyHeader header;
  header.major_version = static_cast<unsigned char>(bytes[6]);
  header.minor_version = static_cast<unsigned char>(bytes[7]);
  header.data_offset = header_size;
  const std::size_t prefix = header.major_version == 1 ? 10 : 12;
  const std::string_view text = bytes.substr(prefix, header_size - prefix);

  const PyLiteral dict = ParsePyLiteral(text, source);
  if (dict.kind != PyLiteral::Kind::kDict) {
    throw FormatError("bad .npy header: not a dict", source);
  }
  for (std::size_t i = 0; i < dict.items.size(); i += 2) {
    const std::string& key = dict.items[i].text;
    if (key != "descr" && key != "fortran_order" && key != "shape") {
      throw FormatError("bad .npy header: unexpected key '" + Abbreviate(key) + "'", source);
    }
    for (std::size_t j = 0; j < i; j += 2) {
      if (dict.items[j].text == key) {
        throw FormatError("bad .npy header: key '" + key + "' appears twice", source);
      }
    }
  }

  const PyLiteral& descr = RequireKey(dict, "descr", source);
  if (descr.kind == PyLiteral::Kind::kList) {
    throw FormatError("unsupported structured dtype " + Abbreviate(descr.spelling) +
                          " (record arrays with named fields cannot be scored)",
                      source);
  }
  if (descr.kind != PyLiteral::Kind::kString) {
    throw FormatError("bad .npy header: 'descr' is not a string", source);
  }
  header.descr = descr.text;
  std::tie(header.dtype, header.byte_order) = ParseDescr(descr.text, source);

  const PyLiteral& fortran = RequireKey(dict, "fortran_order", source);
  if (fortran.kind != PyLiteral::Kind::kBool) {
    throw FormatError("bad .npy header: 'fortran_order' is not True or False", source);
  }
  header.fortran_order = fortran.boolean;

  const PyLiteral& shape = RequireKey(dict, "shape", source);
  if (shape.kind != PyLiteral::Kind::kTuple) {
    throw FormatError("bad .npy header: 'shape' is not a tuple", source);
  }
  std::uint64_t elements = 1;
  for (const PyLiteral& dim : shape.items) {
    if (dim.kind != PyLiteral::Kind::kInt) {
      throw FormatError(
          "bad .npy header: shape " + Abbreviate(shape.spelling) + " holds a non-integer", source);
    }
    header.shape.push_back(dim.integer);
  }
  for (std::int64_t dim : header.shape) {
    if (dim < 0) {
      throw FormatError("negative dimension in shape " + FormatShape(header.shape), source);
    }
    const auto next = CheckedMul(elements, static_cast<std::uint64_t>(dim));
    if (!next || *next > static_cast<std::uint64_t>(INT64_MAX)) {
      throw FormatError(
          "shape " + FormatShape(header.shape) + " has more elements than 64 bits count", source);
    }
    elements = *next;
  }
  const auto data_bytes = CheckedMul(elements, static_cast<std::uint64_t>(DTypeSize(header.dtype)));
  if (!data_bytes || *data_bytes > static_cast<std::uint64_t>(INT64_MAX)) {
    throw FormatError("shape " + FormatShape(header.shape) + " " +
                          std::string(DTypeName(header.dtype)) +
                          " needs more bytes than 64 bits count",
                      source);
  }
  header.element_count = elements;
  header.data_bytes = *data_bytes;
  return header;
}

NpyHeader ReadNpyHeader(ByteSource& source) {
  const std::uint64_t size = source.size();
  std::string prefix(static_cast<std::size_t>(std::min<std::uint64_t>(size, kNpyPrefixBytes)),
                     '\0');
  source.ReadAt(0, prefix.size(), prefix.data());
  const std::uint64_t header_size = NpyHeaderSize(prefix, source.name());
  if (header_size > size) {
    throw FormatError("truncated .npy: the header needs " + std::to_string(header_size) +
                          " bytes but the file has " + std::to_string(size),
                      source.name());
  }
  std::string bytes(static_cast<std::size_t>(header_size), '\0');  // <= kMaxNpyHeaderBytes
  source.ReadAt(0, bytes.size(), bytes.data());
  return ParseNpyHeader(bytes, source.name());
}

TensorLayout NpyLayout(const NpyHeader& header) {
  TensorLayout layout;
  layout.dtype = header.dtype;
  layout.byte_order = header.byte_order;
  layout.shape = header.shape;
  layout.offset = header.data_offset;
  if (header.fortran_order && header.shape.size() > 1 && header.element_count > 0) {
    // Column-major: the first index varies fastest. The products fit: they divide the count.
    layout.strides.resize(header.shape.size());
    std::int64_t stride = 1;
    for (std::size_t i = 0; i < header.shape.size(); ++i) {
      layout.strides[i] = stride;
      stride *= header.shape[i];
    }
  }
  return layout;
}

std::unique_ptr<RowStream> OpenNpySource(std::shared_ptr<ByteSource> source,
                                         std::string source_name, const StreamOptions& options) {
  RANKME_CHECK(source != nullptr);
  NpyHeader header;
  try {
    header = ReadNpyHeader(*source);
  } catch (const FormatError& e) {
    if (e.path() == source_name) throw;
    throw FormatError(e.message(), source_name);
  }
  const std::uint64_t available = source->size() - header.data_offset;
  if (header.data_bytes > available) {
    throw FormatError("shape " + FormatShape(header.shape) + " " +
                          std::string(DTypeName(header.dtype)) + " needs " +
                          std::to_string(header.data_bytes) + " bytes of data but the file has " +
                          std::to_string(available) + " after its header",
                      source_name);
  }
  return OpenTensorStream(std::move(source), NpyLayout(header), std::move(source_name), options);
}

std::unique_ptr<RowStream> OpenNpy(const std::string& path, const StreamOptions& options) {
  auto source = std::make_shared<FileByteSource>(File(path));
  return OpenNpySource(std::move(source), path, options);
}

}  // namespace rankme::io
