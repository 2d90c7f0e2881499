// Test runner: takes the fast BLAS kernels like the scoring commands do, then runs Catch2.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "rankme/metrics/blas_runtime.h"

int main(int argc, char** argv) {
  rankme::metrics::SelectFastBlasKernels(argc, argv);
  return Catch::Session().run(argc, argv);
}
