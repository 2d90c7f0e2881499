#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "rankme/core/dtype.h"

namespace rankme {

/// What a stream knows about its matrix before any value is read.
struct MatrixInfo {
  std::int64_t rows = 0;            ///< N: samples
  std::int64_t cols = 0;            ///< D: embedding dimensions
  DType dtype = DType::kFloat32;    ///< element type as stored
  std::vector<std::int64_t> shape;  ///< shape as stored (before any flattening to N × D)
  std::string source;               ///< "path" or "path#tensor", for messages
};

/// A rows × cols matrix read in row blocks, converted to float32 or float64 on the way.
///
/// This is the one interface every file format implements and every metric consumes. An
/// implementation reads through a window of bounded size (pread into a buffer, or a mapping whose
/// pages it releases), so resident memory stays bounded whatever the file size; the caller
/// bounds its own blocks. Blocks may be requested in any order; ascending order is fastest.
/// Errors (short read, file changed underneath) are thrown as rankme::Error naming the source.
class RowStream {
 public:
  virtual ~RowStream() = default;

  virtual const MatrixInfo& info() const = 0;

  /// Reads rows [first, first + count) into `dst`, row-major, count × cols float32 values.
  /// Requires 0 <= first, first + count <= rows.
  virtual void ReadRows(std::int64_t first, std::int64_t count, float* dst) = 0;
  /// Same, into float64 (exact for float16/bfloat16/float32/float64 sources).
  virtual void ReadRows(std::int64_t first, std::int64_t count, double* dst) = 0;
  /// False when rows are best read once, in order (a deflated archive member: a read behind the
  /// last one inflates again from the start).
  virtual bool cheap_random_access() const { return true; }
};

/// A RowStream over a row-major float64 matrix held in memory (synthetic data, tests).
class MemoryRowStream final : public RowStream {
 public:
  /// `values` is rows × cols, row-major. `stored_dtype` is what info().dtype reports; values are
  /// handed out as they are (the caller rounds them to that dtype first if it matters).
  MemoryRowStream(std::vector<double> values, std::int64_t rows, std::int64_t cols,
                  std::string source = "<memory>", DType stored_dtype = DType::kFloat64);

  const MatrixInfo& info() const override { return info_; }
  void ReadRows(std::int64_t first, std::int64_t count, float* dst) override;
  void ReadRows(std::int64_t first, std::int64_t count, double* dst) override;

 private:
  MatrixInfo info_;
  std::vector<double> values_;
};

}  // namespace rankme
