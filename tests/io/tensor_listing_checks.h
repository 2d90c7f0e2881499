#pragma once

#include <unistd.h>

// Helpers shared by the format reader tests: the fixture manifest written by
// scripts/make_format_fixtures.py (numpy checksums) and a comparison of a RowStream against it.

#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "rankme/core/row_stream.h"
#include "rankme/io/npz_reader.h"
#include "rankme/io/safetensors_reader.h"
#include "rankme/io/torch_reader.h"

namespace rankme::testing {

inline std::string FormatsDir() { return std::string(RANKME_TEST_DATA_DIR) + "/formats"; }

inline std::string FormatFixture(const std::string& name) { return FormatsDir() + "/" + name; }

inline nlohmann::json FormatsManifest() {
  std::ifstream in(FormatFixture("manifest.json"));
  REQUIRE(in.good());
  return nlohmann::json::parse(in);
}

/// Opens "PATH#NAME" (or "PATH": the default tensor) with the reader of PATH's extension.
inline std::unique_ptr<RowStream> OpenSpec(const std::string& spec,
                                           const io::StreamOptions& options = {}) {
  const std::size_t hash = spec.rfind('#');
  const std::string path = spec.substr(0, hash);
  const std::string name = hash == std::string::npos ? "" : spec.substr(hash + 1);
  const std::string extension = path.substr(path.rfind('.'));
  if (extension == ".npz") return io::OpenNpzFile(path, name, options);
  if (extension == ".safetensors") return io::OpenSafetensorsFile(path, name, options);
  return io::OpenTorchFile(path, name, options);
}

/// Reads all of `stream` in blocks of `block_rows` and compares shape, dtype, sums and sampled
/// values with a manifest entry (float64; every stored dtype converts exactly to float64 here).
inline void CheckStreamAgainst(RowStream& stream, const nlohmann::json& expected,
                               std::int64_t block_rows = 7) {
  const MatrixInfo& info = stream.info();
  CHECK(info.shape == expected["shape"].get<std::vector<std::int64_t>>());
  CHECK(DTypeName(info.dtype) == expected["dtype"].get<std::string>());
  std::vector<double> all(static_cast<std::size_t>(info.rows * info.cols));
  for (std::int64_t first = 0; first < info.rows; first += block_rows) {
    const std::int64_t count = std::min(block_rows, info.rows - first);
    stream.ReadRows(first, count, all.data() + first * info.cols);
  }
  double sum = 0, sum_sq = 0;
  for (double v : all) {
    sum += v;
    sum_sq += v * v;
  }
  const double tolerance = 1e-9 * (1 + std::abs(expected["sum_sq"].get<double>()));
  CHECK(sum == Approx(expected["sum"].get<double>()).margin(tolerance));
  CHECK(sum_sq == Approx(expected["sum_sq"].get<double>()).epsilon(1e-12));
  for (const auto& sample : expected["samples"]) {
    const auto row = sample[0].get<std::int64_t>();
    const auto col = sample[1].get<std::int64_t>();
    CHECK(all[static_cast<std::size_t>(row * info.cols + col)] == sample[2].get<double>());
  }
  // float32 path agrees with the float64 one.
  std::vector<float> as_float(all.size());
  if (info.rows > 0) stream.ReadRows(0, info.rows, as_float.data());
  for (std::size_t i = 0; i < all.size(); ++i) {
    CHECK(as_float[i] == static_cast<float>(all[i]));
  }
}

/// Runs a /usr/bin/python3 snippet (numpy only) and returns its stdout parsed as JSON.
inline nlohmann::json PythonJson(const std::string& script) {
  // One file per process: CTest runs the tests that call this in parallel.
  const std::string path =
      std::string(RANKME_BINARY_DIR) + "/formats_snippet_" + std::to_string(getpid()) + ".py";
  std::ofstream(path) << script;
  std::string command = "/usr/bin/python3 " + path;
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string output;
  char buffer[4096];
  while (std::size_t got = fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, got);
  REQUIRE(pclose(pipe) == 0);
  return nlohmann::json::parse(output);
}

}  // namespace rankme::testing
