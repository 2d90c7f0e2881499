#include "rankme/core/dtype.h"

#include <array>
#include <bit>
#include <cstring>
#include <type_traits>

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>
#endif

#include "rankme/core/error.h"

namespace rankme {

namespace {

struct DTypeEntry {
  DType dtype;
  std::string_view name;
  std::size_t size;
  bool floating;
};

constexpr std::array<DTypeEntry, 13> kDTypes = {{
    {DType::kBool, "bool", 1, false},
    {DType::kInt8, "int8", 1, false},
    {DType::kUInt8, "uint8", 1, false},
    {DType::kInt16, "int16", 2, false},
    {DType::kUInt16, "uint16", 2, false},
    {DType::kInt32, "int32", 4, false},
    {DType::kUInt32, "uint32", 4, false},
    {DType::kInt64, "int64", 8, false},
    {DType::kUInt64, "uint64", 8, false},
    {DType::kFloat16, "float16", 2, true},
    {DType::kBFloat16, "bfloat16", 2, true},
    {DType::kFloat32, "float32", 4, true},
    {DType::kFloat64, "float64", 8, true},
}};

const DTypeEntry& Entry(DType dtype) {
  const auto index = static_cast<std::size_t>(dtype);
  RANKME_CHECK(index < kDTypes.size());
  return kDTypes[index];
}

template <typename T>
T Load(const std::byte* p, bool swap) {
  T value;
  if (!swap) {
    std::memcpy(&value, p, sizeof(T));
    return value;
  }
  std::array<std::byte, sizeof(T)> bytes;
  for (std::size_t i = 0; i < sizeof(T); ++i) bytes[i] = p[sizeof(T) - 1 - i];
  std::memcpy(&value, bytes.data(), sizeof(T));
  return value;
}

#if defined(__x86_64__)
// float16 → float32 with the F16C instruction, 8 values at a time; chosen at run time so the
// binary still runs on x86-64 machines without F16C.
__attribute__((target("avx,f16c"))) void HalfToFloatF16C(const std::byte* src, std::size_t count,
                                                         float* dst) {
  std::size_t i = 0;
  for (; i + 8 <= count; i += 8) {
    const __m128i h = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + 2 * i));
    _mm256_storeu_ps(dst + i, _mm256_cvtph_ps(h));
  }
  for (; i < count; ++i) dst[i] = HalfToFloat(Load<std::uint16_t>(src + 2 * i, false));
}

// CPUID leaf 1 rather than __builtin_cpu_supports("f16c"), which clang 14 does not know.
bool CpuHasF16C() {
  static const bool has = [] {
    unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
    return __get_cpuid(1, &eax, &ebx, &ecx, &edx) != 0 && (ecx & bit_F16C) != 0 &&
           __builtin_cpu_supports("avx");
  }();
  return has;
}
#endif

template <typename Out>
void Convert(const std::byte* src, DType dtype, ByteOrder order, std::size_t count, Out* dst) {
  const bool swap = order != kNativeByteOrder && DTypeSize(dtype) > 1;
  auto each = [&](auto tag) {
    using In = decltype(tag);
    for (std::size_t i = 0; i < count; ++i) {
      dst[i] = static_cast<Out>(Load<In>(src + i * sizeof(In), swap));
    }
  };
  switch (dtype) {
    case DType::kBool:
      for (std::size_t i = 0; i < count; ++i) dst[i] = src[i] != std::byte{0} ? Out(1) : Out(0);
      return;
    case DType::kInt8:
      return each(std::int8_t{});
    case DType::kUInt8:
      return each(std::uint8_t{});
    case DType::kInt16:
      return each(std::int16_t{});
    case DType::kUInt16:
      return each(std::uint16_t{});
    case DType::kInt32:
      return each(std::int32_t{});
    case DType::kUInt32:
      return each(std::uint32_t{});
    case DType::kInt64:
      return each(std::int64_t{});
    case DType::kUInt64:
      return each(std::uint64_t{});
    case DType::kFloat32: {
      if (!swap && std::is_same_v<Out, float>) {
        std::memcpy(dst, src, count * sizeof(float));
        return;
      }
      return each(float{});
    }
    case DType::kFloat64:
      return each(double{});
    case DType::kFloat16: {
#if defined(__x86_64__)
      if constexpr (std::is_same_v<Out, float>) {
        if (!swap && CpuHasF16C()) return HalfToFloatF16C(src, count, dst);
      }
#endif
      for (std::size_t i = 0; i < count; ++i) {
        dst[i] = static_cast<Out>(HalfToFloat(Load<std::uint16_t>(src + 2 * i, swap)));
      }
      return;
    }
    case DType::kBFloat16:
      for (std::size_t i = 0; i < count; ++i) {
        dst[i] = static_cast<Out>(BFloat16ToFloat(Load<std::uint16_t>(src + 2 * i, swap)));
      }
      return;
  }
  RANKME_CHECK(false);
}

}  // namespace

std::string_view DTypeName(DType dtype) { return Entry(dtype).name; }

std::optional<DType> DTypeFromName(std::string_view name) {
  for (const auto& entry : kDTypes) {
    if (entry.name == name) return entry.dtype;
  }
  return std::nullopt;
}

std::size_t DTypeSize(DType dtype) { return Entry(dtype).size; }

bool IsFloatingPoint(DType dtype) { return Entry(dtype).floating; }

float HalfToFloat(std::uint16_t bits) {
  const std::uint32_t sign = static_cast<std::uint32_t>(bits & 0x8000u) << 16;
  const std::uint32_t exponent = (bits >> 10) & 0x1Fu;
  const std::uint32_t mantissa = bits & 0x3FFu;
  if (exponent == 0) {
    // zero or subnormal: mantissa × 2^-24, exact in float32
    const float magnitude = static_cast<float>(mantissa) * 0x1p-24f;
    return sign ? -magnitude : magnitude;
  }
  std::uint32_t out;
  if (exponent == 0x1F) {
    out = sign | 0x7F800000u | (mantissa << 13);  // inf or NaN
  } else {
    out = sign | ((exponent + 112u) << 23) | (mantissa << 13);
  }
  return std::bit_cast<float>(out);
}

float BFloat16ToFloat(std::uint16_t bits) {
  return std::bit_cast<float>(static_cast<std::uint32_t>(bits) << 16);
}

void ConvertToFloat32(const std::byte* src, DType dtype, ByteOrder order, std::size_t count,
                      float* dst) {
  Convert(src, dtype, order, count, dst);
}

void ConvertToFloat64(const std::byte* src, DType dtype, ByteOrder order, std::size_t count,
                      double* dst) {
  Convert(src, dtype, order, count, dst);
}

}  // namespace rankme
