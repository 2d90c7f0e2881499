#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace rankme {

/// Element types an embedding file may hold. Every one converts to float32/float64 for scoring.
enum class DType : std::uint8_t {
  kBool,
  kInt8,
  kUInt8,
  kInt16,
  kUInt16,
  kInt32,
  kUInt32,
  kInt64,
  kUInt64,
  kFloat16,
  kBFloat16,
  kFloat32,
  kFloat64,
};

enum class ByteOrder : std::uint8_t { kLittle, kBig };

/// The byte order of this machine.
constexpr ByteOrder kNativeByteOrder = ByteOrder::kLittle;

/// numpy-style name: "float16", "bfloat16", "float32", "int64", "bool", ...
std::string_view DTypeName(DType dtype);
/// The inverse of DTypeName; nullopt for an unknown name.
std::optional<DType> DTypeFromName(std::string_view name);
/// Bytes per element.
std::size_t DTypeSize(DType dtype);
bool IsFloatingPoint(DType dtype);

/// Converts `count` packed elements of `dtype` stored in `order` at `src` (no alignment needed)
/// into float32 at `dst`. float64 values outside float32's range become ±inf; integers round.
void ConvertToFloat32(const std::byte* src, DType dtype, ByteOrder order, std::size_t count,
                      float* dst);
/// Same into float64; exact for every dtype except 64-bit integers beyond 2^53.
void ConvertToFloat64(const std::byte* src, DType dtype, ByteOrder order, std::size_t count,
                      double* dst);

/// IEEE binary16 / bfloat16 bit patterns to float32 (exact).
float HalfToFloat(std::uint16_t bits);
float BFloat16ToFloat(std::uint16_t bits);

}  // namespace rankme
