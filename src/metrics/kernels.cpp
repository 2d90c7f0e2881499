// The engine's element-wise passes over blocks of rows: the largest magnitude (which also finds
// NaN/Inf), the float64 side sums of the Gram path (exact diagonal and probe images), and the
// power-of-two scaling that keeps every path inside the floating-point range.
//
// These are the only loops of the engine that touch every value outside BLAS, so they are
// compiled for three instruction sets and picked at run time (GCC function multi-versioning on
// the x86-64 levels v4 (AVX-512) and v3 (AVX2 + FMA), and the baseline): the binary stays
// portable. The maximum is exact in every version; the side sums are float64 sums in the same
// order (8 lanes, then the lanes in a fixed order) and differ between versions at most by FMA
// contraction, far below the Gram noise they measure.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <future>
#include <vector>

#include "metrics/metrics_internal.h"
#include "rankme/metrics/blas_runtime.h"

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && \
    !defined(RANKME_NO_MULTIVERSIONING)
#define RANKME_DISPATCHED \
  __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define RANKME_DISPATCHED
#endif

// The helpers below pass vectors by value between inlined functions of one file only.
#pragma GCC diagnostic ignored "-Wpsabi"

namespace rankme::metrics::internal {

namespace {

constexpr int kLanes = 8;
typedef double Lanes __attribute__((vector_size(kLanes * sizeof(double))));

template <typename T>
[[gnu::always_inline]] inline Lanes LoadLanes(const T* p) {
  Lanes v;
  for (int l = 0; l < kLanes; ++l) v[l] = static_cast<double>(p[l]);
  return v;
}

[[gnu::always_inline]] inline double SumLanes(Lanes v) {
  double s = 0.0;
  for (int l = 0; l < kLanes; ++l) s += v[l];
  return s;
}

template <typename Bits, typename T>
[[gnu::always_inline]] inline Bits MaxAbsBitsBody(const T* values, std::size_t count) {
  constexpr Bits kMagnitude = ~Bits{0} >> 1;
  Bits m = 0;
  for (std::size_t i = 0; i < count; ++i) {
    Bits b;
    std::memcpy(&b, values + i, sizeof(b));
    b &= kMagnitude;
    m = b > m ? b : m;
  }
  return m;
}

// For R rows z at a time (so that the probes, images, diagonal and sums, which live in L2, are
// read once per R rows): diag += z∘z, sums += z, y = zᵀX (X = `probes`, kProbes columns stored one after the
// other), images += z yᵀ. Rows are row-major, `dim` wide.
template <int R, typename T>
[[gnu::always_inline]] inline void SideSumsRows(const T* rows, std::int64_t dim,
                                                const double* probes, double* images,
                                                double* diag, double* sums) {
  const std::int64_t vector_end = dim - dim % kLanes;
  Lanes acc[R][kProbes] = {};
  for (std::int64_t j = 0; j < vector_end; j += kLanes) {
    Lanes d;
    Lanes c;
    std::memcpy(&d, diag + j, sizeof(d));
    std::memcpy(&c, sums + j, sizeof(c));
    Lanes x[kProbes];
    for (int p = 0; p < kProbes; ++p) std::memcpy(&x[p], probes + p * dim + j, sizeof(Lanes));
    for (int r = 0; r < R; ++r) {
      const Lanes v = LoadLanes(rows + r * dim + j);
      d += v * v;
      c += v;
      for (int p = 0; p < kProbes; ++p) acc[r][p] += v * x[p];
    }
    std::memcpy(diag + j, &d, sizeof(d));
    std::memcpy(sums + j, &c, sizeof(c));
  }
  double y[R][kProbes];
  for (int r = 0; r < R; ++r) {
    const T* z = rows + r * dim;
    for (int p = 0; p < kProbes; ++p) {
      y[r][p] = SumLanes(acc[r][p]);
      for (std::int64_t j = vector_end; j < dim; ++j) y[r][p] += double(z[j]) * probes[p * dim + j];
    }
    for (std::int64_t j = vector_end; j < dim; ++j) {
      diag[j] += double(z[j]) * double(z[j]);
      sums[j] += double(z[j]);
    }
  }
  for (std::int64_t j = 0; j < vector_end; j += kLanes) {
    Lanes v[R];
    for (int r = 0; r < R; ++r) v[r] = LoadLanes(rows + r * dim + j);
    for (int p = 0; p < kProbes; ++p) {
      Lanes g;
      std::memcpy(&g, images + p * dim + j, sizeof(g));
      for (int r = 0; r < R; ++r) g += v[r] * y[r][p];
      std::memcpy(images + p * dim + j, &g, sizeof(g));
    }
  }
  for (std::int64_t j = vector_end; j < dim; ++j) {
    for (int p = 0; p < kProbes; ++p) {
      for (int r = 0; r < R; ++r) images[p * dim + j] += double(rows[r * dim + j]) * y[r][p];
    }
  }
}

template <typename T>
[[gnu::always_inline]] inline void SideSumsBody(const T* rows, std::int64_t count, std::int64_t dim,
                                                const double* probes, double* images,
                                                double* diag, double* sums) {
  constexpr int kRows = 4;
  std::int64_t r = 0;
  for (; r + kRows <= count; r += kRows) {
    SideSumsRows<kRows>(rows + r * dim, dim, probes, images, diag, sums);
  }
  for (; r < count; ++r) SideSumsRows<1>(rows + r * dim, dim, probes, images, diag, sums);
}

RANKME_DISPATCHED std::uint32_t MaxAbsBits32(const float* values, std::size_t count) {
  return MaxAbsBitsBody<std::uint32_t>(values, count);
}

RANKME_DISPATCHED std::uint64_t MaxAbsBits64(const double* values, std::size_t count) {
  return MaxAbsBitsBody<std::uint64_t>(values, count);
}

RANKME_DISPATCHED void SideSums32(const float* rows, std::int64_t count, std::int64_t dim,
                                  const double* probes, double* images, double* diag,
                                  double* sums) {
  SideSumsBody(rows, count, dim, probes, images, diag, sums);
}

RANKME_DISPATCHED void SideSums64(const double* rows, std::int64_t count, std::int64_t dim,
                                  const double* probes, double* images, double* diag,
                                  double* sums) {
  SideSumsBody(rows, count, dim, probes, images, diag, sums);
}

// Blocks of at least this many values are split in two halves run on two threads when BLAS
// calls may use two (the BLAS threads are idle during these passes).
constexpr std::size_t kParallelValues = std::size_t{1} << 18;

bool InParallel(std::size_t values) { return values >= kParallelValues && BlasThreads() > 1; }

template <typename Bits, typename T>
Bits MaxAbsBitsSplit(const T* values, std::size_t count, Bits (*kernel)(const T*, std::size_t)) {
  if (!InParallel(count)) return kernel(values, count);
  const std::size_t half = count / 2;
  std::future<Bits> second = std::async(std::launch::async, kernel, values + half, count - half);
  const Bits first = kernel(values, half);
  return std::max(first, second.get());
}

// rows [0, half) add straight into `images`/`diag`, rows [half, count) into zeroed partial
// sums added afterwards: the same operations in the same order whether the halves run on one
// thread or two, so the sums do not depend on the thread count.
template <typename T>
void SideSumsSplit(const T* rows, std::int64_t count, std::int64_t dim, const double* probes,
                   double* images, double* diag, double* sums,
                   void (*kernel)(const T*, std::int64_t, std::int64_t, const double*, double*,
                                  double*, double*)) {
  const std::int64_t half = count / 2;
  std::vector<double> second_images(static_cast<std::size_t>(kProbes * dim), 0.0);
  std::vector<double> second_diag(static_cast<std::size_t>(dim), 0.0);
  std::vector<double> second_sums(static_cast<std::size_t>(dim), 0.0);
  auto second = [&] {
    kernel(rows + half * dim, count - half, dim, probes, second_images.data(), second_diag.data(),
           second_sums.data());
  };
  if (InParallel(static_cast<std::size_t>(count * dim))) {
    std::future<void> pending = std::async(std::launch::async, second);
    kernel(rows, half, dim, probes, images, diag, sums);
    pending.get();
  } else {
    kernel(rows, half, dim, probes, images, diag, sums);
    second();
  }
  for (std::size_t i = 0; i < second_images.size(); ++i) images[i] += second_images[i];
  for (std::size_t j = 0; j < second_diag.size(); ++j) {
    diag[j] += second_diag[j];
    sums[j] += second_sums[j];
  }
}

}  // namespace

double MaxAbs(const float* values, std::size_t count) {
  const std::uint32_t bits = MaxAbsBitsSplit<std::uint32_t>(values, count, MaxAbsBits32);
  float m;
  std::memcpy(&m, &bits, sizeof(m));
  return m;
}

double MaxAbs(const double* values, std::size_t count) {
  const std::uint64_t bits = MaxAbsBitsSplit<std::uint64_t>(values, count, MaxAbsBits64);
  double m;
  std::memcpy(&m, &bits, sizeof(m));
  return m;
}

void AddSideSums(const float* rows, std::int64_t count, std::int64_t dim, const double* probes,
                 double* images, double* diag, double* sums) {
  SideSumsSplit(rows, count, dim, probes, images, diag, sums, SideSums32);
}

void AddSideSums(const double* rows, std::int64_t count, std::int64_t dim, const double* probes,
                 double* images, double* diag, double* sums) {
  SideSumsSplit(rows, count, dim, probes, images, diag, sums, SideSums64);
}

void ScaleByPowerOfTwo(float* values, std::size_t count, int k) {
  if (k == 0) return;
  // Float32 magnitudes span less than 2^300: 2^k and every product are exact in float64, so
  // the conversion back is the only rounding.
  const double factor = std::ldexp(1.0, k);
  for (std::size_t i = 0; i < count; ++i) {
    values[i] = static_cast<float>(static_cast<double>(values[i]) * factor);
  }
}

void ScaleByPowerOfTwo(double* values, std::size_t count, int k) {
  // At most two factors, each a normal power of two: the first product is exact for every
  // value that matters (it stays normal), the second rounds at most once.
  while (k != 0) {
    const int step = std::clamp(k, -1000, 1000);
    const double factor = std::ldexp(1.0, step);
    for (std::size_t i = 0; i < count; ++i) values[i] *= factor;
    k -= step;
  }
}

int BlockScaleExponent(double max_abs) {
  if (max_abs >= 0x1p-32 && max_abs <= 0x1p32) return 0;
  int exponent = 0;
  std::frexp(max_abs, &exponent);
  return exponent;
}

}  // namespace rankme::metrics::internal
