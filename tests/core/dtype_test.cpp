#include "rankme/core/dtype.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

namespace {

std::vector<std::byte> Bytes(std::initializer_list<unsigned> values) {
  std::vector<std::byte> out;
  for (unsigned v : values) out.push_back(static_cast<std::byte>(v));
  return out;
}

}  // namespace

TEST_CASE("DType names round-trip and sizes match numpy", "[core]") {
  for (auto dtype : {rankme::DType::kBool, rankme::DType::kInt8, rankme::DType::kUInt16,
                     rankme::DType::kInt64, rankme::DType::kFloat16, rankme::DType::kBFloat16,
                     rankme::DType::kFloat32, rankme::DType::kFloat64}) {
    CHECK(rankme::DTypeFromName(rankme::DTypeName(dtype)) == dtype);
  }
  CHECK(rankme::DTypeSize(rankme::DType::kFloat16) == 2);
  CHECK(rankme::DTypeSize(rankme::DType::kFloat64) == 8);
  CHECK_FALSE(rankme::DTypeFromName("complex64").has_value());
}

TEST_CASE("HalfToFloat decodes every binary16 class exactly", "[core]") {
  CHECK(rankme::HalfToFloat(0x3C00) == 1.0f);
  CHECK(rankme::HalfToFloat(0xC000) == -2.0f);
  CHECK(rankme::HalfToFloat(0x7BFF) == 65504.0f);               // largest finite
  CHECK(rankme::HalfToFloat(0x0001) == std::ldexp(1.0f, -24));  // smallest subnormal
  CHECK(rankme::HalfToFloat(0x0400) == std::ldexp(1.0f, -14));  // smallest normal
  CHECK(std::isinf(rankme::HalfToFloat(0x7C00)));
  CHECK(std::isnan(rankme::HalfToFloat(0x7E00)));
  CHECK(std::signbit(rankme::HalfToFloat(0x8000)));
}

TEST_CASE("ConvertToFloat32 handles float16 on the vector path and the tail", "[core]") {
  // 19 values: two 8-wide vectors and a 3-value tail, compared with the scalar decoder.
  std::vector<std::uint16_t> bits;
  for (unsigned i = 0; i < 19; ++i) bits.push_back(static_cast<std::uint16_t>(0x3C00 + 37 * i));
  std::vector<float> out(bits.size());
  rankme::ConvertToFloat32(reinterpret_cast<const std::byte*>(bits.data()), rankme::DType::kFloat16,
                           rankme::ByteOrder::kLittle, bits.size(), out.data());
  for (std::size_t i = 0; i < bits.size(); ++i) CHECK(out[i] == rankme::HalfToFloat(bits[i]));
}

TEST_CASE("ConvertToFloat64 swaps big-endian values", "[core]") {
  // 1.5 as big-endian float64 and float32, -2 as big-endian int16
  auto f64 = Bytes({0x3F, 0xF8, 0, 0, 0, 0, 0, 0});
  auto f32 = Bytes({0x3F, 0xC0, 0, 0});
  auto i16 = Bytes({0xFF, 0xFE});
  double d = 0;
  rankme::ConvertToFloat64(f64.data(), rankme::DType::kFloat64, rankme::ByteOrder::kBig, 1, &d);
  CHECK(d == 1.5);
  rankme::ConvertToFloat64(f32.data(), rankme::DType::kFloat32, rankme::ByteOrder::kBig, 1, &d);
  CHECK(d == 1.5);
  rankme::ConvertToFloat64(i16.data(), rankme::DType::kInt16, rankme::ByteOrder::kBig, 1, &d);
  CHECK(d == -2.0);
}

TEST_CASE("BFloat16ToFloat keeps the upper half of a float32", "[core]") {
  CHECK(rankme::BFloat16ToFloat(0x3F80) == 1.0f);
  CHECK(rankme::BFloat16ToFloat(0xC0A0) == -5.0f);
}
