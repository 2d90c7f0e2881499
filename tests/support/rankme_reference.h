#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "rankme/core/dtype.h"
#include "rankme/core/row_stream.h"

namespace rankme::testing {

/// One matrix made by scripts/rankme_reference.py, with numpy's float64 reference.
struct ReferenceMatrix {
  std::string name;
  std::int64_t rows = 0;
  std::int64_t cols = 0;
  DType dtype = DType::kFloat64;
  std::vector<double> values;    ///< rows × cols, already rounded to dtype
  std::optional<double> rankme;  ///< numpy's RankMe; empty when undefined
  /// numpy's singular values of the scored rows, in the convention of RankmeResult: true values
  /// are sigma × 2^sigma_exponent, and sigma_exponent is 0 unless the largest is >= 2^1024 or
  /// subnormal.
  std::vector<double> sigma;
  int sigma_exponent = 0;
  std::optional<std::vector<std::int64_t>> selected;  ///< subsampled rows, when subsampled
  /// numpy's sister metrics of the scored rows (rankme_centered, stable_rank, nesum,
  /// participation_ratio, alpha_req, alpha_req_r2; null when undefined).
  nlohmann::json metrics;

  /// The matrix as a stream reporting `dtype` as its stored type.
  MemoryRowStream Stream() const;
};

/// Runs /usr/bin/python3 scripts/rankme_reference.py on `cases` (a JSON array; the script's
/// docstring lists the fields) in a temporary folder and loads every case, in order. Throws
/// std::runtime_error with a clear message when numpy is missing or the script fails.
std::vector<ReferenceMatrix> GenerateReference(const nlohmann::json& cases);

}  // namespace rankme::testing
