// LiDAR of a views tensor file with the library's ComputeLidar, as item 11 of bench/bench.py
// times it: the file opened with the io readers (flattened to one row per sample), read once,
// scored. Prints one JSON object: seconds (open + score), the value and method, the shape, and
// the kernels and threads OpenBLAS used. Picks its BLAS kernels itself, like rankme.
//
// Usage: rankme_bench_lidar FILE[#TENSOR]   (an n × q × D tensor, q >= 2)
#include "rankme/metrics/lidar.h"

#include <chrono>
#include <cstdio>
#include <exception>
#include <string>

#include "rankme/io/embedding_reader.h"
#include "rankme/metrics/blas_runtime.h"

int main(int argc, char** argv) {
  rankme::metrics::SelectFastBlasKernels(argc, argv);
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s FILE[#TENSOR]\n", argv[0]);
    return 2;
  }
  try {
    const auto start = std::chrono::steady_clock::now();
    rankme::io::StreamOptions options;
    options.flatten = true;
    auto stream = rankme::io::OpenEmbeddings(argv[1], options);
    const auto& shape = stream->info().shape;
    if (shape.size() != 3) throw std::runtime_error("not an n x q x D tensor");
    const rankme::metrics::LidarResult result = rankme::metrics::ComputeLidar(*stream, shape[1]);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf(
        "{\"seconds\": %.6f, \"lidar\": %.17g, \"method\": \"%s\", \"samples\": %ld, "
        "\"views\": %ld, \"cols\": %ld, \"core\": \"%s\", \"threads\": %d}\n",
        seconds, result.value, result.method.c_str(), static_cast<long>(result.samples),
        static_cast<long>(result.views), static_cast<long>(result.cols),
        rankme::metrics::BlasKernelName().c_str(), rankme::metrics::BlasThreads());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "rankme_bench_lidar: %s\n", e.what());
    return 1;
  }
  return 0;
}
