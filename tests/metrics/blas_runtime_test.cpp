#include "rankme/metrics/blas_runtime.h"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <string>

namespace rankme::metrics {
namespace {

TEST_CASE("The test process runs fast BLAS kernels on an AVX2 or AVX-512 CPU", "[metrics]") {
  __builtin_cpu_init();
  const bool modern = (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) ||
                      __builtin_cpu_supports("avx512f");
  const std::string kernels = BlasKernelName();
  INFO("kernels " << kernels << ", OPENBLAS_CORETYPE "
                  << (std::getenv("OPENBLAS_CORETYPE") ? std::getenv("OPENBLAS_CORETYPE") : "-"));
  CHECK_FALSE(kernels.empty());
  if (modern) {
    CHECK(kernels != "Prescott");
    CHECK(kernels != "Core2");
    CHECK(kernels != "Nehalem");
  }
}

TEST_CASE("SetBlasThreads changes BlasThreads", "[metrics]") {
  const int before = BlasThreads();
  SetBlasThreads(1);
  CHECK(BlasThreads() == 1);
  SetBlasThreads(0);  // clamped to one thread
  CHECK(BlasThreads() == 1);
  SetBlasThreads(before);
  CHECK(BlasThreads() == before);
}

}  // namespace
}  // namespace rankme::metrics
