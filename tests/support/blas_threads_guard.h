#pragma once

#include "rankme/metrics/blas_runtime.h"

namespace rankme::testing {

/// Restores the BLAS thread count a test changed.
class BlasThreadsGuard {
 public:
  BlasThreadsGuard() : saved_(metrics::BlasThreads()) {}
  ~BlasThreadsGuard() { metrics::SetBlasThreads(saved_); }
  BlasThreadsGuard(const BlasThreadsGuard&) = delete;
  BlasThreadsGuard& operator=(const BlasThreadsGuard&) = delete;

 private:
  int saved_;
};

}  // namespace rankme::testing
