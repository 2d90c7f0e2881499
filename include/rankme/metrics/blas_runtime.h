#pragma once

#include <string>

namespace rankme::metrics {

/// Makes the BLAS run its fast kernels on this CPU.
///
/// Debian's OpenBLAS 0.3.21 does not recognise recent Xeons and falls back to its slowest
/// (SSE3 "Prescott") kernels unless OPENBLAS_CORETYPE is set before the library initialises,
/// which happens before main(). When OPENBLAS_CORETYPE is unset, the loaded kernels are a
/// generic or old core, and the CPU supports AVX-512 (F, BW, VL, DQ: "SkylakeX") or AVX2 + FMA
/// ("Haswell"), this sets OPENBLAS_CORETYPE and RANKME_BLAS_REEXEC=1 and re-executes
/// /proc/self/exe with `argv`; it does not return then. It never re-executes twice (the guard
/// variable), and when the exec fails it returns and the process continues on the slow kernels.
/// Call it first thing in main(), before any thread starts.
void SelectFastBlasKernels(int argc, char** argv);

/// The kernel family the BLAS runs ("SkylakeX", "Haswell", "Prescott", ...).
std::string BlasKernelName();

/// Sets the number of threads each BLAS call may use (>= 1).
void SetBlasThreads(int threads);

/// The number of threads each BLAS call may use.
int BlasThreads();

/// Ends the BLAS worker threads, for a process that will make no BLAS call. OpenBLAS (pthreads
/// build) starts them when it loads and each spins on sched_yield for about 2^28 cycles
/// (~0.1 s) before it sleeps; setting the thread count does not stop them. Does nothing with a
/// BLAS that has no such threads.
void StopIdleBlasThreads();

}  // namespace rankme::metrics
