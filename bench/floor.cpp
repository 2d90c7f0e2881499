// Cost floor of RankMe for a float32 .npy matrix Z (N × D, C order): the BLAS work no exact
// method can avoid, with nothing else around it.
//
//   floor = ssyrk(ZᵀZ, whole matrix in one call, float32) + dsyevd('N') of the D × D Gram
//
// The file is mapped and read once before timing (its pages are then resident), so the floor
// holds no I/O. Prints one JSON object: seconds of each step, the kernels and threads OpenBLAS
// used, and the largest eigenvalue (so the work cannot be optimised away).
//
// With f64 (the floor of the float64 Gram tier): the matrix is converted to float64 before
// timing, and the Gram is dsyrk's instead of ssyrk's ("dsyrk" in the output).
//
// Usage: rankme_bench_floor FILE.npy [f64]
#include <cblas.h>
#include <fcntl.h>
#include <lapacke.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

double Now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

struct NpyMatrix {
  std::int64_t rows = 0;
  std::int64_t cols = 0;
  std::size_t data_offset = 0;
};

// Minimal .npy v1/v2/v3 header parser: 2-D little-endian float32, C order only.
NpyMatrix ParseHeader(const unsigned char* bytes, std::size_t size) {
  if (size < 10 || std::memcmp(bytes, "\x93NUMPY", 6) != 0) throw std::runtime_error("not .npy");
  const int major = bytes[6];
  std::size_t header_len = 0;
  std::size_t prefix = 0;
  if (major == 1) {
    header_len = bytes[8] | (bytes[9] << 8);
    prefix = 10;
  } else {
    header_len = bytes[8] | (bytes[9] << 8) | (bytes[10] << 16) | (std::size_t(bytes[11]) << 24);
    prefix = 12;
  }
  const std::string header(reinterpret_cast<const char*>(bytes + prefix), header_len);
  if (header.find("'<f4'") == std::string::npos) throw std::runtime_error("dtype is not <f4");
  if (header.find("'fortran_order': False") == std::string::npos) {
    throw std::runtime_error("not C order");
  }
  const std::size_t open = header.find('(', header.find("'shape'"));
  NpyMatrix m;
  if (std::sscanf(header.c_str() + open, "(%ld, %ld)", &m.rows, &m.cols) != 2) {
    throw std::runtime_error("shape is not 2-D");
  }
  m.data_offset = prefix + header_len;
  if (m.data_offset + std::size_t(m.rows * m.cols) * 4 > size) {
    throw std::runtime_error("file shorter than its shape");
  }
  return m;
}

}  // namespace

int main(int argc, char** argv) {
  const bool f64 = argc == 3 && std::string(argv[2]) == "f64";
  if (argc != 2 && !f64) {
    std::fprintf(stderr, "usage: %s FILE.npy [f64]\n", argv[0]);
    return 2;
  }
  try {
    const int fd = open(argv[1], O_RDONLY);
    if (fd < 0) throw std::runtime_error(std::string("cannot open ") + argv[1]);
    struct stat st {};
    fstat(fd, &st);
    const auto size = static_cast<std::size_t>(st.st_size);
    void* map = mmap(nullptr, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
    if (map == MAP_FAILED) throw std::runtime_error("mmap failed");
    const auto* bytes = static_cast<const unsigned char*>(map);
    const NpyMatrix m = ParseHeader(bytes, size);
    const auto* z = reinterpret_cast<const float*>(bytes + m.data_offset);
    volatile float touch = 0.0f;  // fault every page in before timing
    for (std::size_t i = 0; i < std::size_t(m.rows * m.cols); i += 1024) touch = touch + z[i];

    const std::int64_t d = m.cols;
    std::vector<float> gram32(std::size_t(d * d), 0.0f);
    std::vector<double> gram(std::size_t(d * d), 0.0);
    std::vector<double> eigenvalues(std::size_t(d), 0.0);
    std::vector<double> z64;
    if (f64) z64.assign(z, z + std::size_t(m.rows * m.cols));
    const double t0 = Now();
    if (f64) {
      cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, d, m.rows, 1.0, z64.data(), d, 0.0,
                  gram.data(), d);
    } else {
      cblas_ssyrk(CblasRowMajor, CblasUpper, CblasTrans, d, m.rows, 1.0f, z, d, 0.0f, gram32.data(),
                  d);
    }
    const double t1 = Now();
    if (!f64) {
      for (std::size_t i = 0; i < gram.size(); ++i) gram[i] = gram32[i];
    }
    const lapack_int info =
        LAPACKE_dsyevd(LAPACK_COL_MAJOR, 'N', 'L', d, gram.data(), d, eigenvalues.data());
    const double t2 = Now();
    if (info != 0) throw std::runtime_error("dsyevd failed");
    std::printf(
        "{\"rows\": %ld, \"cols\": %ld, \"%s\": %.6f, \"dsyevd\": %.6f, \"floor\": %.6f, "
        "\"core\": \"%s\", \"threads\": %d, \"lambda_max\": %.17g}\n",
        m.rows, m.cols, f64 ? "dsyrk" : "ssyrk", t1 - t0, t2 - t1, t2 - t0, openblas_get_corename(),
        openblas_get_num_threads(), eigenvalues[std::size_t(d - 1)]);
    munmap(map, size);
    close(fd);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "rankme_bench_floor: %s\n", e.what());
    return 1;
  }
  return 0;
}
