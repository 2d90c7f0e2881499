// Scoring of in-memory arrays: the engine's ComputeRankme on a RowStream over the array.
#include <fmt/format.h>
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "array_source.h"
#include "bindings.h"
#include "rankme/core/error.h"
#include "rankme/metrics/blas_runtime.h"
#include "rankme/metrics/rankme.h"

namespace py = pybind11;

namespace rankme::python {

namespace {

constexpr const char* kKnownMetrics = "rankme";

metrics::RankmeOptions::Method ParseMethod(const std::string& name) {
  if (name == "auto") return metrics::RankmeOptions::Method::kAuto;
  if (name == "gram" || name == "gram32") return metrics::RankmeOptions::Method::kGram32;
  if (name == "gram64") return metrics::RankmeOptions::Method::kGram64;
  if (name == "qr") return metrics::RankmeOptions::Method::kExact;
  throw UsageError("unknown method '" + name + "' (known: auto, gram32, gram64, qr)");
}

struct ScoreRequest {
  ArrayStreamOptions stream;
  metrics::RankmeOptions rankme;
  std::string method = "auto";
  int threads = 0;
};

struct Scored {
  metrics::RankmeResult result;
  MatrixInfo info;
  double seconds = 0;
};

Scored Compute(const py::array& array, const ScoreRequest& request) {
  auto stream = OpenArrayStream(array, request.stream);  // reads shape and strides: needs the GIL
  Scored scored;
  scored.info = stream->info();
  {
    const py::gil_scoped_release release;
    const auto start = std::chrono::steady_clock::now();
    const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    metrics::SetBlasThreads(request.threads > 0 ? request.threads : cores);
    scored.result = metrics::ComputeRankme(*stream, request.rankme);
    scored.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  return scored;
}

ScoreRequest MakeRequest(const std::string& dtype, bool flatten, double eps,
                         std::int64_t max_samples, std::uint64_t seed, const std::string& method,
                         int threads) {
  if (!(eps >= 0)) {
    throw UsageError(fmt::format("eps must be a non-negative number, got {}", eps));
  }
  if (max_samples < 0) {
    throw UsageError(fmt::format("max_samples must be >= 0 (0 = every row), got {}", max_samples));
  }
  ScoreRequest request;
  request.stream.dtype = dtype;
  request.stream.stream.flatten = flatten;
  request.rankme.eps = eps;
  request.rankme.max_samples = max_samples;
  request.rankme.seed = seed;
  request.rankme.method = ParseMethod(method);
  request.method = method;
  request.threads = threads;
  return request;
}

py::array_t<double> ToArray(const std::vector<double>& values) {
  py::array_t<double> out(static_cast<py::ssize_t>(values.size()));
  std::copy(values.begin(), values.end(), out.mutable_data());
  return out;
}

// The fields of `rankme score --json` for one file, plus the settings that produced them.
py::dict ResultDict(const Scored& s, const ScoreRequest& request, bool with_spectrum) {
  const metrics::RankmeResult& r = s.result;
  const bool ok = r.status == metrics::RankmeResult::Status::kOk;
  py::dict out;
  out["status"] = ok ? "ok" : "degenerate";
  out["rankme"] = ok ? py::object(py::float_(r.value)) : py::object(py::none());
  out["rows_used"] = r.rows_used;
  out["rows_total"] = r.rows_total;
  out["cols"] = r.cols;
  out["dtype"] = std::string(DTypeName(s.info.dtype));
  out["shape"] = py::tuple(py::cast(s.info.shape));
  out["method"] = r.method_used;
  out["error_bound"] = r.error_bound;
  out["seconds"] = s.seconds;
  out["warnings"] = r.warnings;
  py::dict settings;
  settings["algorithm_version"] = metrics::kRankmeAlgorithmVersion;
  settings["eps"] = request.rankme.eps;
  settings["max_samples"] = request.rankme.max_samples;
  settings["seed"] = request.rankme.seed;
  settings["method"] = request.method;
  out["settings"] = settings;
  if (with_spectrum) out["singular_values"] = ToArray(r.singular_values);
  return out;
}

}  // namespace

void RegisterMetrics(py::module_& m) {
  m.def(
      "_score",
      [](const py::array& array, const std::vector<std::string>& metric_names,
         const std::string& dtype, bool flatten, double eps, std::int64_t max_samples,
         std::uint64_t seed, const std::string& method, int threads, bool spectrum) {
        for (const std::string& name : metric_names) {
          if (name != "rankme") {
            throw UsageError("unknown metric '" + name + "' (known: " + kKnownMetrics + ")");
          }
        }
        const ScoreRequest request =
            MakeRequest(dtype, flatten, eps, max_samples, seed, method, threads);
        return ResultDict(Compute(array, request), request, spectrum);
      },
      py::arg("array"), py::kw_only(), py::arg("metrics"), py::arg("dtype") = "",
      py::arg("flatten") = false, py::arg("eps") = 1e-7, py::arg("max_samples") = 25600,
      py::arg("seed") = 0, py::arg("method") = "auto", py::arg("threads") = 0,
      py::arg("spectrum") = false,
      "Scores an array in place (see rankme.score); `dtype` 'bfloat16' reads a 2-byte integer "
      "view as bfloat16.");
  m.def("blas_kernel", &metrics::BlasKernelName,
        "The OpenBLAS kernel family in use (e.g. 'SkylakeX', 'Haswell', 'Prescott').");
  m.def(
      "algorithm_version", [] { return metrics::kRankmeAlgorithmVersion; },
      "The engine's algorithm version, stored with every score.");
}

}  // namespace rankme::python
