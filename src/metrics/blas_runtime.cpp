#include "rankme/metrics/blas_runtime.h"

#include <cblas.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdlib>
#include <string_view>

// Exported by threaded OpenBLAS builds but not part of its documented API: weak, so that a BLAS
// without it still links (the pointer is then null).
extern "C" int blas_thread_shutdown_(void) __attribute__((weak));

namespace rankme::metrics {

namespace {

constexpr const char* kGuardVariable = "RANKME_BLAS_REEXEC";

// Kernel families OpenBLAS falls back to when it does not know the CPU; all predate AVX2.
bool IsSlowCore(std::string_view core) {
  constexpr std::array<std::string_view, 10> kSlow = {
      "prescott", "core2",      "penryn",    "dunnington", "nehalem",
      "katmai",   "coppermine", "northwood", "banias",     "atom"};
  std::string lower(core);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return std::find(kSlow.begin(), kSlow.end(), lower) != kSlow.end();
}

// The best kernel family this CPU can run, or nullptr when none is better than the default.
// SkylakeX rather than Cooperlake on AVX-512 BF16 machines: both run the same single and double
// precision kernels in 0.3.21, and ssyrk of 25600 x 2048 measured no faster with Cooperlake.
const char* BestCoreForCpu() {
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq")) {
    return "SkylakeX";
  }
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return "Haswell";
  return nullptr;
}

}  // namespace

void SelectFastBlasKernels(int argc, char** argv) {
  (void)argc;
  if (std::getenv("OPENBLAS_CORETYPE") != nullptr) return;
  if (std::getenv(kGuardVariable) != nullptr) return;
  if (!IsSlowCore(BlasKernelName())) return;
  const char* best = BestCoreForCpu();
  if (best == nullptr) return;
  if (setenv("OPENBLAS_CORETYPE", best, 1) != 0 || setenv(kGuardVariable, "1", 1) != 0) return;
  execv("/proc/self/exe", argv);
  // The exec failed: carry on with the kernels already loaded, and leave the environment as it
  // was so child processes are not misled.
  unsetenv("OPENBLAS_CORETYPE");
}

std::string BlasKernelName() {
  const char* name = openblas_get_corename();
  return name != nullptr ? std::string(name) : std::string();
}

void SetBlasThreads(int threads) { openblas_set_num_threads(std::max(1, threads)); }

int BlasThreads() { return openblas_get_num_threads(); }

void StopIdleBlasThreads() {
  if (blas_thread_shutdown_ != nullptr) blas_thread_shutdown_();
}

}  // namespace rankme::metrics
