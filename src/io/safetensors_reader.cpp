#include "rankme/io/safetensors_reader.h"

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "io/checked_math_internal.h"
#include "rankme/core/error.h"
#include "rankme/io/file.h"

namespace rankme::io {

namespace {

using Json = nlohmann::ordered_json;

std::optional<DType> SafetensorsDType(std::string_view code) {
  static constexpr std::array<std::pair<std::string_view, DType>, 13> kCodes = {{
      {"F16", DType::kFloat16},
      {"BF16", DType::kBFloat16},
      {"F32", DType::kFloat32},
      {"F64", DType::kFloat64},
      {"I8", DType::kInt8},
      {"I16", DType::kInt16},
      {"I32", DType::kInt32},
      {"I64", DType::kInt64},
      {"U8", DType::kUInt8},
      {"U16", DType::kUInt16},
      {"U32", DType::kUInt32},
      {"U64", DType::kUInt64},
      {"BOOL", DType::kBool},
  }};
  for (const auto& [name, dtype] : kCodes) {
    if (name == code) return dtype;
  }
  return std::nullopt;
}

std::uint64_t NonNegativeInteger(const Json& value, const std::string& what,
                                 const std::string& source) {
  if (value.is_number_unsigned()) return value.get<std::uint64_t>();
  if (value.is_number_integer() && value.get<std::int64_t>() >= 0) {
    return static_cast<std::uint64_t>(value.get<std::int64_t>());
  }
  throw FormatError(what + " must be a non-negative integer, not " + value.dump(), source);
}

SafetensorsTensor ParseEntry(const std::string& name, const Json& entry, std::uint64_t data_size,
                             const std::string& source) {
  const std::string where = "safetensors header entry '" + name + "'";
  if (!entry.is_object()) throw FormatError(where + " is not an object", source);
  SafetensorsTensor tensor;
  tensor.name = name;

  const auto dtype_it = entry.find("dtype");
  if (dtype_it == entry.end() || !dtype_it->is_string()) {
    throw FormatError(where + " has no string 'dtype'", source);
  }
  const auto dtype = SafetensorsDType(dtype_it->get_ref<const std::string&>());
  if (!dtype) {
    throw FormatError(where + " has unsupported dtype " + dtype_it->dump(), source);
  }
  tensor.dtype = *dtype;

  const auto shape_it = entry.find("shape");
  if (shape_it == entry.end() || !shape_it->is_array()) {
    throw FormatError(where + " has no 'shape' array", source);
  }
  std::uint64_t elements = 1;
  for (const Json& dim : *shape_it) {
    const std::uint64_t extent = NonNegativeInteger(dim, where + " shape", source);
    if (extent > static_cast<std::uint64_t>(INT64_MAX)) {
      throw FormatError(where + " has a dimension beyond 2^63", source);
    }
    const auto product = CheckedMul(elements, extent);
    if (!product) throw FormatError(where + ": product of the shape overflows 64 bits", source);
    elements = *product;
    tensor.shape.push_back(static_cast<std::int64_t>(extent));
  }
  const auto bytes = CheckedMul(elements, static_cast<std::uint64_t>(DTypeSize(tensor.dtype)));
  if (!bytes) throw FormatError(where + ": byte size overflows 64 bits", source);

  const auto offsets_it = entry.find("data_offsets");
  if (offsets_it == entry.end() || !offsets_it->is_array() || offsets_it->size() != 2) {
    throw FormatError(where + " has no 'data_offsets' pair", source);
  }
  tensor.data_begin = NonNegativeInteger((*offsets_it)[0], where + " data_offsets", source);
  tensor.data_end = NonNegativeInteger((*offsets_it)[1], where + " data_offsets", source);
  if (tensor.data_begin > tensor.data_end) {
    throw FormatError(where + ": data_offsets begin " + std::to_string(tensor.data_begin) +
                          " > end " + std::to_string(tensor.data_end),
                      source);
  }
  if (tensor.data_end > data_size) {
    throw FormatError(where + ": data_offsets end " + std::to_string(tensor.data_end) +
                          " lies past the data section (" + std::to_string(data_size) + " bytes)",
                      source);
  }
  if (tensor.data_end - tensor.data_begin != *bytes) {
    throw FormatError(where + ": data_offsets span " +
                          std::to_string(tensor.data_end - tensor.data_begin) +
                          " bytes but the shape and dtype need " + std::to_string(*bytes),
                      source);
  }
  return tensor;
}

}  // namespace

SafetensorsHeader ParseSafetensorsHeader(std::string_view json, std::uint64_t data_size,
                                         const std::string& source) {
  Json root;
  // The header is a flat map of flat entries (depth 3); a nesting far deeper than that is no
  // safetensors file, and writing it back out (metadata values are kept as JSON text) would
  // recurse once per level.
  // A name given twice is refused: JSON parsers keep one of the two (this one the last), so
  // which matrix the name scores would depend on the reader.
  std::set<std::string, std::less<>> names;
  const Json::parser_callback_t bound_depth = [&](int depth, Json::parse_event_t event,
                                                  Json& parsed) {
    if (depth > kMaxSafetensorsHeaderDepth) {
      throw FormatError("safetensors header nests deeper than " +
                            std::to_string(kMaxSafetensorsHeaderDepth) + " levels",
                        source);
    }
    if (event == Json::parse_event_t::key && depth == 1 && parsed.is_string() &&
        !names.insert(parsed.get<std::string>()).second) {
      throw FormatError("safetensors header names '" + parsed.get<std::string>() +
                            "' twice (which entry is meant is ambiguous)",
                        source);
    }
    return true;
  };
  try {
    root = Json::parse(json.begin(), json.end(), bound_depth);
  } catch (const Json::exception& e) {
    throw FormatError(std::string("safetensors header is not valid JSON: ") + e.what(), source);
  }
  if (!root.is_object()) throw FormatError("safetensors header is not a JSON object", source);

  SafetensorsHeader header;
  for (const auto& [key, value] : root.items()) {
    if (key == "__metadata__") {
      if (!value.is_object()) throw FormatError("__metadata__ is not an object", source);
      for (const auto& [meta_key, meta_value] : value.items()) {
        header.metadata[meta_key] =
            meta_value.is_string() ? meta_value.get<std::string>() : meta_value.dump();
      }
      continue;
    }
    header.tensors.push_back(ParseEntry(key, value, data_size, source));
  }
  // Tensors own disjoint byte ranges (as the format's reference implementation requires): two
  // tensors sharing bytes are a corrupt or crafted header, not two matrices.
  std::vector<const SafetensorsTensor*> by_offset;
  for (const SafetensorsTensor& t : header.tensors) {
    if (t.data_end > t.data_begin) by_offset.push_back(&t);
  }
  std::sort(by_offset.begin(), by_offset.end(),
            [](const auto* a, const auto* b) { return a->data_begin < b->data_begin; });
  for (std::size_t i = 1; i < by_offset.size(); ++i) {
    if (by_offset[i]->data_begin < by_offset[i - 1]->data_end) {
      throw FormatError("tensors '" + by_offset[i - 1]->name + "' and '" + by_offset[i]->name +
                            "' overlap (data_offsets [" +
                            std::to_string(by_offset[i - 1]->data_begin) + ", " +
                            std::to_string(by_offset[i - 1]->data_end) + ") and [" +
                            std::to_string(by_offset[i]->data_begin) + ", " +
                            std::to_string(by_offset[i]->data_end) + "))",
                        source);
    }
  }
  return header;
}

SafetensorsHeader ReadSafetensorsHeader(ByteSource& source) {
  const std::uint64_t file_size = source.size();
  if (file_size < 8) {
    throw FormatError("too short for a safetensors file (" + std::to_string(file_size) + " bytes)",
                      source.name());
  }
  std::array<unsigned char, 8> prefix{};
  source.ReadAt(0, prefix.size(), prefix.data());
  std::uint64_t header_length = 0;
  for (int i = 7; i >= 0; --i) header_length = (header_length << 8) | prefix[i];
  if (header_length > file_size - 8) {
    throw FormatError("safetensors header length " + std::to_string(header_length) +
                          " exceeds the file size (" + std::to_string(file_size) + " bytes)",
                      source.name());
  }
  if (header_length > kMaxSafetensorsHeaderBytes) {
    throw FormatError("safetensors header length " + std::to_string(header_length) +
                          " exceeds the format's limit of 100 MB",
                      source.name());
  }
  std::string json(header_length, '\0');
  source.ReadAt(8, json.size(), json.data());
  // Ingest opens a file's tensors one after another: the header of the last file parsed is kept
  // (per thread) and reused when the same bytes come again, so that a file of T tensors costs T
  // reads of its header, not T parses (3000 tensors took 90 s, now 2 s). Keyed by the header's
  // bytes, the data size and the name: a changed file is parsed again.
  struct LastHeader {
    std::string json;
    std::uint64_t data_size = 0;
    std::string source;
    SafetensorsHeader header;
  };
  thread_local LastHeader last;
  const std::uint64_t data_size = file_size - 8 - header_length;
  if (last.json == json && last.data_size == data_size && last.source == source.name()) {
    return last.header;
  }
  SafetensorsHeader header = ParseSafetensorsHeader(json, data_size, source.name());
  header.data_offset = 8 + header_length;
  // Headers of up to 16 MB are kept (a 100 MB one is not held per worker thread).
  if (json.size() <= (std::size_t{16} << 20))
    last = {std::move(json), data_size, source.name(), header};
  return header;
}

std::vector<TensorEntry> SafetensorsEntries(const SafetensorsHeader& header) {
  std::vector<TensorEntry> entries;
  entries.reserve(header.tensors.size());
  for (const SafetensorsTensor& tensor : header.tensors) {
    entries.push_back(
        {tensor.name, tensor.shape, tensor.dtype, tensor.data_end - tensor.data_begin});
  }
  return entries;
}

std::unique_ptr<RowStream> OpenSafetensors(std::shared_ptr<ByteSource> source,
                                           const std::string& tensor,
                                           const StreamOptions& options) {
  const SafetensorsHeader header = ReadSafetensorsHeader(*source);
  const std::vector<TensorEntry> entries = SafetensorsEntries(header);
  const std::string name = tensor.empty() ? ChooseDefaultTensor(entries, source->name()) : tensor;
  FindTensorEntry(entries, name, source->name());
  for (const SafetensorsTensor& entry : header.tensors) {
    if (entry.name != name) continue;
    TensorLayout layout;
    layout.dtype = entry.dtype;
    layout.byte_order = ByteOrder::kLittle;
    layout.shape = entry.shape;
    layout.offset = header.data_offset + entry.data_begin;
    std::string source_name = source->name() + "#" + name;
    return OpenTensorStream(std::move(source), layout, std::move(source_name), options);
  }
  RANKME_CHECK(false);
  return nullptr;
}

std::unique_ptr<RowStream> OpenSafetensorsFile(const std::string& path, const std::string& tensor,
                                               const StreamOptions& options) {
  return OpenSafetensors(std::make_shared<FileByteSource>(File(path)), tensor, options);
}

}  // namespace rankme::io
