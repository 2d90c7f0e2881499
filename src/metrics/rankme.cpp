// ComputeRankme: validation, subsampling, the Gram fast path with its certificate, and the
// exact fallback.
#include "rankme/metrics/rankme.h"

#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "metrics/metrics_internal.h"
#include "rankme/core/error.h"
#include "rankme/metrics/subsample.h"

namespace rankme::metrics {

namespace {

// Certified when the estimated relative error is ten times inside the contract (1e-6 for
// float16/bfloat16/float32 sources, 1e-9 for float64). The estimate itself is conservative: on
// every spectrum of the tests it exceeds the actual error, mostly by orders of magnitude (on a
// 25600 × 8192 float32 matrix: estimate 2.7e-8, actual 1.1e-11 against numpy's float64).
constexpr double kTrustSingle = 1e-7;
constexpr double kTrustDouble = 1e-10;

// Sources whose values are exact in float32, scored through float32 block products.
bool IsSinglePrecisionSource(DType dtype) {
  switch (dtype) {
    case DType::kBool:
    case DType::kInt8:
    case DType::kUInt8:
    case DType::kInt16:
    case DType::kUInt16:
    case DType::kFloat16:
    case DType::kBFloat16:
    case DType::kFloat32:
      return true;
    default:
      return false;
  }
}

// Estimated error of the exact path: every sigma within about 2 ulp(sigma_1) (backward stable
// QR and SVD), pushed through the derivative bound.
double ExactPathErrorBound(const std::vector<double>& sigma, double eps) {
  if (sigma.empty()) return 0.0;
  std::vector<double> halfwidth(sigma.size(), 2.0 * 0x1p-53 * sigma.front());
  return internal::BoundEntropyChange(sigma, halfwidth, eps);
}

void SetValue(RankmeResult& result, std::vector<double> sigma, double eps) {
  result.singular_values = std::move(sigma);
  double sum = 0.0;
  for (double s : result.singular_values) sum += s;
  if (sum == 0.0) {
    result.status = RankmeResult::Status::kDegenerate;
    result.value = std::numeric_limits<double>::quiet_NaN();
    result.error_bound = 0.0;
    return;
  }
  result.status = RankmeResult::Status::kOk;
  result.value = RankmeFromSingularValues(result.singular_values, eps);
}

}  // namespace

RankmeResult ComputeRankme(RowStream& stream, const RankmeOptions& options) {
  const MatrixInfo& info = stream.info();
  if (info.cols < 1) throw DataError("the matrix has no columns", info.source);
  if (info.rows < 2) {
    throw DataError(fmt::format("RankMe needs at least 2 rows (samples), found {}", info.rows),
                    info.source);
  }
  RankmeResult result;
  result.rows_total = info.rows;
  result.cols = info.cols;
  std::vector<std::int64_t> selected;
  if (options.max_samples > 0 && info.rows > options.max_samples) {
    selected = SubsampleRows(options.seed, info.rows, options.max_samples);
  }
  internal::RowPlan plan;
  plan.selected = selected;
  plan.rows_used = selected.empty() ? info.rows : static_cast<std::int64_t>(selected.size());
  plan.scan_all = true;
  result.rows_used = plan.rows_used;
  if (info.cols == 1) {
    result.warnings.push_back(
        "D = 1: a single column has one singular value, so RankMe is always about 1");
  }

  if (options.method != RankmeOptions::Method::kExact) {
    const bool single = IsSinglePrecisionSource(info.dtype);
    const internal::GramSpectrum spectrum =
        internal::ComputeGramSpectrum(stream, plan, single, options.block_bytes);
    if (spectrum.trace == 0.0) {
      result.method_used = "gram";
      SetValue(result, std::vector<double>(spectrum.eigenvalues.size(), 0.0), options.eps);
      return result;
    }
    internal::GramCertificate certificate = internal::CertifyGramSpectrum(spectrum, options.eps);
    const double trust = single ? kTrustSingle : kTrustDouble;
    if (options.method == RankmeOptions::Method::kGram || certificate.error_bound <= trust) {
      result.method_used = "gram";
      SetValue(result, std::move(certificate.singular_values), options.eps);
      result.error_bound = certificate.error_bound;
      return result;
    }
    plan.scan_all = false;  // every row was checked by the first pass
  }
  result.method_used = "qr";
  SetValue(result, internal::ComputeExactSingularValues(stream, plan, options.block_bytes),
           options.eps);
  if (result.status == RankmeResult::Status::kOk) {
    result.error_bound = ExactPathErrorBound(result.singular_values, options.eps);
  }
  return result;
}

}  // namespace rankme::metrics
