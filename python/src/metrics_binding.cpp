// Scoring of in-memory arrays: the engine's ComputeRankme (RankMe and its sister metrics) and
// ComputeLidar on a RowStream over the array, with the fields and settings of
// `rankme score --json`.
#include <fmt/format.h>
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <thread>

#include "array_source.h"
#include "bindings.h"
#include "rankme/app/metric_scores.h"
#include "rankme/core/error.h"
#include "rankme/core/metric_catalog.h"
#include "rankme/io/tensor_stream.h"
#include "rankme/metrics/blas_runtime.h"
#include "rankme/metrics/lidar.h"
#include "rankme/metrics/rankme.h"
#include "rankme/metrics/sister_metrics.h"

namespace py = pybind11;

namespace rankme::python {

namespace {

metrics::RankmeOptions::Method ParseMethod(const std::string& name) {
  if (name == "auto") return metrics::RankmeOptions::Method::kAuto;
  if (name == "gram" || name == "gram32") return metrics::RankmeOptions::Method::kGram32;
  if (name == "gram64") return metrics::RankmeOptions::Method::kGram64;
  if (name == "qr") return metrics::RankmeOptions::Method::kExact;
  throw UsageError("unknown method '" + name + "' (known: auto, gram32, gram64, qr)");
}

// The metrics of a matrix asked for, in catalog order; empty `names` = every one. LiDAR reads a
// views tensor, not a matrix: asking rankme.score for it says where it is.
std::vector<std::string> SpectrumMetricsAsked(const std::vector<std::string>& names) {
  for (const std::string& name : names) {
    const MetricInfo* metric = FindMetric(name);
    if (metric == nullptr) {
      throw UsageError("unknown metric '" + name + "' (known: " + MetricNameList() + ")");
    }
    if (metric->source == MetricSource::kViews) {
      throw UsageError("metric '" + name +
                       "' reads a views tensor (n samples x q views x D): use rankme.lidar(views)");
    }
  }
  std::vector<std::string> asked;
  for (const MetricInfo& metric : AllMetrics()) {
    if (metric.source == MetricSource::kViews) continue;
    if (names.empty() || std::find(names.begin(), names.end(), metric.name) != names.end()) {
      asked.emplace_back(metric.name);
    }
  }
  return asked;
}

// Every core when 0, as the command.
void UseBlasThreads(int threads) {
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  metrics::SetBlasThreads(threads > 0 ? threads : cores);
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// A settings JSON text (app::MetricSettingsKey) as the dict json.loads makes of it.
py::object SettingsObject(const std::string& text) {
  return py::module_::import("json").attr("loads")(text);
}

py::object FiniteOrNone(double value) {
  return std::isfinite(value) ? py::object(py::float_(value)) : py::object(py::none());
}

void CheckMaxSamples(std::int64_t max_samples) {
  if (max_samples < 0) {
    throw UsageError(fmt::format("max_samples must be >= 0 (0 = every row), got {}", max_samples));
  }
}

struct ScoreRequest {
  ArrayStreamOptions stream;
  metrics::RankmeOptions rankme;
  std::vector<std::string> metrics;  ///< catalog order
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
    UseBlasThreads(request.threads);
    scored.result = metrics::ComputeRankme(*stream, request.rankme);
    scored.seconds = SecondsSince(start);
  }
  return scored;
}

ScoreRequest MakeRequest(const std::vector<std::string>& metric_names, const std::string& dtype,
                         bool flatten, double eps, std::int64_t max_samples, std::uint64_t seed,
                         const std::string& method, int threads) {
  if (!(eps >= 0)) {
    throw UsageError(fmt::format("eps must be a non-negative number, got {}", eps));
  }
  CheckMaxSamples(max_samples);
  ScoreRequest request;
  request.metrics = SpectrumMetricsAsked(metric_names);
  request.stream.dtype = dtype;
  request.stream.stream.flatten = flatten;
  request.rankme.eps = eps;
  request.rankme.max_samples = max_samples;
  request.rankme.seed = seed;
  request.rankme.method = ParseMethod(method);
  // The centred spectrum costs a second certificate (and, on the exact path, a wider QR): only
  // when a metric reads it, as `rankme score --metric` decides.
  request.rankme.centered = std::any_of(
      request.metrics.begin(), request.metrics.end(),
      [](const std::string& name) { return FindMetric(name)->source == MetricSource::kCentered; });
  request.method = method;
  request.threads = threads;
  return request;
}

py::array_t<double> ToArray(const std::vector<double>& values) {
  py::array_t<double> out(static_cast<py::ssize_t>(values.size()));
  std::copy(values.begin(), values.end(), out.mutable_data());
  return out;
}

// One entry of "metrics", as `rankme score --json` prints it.
py::dict MetricDict(const metrics::MetricValue& m, const metrics::RankmeOptions& options) {
  py::dict out;
  out["value"] = FiniteOrNone(m.value);
  out["status"] = m.degenerate ? "degenerate" : (std::isfinite(m.value) ? "ok" : "no_value");
  out["method"] = m.method;
  out["error_bound"] = m.error_bound;
  out["settings"] = SettingsObject(app::MetricSettingsKey(m.name, options));
  if (m.r_squared) out["r_squared"] = *m.r_squared;
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
  py::dict by_name;
  for (const metrics::MetricValue& m : metrics::SpectrumMetrics(r, request.rankme.eps)) {
    const std::string name(m.name);
    if (std::find(request.metrics.begin(), request.metrics.end(), name) == request.metrics.end()) {
      continue;
    }
    by_name[py::str(name)] = MetricDict(m, request.rankme);
  }
  out["metrics"] = by_name;
  if (with_spectrum) {
    out["singular_values"] = ToArray(r.singular_values);
    if (r.centered.computed) out["centered_singular_values"] = ToArray(r.centered.singular_values);
    if (r.singular_value_exponent != 0) {
      out["singular_value_exponent"] = r.singular_value_exponent;
    }
  }
  return out;
}

py::dict Score(const py::array& array, const std::vector<std::string>& metric_names,
               const std::string& dtype, bool flatten, double eps, std::int64_t max_samples,
               std::uint64_t seed, const std::string& method, int threads, bool spectrum) {
  const ScoreRequest request =
      MakeRequest(metric_names, dtype, flatten, eps, max_samples, seed, method, threads);
  return ResultDict(Compute(array, request), request, spectrum);
}

// LiDAR of an n × q × D... array, as `rankme score FILE_views.npy --json` computes and prints it.
py::dict Lidar(const py::array& array, const std::string& dtype, std::int64_t max_samples,
               std::uint64_t seed, int threads, bool eigenvalues) {
  CheckMaxSamples(max_samples);
  ArrayStreamOptions stream_options;
  stream_options.dtype = dtype;
  stream_options.stream.flatten = true;  // a row per sample: its q views, one after the other
  if (array.ndim() < 3) {
    std::vector<std::int64_t> shape(array.shape(), array.shape() + array.ndim());
    throw DataError(fmt::format("views must have shape n samples x q views x D, got shape {}",
                                io::FormatShape(shape)),
                    stream_options.name);
  }
  auto stream = OpenArrayStream(array, stream_options);
  const MatrixInfo info = stream->info();
  // The options of `rankme score` and ingest: δ and ε as defined, the rows of --max-samples.
  metrics::RankmeOptions rows;
  rows.max_samples = max_samples;
  rows.seed = seed;
  metrics::LidarOptions options;
  options.max_samples = max_samples;
  options.seed = seed;
  metrics::LidarResult l;
  double seconds = 0;
  {
    const py::gil_scoped_release release;
    const auto start = std::chrono::steady_clock::now();
    UseBlasThreads(threads);
    l = metrics::ComputeLidar(*stream, info.shape[1], options);
    seconds = SecondsSince(start);
  }
  py::dict out;
  out["status"] = "ok";
  out["value"] = FiniteOrNone(l.value);
  out["samples"] = l.samples;
  out["samples_total"] = l.samples_total;
  out["views"] = l.views;
  out["cols"] = l.cols;
  out["dtype"] = std::string(DTypeName(info.dtype));
  out["shape"] = py::tuple(py::cast(info.shape));
  out["method"] = l.method;
  out["seconds"] = seconds;
  out["warnings"] = l.warnings;
  out["settings"] = SettingsObject(app::MetricSettingsKey("lidar", rows));
  py::dict metric;
  metric["value"] = out["value"];
  metric["status"] = "ok";
  metric["method"] = l.method;
  metric["settings"] = SettingsObject(app::MetricSettingsKey("lidar", rows));
  py::dict by_name;
  by_name["lidar"] = metric;
  out["metrics"] = by_name;
  if (eigenvalues) out["eigenvalues"] = ToArray(l.eigenvalues);
  return out;
}

py::list Catalog() {
  py::list out;
  for (const MetricInfo& m : AllMetrics()) {
    py::dict entry;
    entry["name"] = std::string(m.name);
    const bool target = m.direction == MetricDirection::kCloserToTarget;
    entry["better"] = target ? "closer_to_target" : "higher";
    entry["target"] = target ? py::object(py::float_(m.target)) : py::object(py::none());
    entry["source"] = m.source == MetricSource::kViews      ? "views"
                      : m.source == MetricSource::kCentered ? "centered"
                                                            : "uncentered";
    entry["definition"] = std::string(m.definition);
    entry["reference"] = std::string(m.reference);
    out.append(entry);
  }
  return out;
}

}  // namespace

void RegisterMetrics(py::module_& m) {
  m.def("_score", &Score, py::arg("array"), py::kw_only(), py::arg("metrics"),
        py::arg("dtype") = "", py::arg("flatten") = false, py::arg("eps") = 1e-7,
        py::arg("max_samples") = 25600, py::arg("seed") = 0, py::arg("method") = "auto",
        py::arg("threads") = 0, py::arg("spectrum") = false,
        "Scores an array in place (see rankme.score); `metrics` empty = every metric of a "
        "matrix; `dtype` 'bfloat16' reads a 2-byte integer view as bfloat16.");
  m.def("_lidar", &Lidar, py::arg("array"), py::kw_only(), py::arg("dtype") = "",
        py::arg("max_samples") = 25600, py::arg("seed") = 0, py::arg("threads") = 0,
        py::arg("eigenvalues") = false, "LiDAR of an n x q x D array in place (see rankme.lidar).");
  m.def("_metric_catalog", &Catalog, "The metric catalog (see rankme.metric_catalog).");
  m.def("blas_kernel", &metrics::BlasKernelName,
        "The OpenBLAS kernel family in use (e.g. 'SkylakeX', 'Haswell', 'Prescott').");
  m.def(
      "algorithm_version", [] { return metrics::kRankmeAlgorithmVersion; },
      "The engine's algorithm version, stored with every score.");
}

}  // namespace rankme::python
