#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "rankme/core/dtype.h"
#include "rankme/core/row_stream.h"

namespace rankme::testing {

/// One views tensor made by scripts/lidar_reference.py, with numpy's float64 reference.
struct ReferenceViews {
  std::string name;
  std::int64_t samples = 0;  ///< n
  std::int64_t views = 0;    ///< q
  std::int64_t cols = 0;     ///< D
  DType dtype = DType::kFloat64;
  std::vector<double> values;       ///< (n·q) × D, sample-major, already rounded to dtype
  std::optional<double> lidar;      ///< numpy's LiDAR; empty when the case has a NaN
  std::vector<double> eigenvalues;  ///< numpy's λ of M, descending
  std::optional<std::vector<std::int64_t>> selected;  ///< subsampled samples, when subsampled

  /// The tensor as (n·q) × D rows reporting `dtype` as its stored type.
  MemoryRowStream Stream() const;
};

/// Exits the process with status 77 (which CTest reports as skipped for the tests registered
/// with SKIP_RETURN_CODE 77, those tagged [.numpy]) when /usr/bin/python3 cannot import numpy.
void SkipWithoutNumpy();

/// Runs /usr/bin/python3 scripts/lidar_reference.py on `cases` (a JSON array; the script's
/// docstring lists the fields) in a temporary folder and loads every case, in order. Call
/// SkipWithoutNumpy() first; throws std::runtime_error when the script fails.
std::vector<ReferenceViews> GenerateViewsReference(const nlohmann::json& cases);

}  // namespace rankme::testing
