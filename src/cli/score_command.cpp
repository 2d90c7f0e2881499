// `rankme score FILE[#TENSOR]...`: score embedding files directly, no database.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

#include "cli/command_table.h"
#include "cli/common.h"
#include "cli/option_checks.h"
#include "rankme/app/score_files.h"
#include "rankme/core/metric_catalog.h"
#include "rankme/metrics/blas_runtime.h"
#include "rankme/report/number_format.h"
#include "rankme/report/table.h"

namespace rankme::cli {

namespace {

struct ScoreOptions {
  std::vector<std::string> specs;
  app::ScoreFilesOptions settings;
  std::string method = "auto";
  int threads = 0;
  bool json = false;
  bool spectrum = false;
  bool verbose = false;
  std::vector<std::string> metrics;  ///< --metric; empty = every one
};

// "degenerate", "-" (not asked for / not applicable) or the value.
std::string Cell(const metrics::MetricValue& m) {
  if (m.degenerate) return "degenerate";
  if (!std::isfinite(m.value)) return "n/a";
  return report::FormatScore(m.value);
}

nlohmann::json MetricJson(const metrics::MetricValue& m, const std::string& settings) {
  nlohmann::json out = {{"value", std::isfinite(m.value) ? nlohmann::json(m.value) : nullptr},
                        {"status", m.degenerate ? "degenerate"
                                                : (std::isfinite(m.value) ? "ok" : "no_value")},
                        {"method", m.method},
                        {"error_bound", m.error_bound},
                        {"settings", nlohmann::json::parse(settings)}};
  if (m.r_squared) out["r_squared"] = *m.r_squared;
  return out;
}

nlohmann::json ToJson(const app::FileScore& s, bool with_spectrum) {
  nlohmann::json out = {{"spec", s.spec}, {"path", s.path}, {"tensor", s.tensor}};
  if (!s.tensor_note.empty()) out["tensor_note"] = s.tensor_note;
  if (s.lidar) {
    const metrics::LidarResult& l = *s.lidar;
    out["status"] = "ok";
    out["samples"] = l.samples;
    out["samples_total"] = l.samples_total;
    out["views"] = l.views;
    out["cols"] = l.cols;
    out["dtype"] = std::string(DTypeName(s.info.dtype));
    out["shape"] = s.info.shape;
    out["method"] = l.method;
    out["seconds"] = s.seconds;
    out["warnings"] = l.warnings;
    out["metrics"] = {{"lidar",
                       {{"value", std::isfinite(l.value) ? nlohmann::json(l.value) : nullptr},
                        {"status", "ok"},
                        {"method", l.method},
                        {"settings", nlohmann::json::parse(s.lidar_settings)}}}};
    if (with_spectrum) out["lidar_eigenvalues"] = l.eigenvalues;
    return out;
  }
  if (!s.result) {
    out["error"] = s.error;
    return out;
  }
  const auto& r = *s.result;
  const bool ok = r.status == metrics::RankmeResult::Status::kOk;
  out["status"] = ok ? "ok" : "degenerate";
  out["rankme"] = ok ? nlohmann::json(r.value) : nlohmann::json(nullptr);
  out["rows_used"] = r.rows_used;
  out["rows_total"] = r.rows_total;
  out["cols"] = r.cols;
  out["dtype"] = std::string(DTypeName(s.info.dtype));
  out["shape"] = s.info.shape;
  out["method"] = r.method_used;
  out["error_bound"] = r.error_bound;
  out["seconds"] = s.seconds;
  out["warnings"] = r.warnings;
  out["metrics"] = nlohmann::json::object();
  for (const auto& [m, settings] : s.metrics) out["metrics"][std::string(m.name)] = MetricJson(m, settings);
  if (with_spectrum) out["singular_values"] = r.singular_values;
  if (with_spectrum && r.centered.computed) {
    out["centered_singular_values"] = r.centered.singular_values;
  }
  if (with_spectrum && r.singular_value_exponent != 0) {
    out["singular_value_exponent"] = r.singular_value_exponent;
  }
  return out;
}

int Run(const ScoreOptions& options) {
  app::ScoreFilesOptions settings = options.settings;
  settings.note = [](const std::string& text) { PrintNote(text); };
  using Method = metrics::RankmeOptions::Method;
  if (options.method == "gram32" || options.method == "gram")
    settings.rankme.method = Method::kGram32;
  if (options.method == "gram64") settings.rankme.method = Method::kGram64;
  if (options.method == "qr") settings.rankme.method = Method::kExact;
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  metrics::SetBlasThreads(options.threads > 0 ? options.threads : cores);
  if (options.verbose) {
    PrintNote(fmt::format("BLAS: OpenBLAS, {} kernels, {} threads", metrics::BlasKernelName(),
                          metrics::BlasThreads()));
  }

  settings.metrics = options.metrics;
  const auto scores = app::ScoreFiles(options.specs, settings);
  ExitCode worst = ExitCode::kOk;
  // One column per metric asked for (catalog order), LiDAR only when a views tensor was given.
  std::vector<std::string> columns;
  const bool any_views = std::any_of(scores.begin(), scores.end(), [](const auto& s) {
    return s.lidar.has_value();
  });
  for (const MetricInfo& metric : AllMetrics()) {
    const bool wanted = options.metrics.empty() ||
                        std::find(options.metrics.begin(), options.metrics.end(), metric.name) !=
                            options.metrics.end();
    if (wanted && (metric.source != MetricSource::kViews || any_views)) {
      columns.emplace_back(metric.name);
    }
  }
  report::Table table;
  table.headers = {"file", "rows", "D", "dtype"};
  using A = report::Table::Align;
  table.align = {A::kLeft, A::kRight, A::kRight, A::kLeft};
  for (const std::string& c : columns) {
    table.headers.push_back(c);
    table.align.push_back(A::kRight);
  }
  table.headers.insert(table.headers.end(), {"path", "seconds"});
  table.align.insert(table.align.end(), {A::kLeft, A::kRight});
  nlohmann::json json = nlohmann::json::array();
  for (const auto& s : scores) {
    const std::string file = s.tensor.empty() ? s.path : s.path + "#" + s.tensor;
    if (s.lidar) {
      for (const auto& warning : s.lidar->warnings) PrintNote(s.spec + ": " + warning);
      std::vector<std::string> row = {file,
                                      fmt::format("{}/{} x {}", s.lidar->samples,
                                                  s.lidar->samples_total, s.lidar->views),
                                      std::to_string(s.lidar->cols),
                                      std::string(DTypeName(s.info.dtype))};
      for (const std::string& c : columns) {
        row.push_back(c == "lidar" ? report::FormatScore(s.lidar->value) : "-");
      }
      row.insert(row.end(), {s.lidar->method, fmt::format("{:.3f}", s.seconds)});
      table.rows.push_back(std::move(row));
    } else if (!s.result) {
      PrintNote(s.error);
      if (static_cast<int>(s.error_code) > static_cast<int>(worst)) worst = s.error_code;
    } else {
      if (!s.tensor_note.empty()) PrintNote(s.path + ": " + s.tensor_note);
      for (const auto& warning : s.result->warnings) PrintNote(s.spec + ": " + warning);
      if (s.result->status == metrics::RankmeResult::Status::kDegenerate) {
        PrintNote(s.spec + ": every value is zero: RankMe is undefined (degenerate)");
      } else if (s.result->centered.computed &&
                 s.result->centered.status == metrics::SpectrumStatus::kDegenerate) {
        PrintNote(s.spec + ": every row is the same: the centred metrics are undefined "
                           "(degenerate)");
      }
      const auto& r = *s.result;
      // A forced tier (--method gram32|gram64) is kept even uncertified: say when its bound
      // exceeds the accuracy contract (1e-6 relative; 1e-9 for float64 files).
      const double contract = s.info.dtype == DType::kFloat64 ? 1e-9 : 1e-6;
      if (r.status == metrics::RankmeResult::Status::kOk && r.method_used != "qr" &&
          !(r.error_bound <= contract)) {
        PrintNote(
            fmt::format("{}: {} result NOT certified: error bound {:.2g} exceeds the "
                        "accuracy contract {:g} (--method auto or qr is exact)",
                        s.spec, r.method_used, r.error_bound, contract));
      }
      std::vector<std::string> row = {file, fmt::format("{}/{}", r.rows_used, r.rows_total),
                                      std::to_string(r.cols),
                                      std::string(DTypeName(s.info.dtype))};
      for (const std::string& c : columns) {
        const auto found = std::find_if(s.metrics.begin(), s.metrics.end(),
                                        [&](const auto& m) { return m.first.name == c; });
        row.push_back(found == s.metrics.end() ? "-" : Cell(found->first));
      }
      std::string path = r.method_used;
      if (r.centered.computed && r.centered.method_used != r.method_used) {
        path += "/" + r.centered.method_used;  // the centred spectrum took another tier
      }
      row.insert(row.end(), {path, fmt::format("{:.3f}", s.seconds)});
      table.rows.push_back(std::move(row));
    }
    json.push_back(ToJson(s, options.spectrum));
  }
  if (options.json) {
    PrintJson(json);
  } else if (!table.rows.empty()) {
    PrintOut(report::RenderText(table));
  }
  return static_cast<int>(worst);
}

std::vector<std::string> MetricNames() {
  std::vector<std::string> names;
  for (const MetricInfo& m : AllMetrics()) names.emplace_back(m.name);
  return names;
}

}  // namespace

Command MakeScoreCommand() {
  return {
      "score", "score embedding files directly (no database)",
      [](CLI::App& sub) {
        auto o = std::make_shared<ScoreOptions>();
        sub.add_option("files", o->specs, "FILE or FILE#TENSOR (.npy .npz .safetensors .pt .pth)")
            ->required();
        sub.add_option("--eps", o->settings.rankme.eps, "added to each normalised singular value")
            ->capture_default_str()
            ->check(FiniteNumber(0, 1));
        sub.add_option("--max-samples", o->settings.rankme.max_samples,
                       "subsample files with more rows to this many (0 = all rows)")
            ->capture_default_str()
            ->check(SampleCount());
        sub.add_option("--seed", o->settings.rankme.seed, "seed of the row subsample")
            ->capture_default_str()
            ->check(SeedNumber());
        sub.add_option("--method", o->method,
                       "auto: the first certified tier of gram32, gram64, qr; gram32 (float32 "
                       "Gram; gram is an alias); gram64 (float64 Gram); qr (exact)")
            ->capture_default_str()
            ->check(CLI::IsMember({"auto", "gram32", "gram64", "gram", "qr"}));
        AddMaxMemoryOption(sub, o->settings.rankme.max_memory);
        sub.add_flag("--flatten", o->settings.stream.flatten,
                     "score arrays of rank > 2 as N x (product of the other dims)");
        sub.add_option("--threads", o->threads, "BLAS threads (default: all cores)")
            ->check(WholeNumber(1, 1024));
        sub.add_option("--metric", o->metrics,
                       "metric to compute (repeatable; default: every one): " + MetricNameList())
            ->check(CLI::IsMember(MetricNames()));
        sub.add_flag("--json", o->json, "print JSON (every metric with its settings)");
        sub.add_flag("--spectrum", o->spectrum, "with --json: include the singular values");
        sub.add_flag("-v,--verbose", o->verbose, "print the BLAS kernels and threads used");
        return std::function<int()>([o] { return Run(*o); });
      },
      /*scores=*/true};
}

}  // namespace rankme::cli
