// RankMe's sister metrics (DESIGN.md §2) from ComputeRankme's two spectra, against numpy's
// float64 computation of each definition (scripts/rankme_reference.py) and against the shared
// real sweep's references (tests/data/real_sweep_small/ground_truth.json).
#include "rankme/metrics/sister_metrics.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "rankme/io/embedding_reader.h"
#include "rankme/io/tensor_listing.h"
#include "support/rankme_reference.h"
#include "support/temp_dir.h"

namespace rankme::metrics {
namespace {

using nlohmann::json;

json Case(const std::string& name, int rows, int cols, const std::string& spectrum,
          const std::string& dtype, json extra = json::object()) {
  json c = {{"name", name},         {"rows", rows},   {"cols", cols},
            {"spectrum", spectrum}, {"dtype", dtype}, {"seed", 3}};
  c.update(extra);
  return c;
}

// The contract: 1e-6 relative (α-ReQ and its R²: 1e-6 absolute; 1e-9 relative for float64
// sources on the other metrics).
void CheckMetric(const MetricValue& got, const json& want, DType dtype) {
  INFO(got.name << ": got " << got.value << " (" << got.method << ", bound " << got.error_bound
                << "), want " << want.dump());
  if (want.is_null()) {
    CHECK(std::isnan(got.value));
    return;
  }
  const double w = want.get<double>();
  if (got.name == "alpha_req") {
    CHECK(std::fabs(got.value - w) <= 1e-6);
  } else {
    CHECK(std::fabs(got.value - w) <= (dtype == DType::kFloat64 ? 1e-9 : 1e-6) * std::fabs(w));
  }
}

// `flat`: the spectrum has no slope, and R² of the α-ReQ fit is a ratio of two rounding noises
// (not checked).
void CheckAll(const std::vector<MetricValue>& values, const json& want, DType dtype,
              bool flat = false) {
  REQUIRE(values.size() == 6);
  for (const MetricValue& v : values) {
    if (v.name == "rankme") continue;  // rankme_test.cpp
    CheckMetric(v, want.at(std::string(v.name)), dtype);
    if (v.name == "alpha_req" && !flat) {
      const json& r2 = want.at("alpha_req_r2");
      if (r2.is_null()) {
        CHECK(!v.r_squared);
      } else {
        REQUIRE(v.r_squared);
        CHECK(std::fabs(*v.r_squared - r2.get<double>()) <= 1e-6);
      }
    }
  }
}

TEST_CASE("Sister metrics agree with numpy's float64 definitions on every kind of spectrum",
          "[metrics][sister]") {
  const json cases = json::array({
      Case("flat", 512, 64, "flat", "float32"),
      Case("power", 2000, 128, "power:1", "float32"),
      Case("power_f64", 1500, 96, "power:1.5", "float64"),
      Case("exp", 2000, 128, "exp:1000", "float64"),
      Case("rank10", 1000, 64, "rank:10", "float32"),
      Case("relu", 3000, 64, "relu:24", "float32"),
      Case("collapsed", 400, 32, "repeated_row", "float32"),
      Case("offset_f32", 1000, 32, "gaussian", "float32", {{"offset", 1e4}}),
      Case("offset_f64", 1000, 32, "gaussian", "float64", {{"offset", 1e6}}),
      Case("wide", 100, 300, "gaussian", "float32"),
      Case("wide_power", 60, 200, "power:1", "float16"),
      Case("wide_offset", 80, 150, "power:0.7", "float64", {{"offset", 1e3}}),
      Case("half", 1000, 64, "power:0.5", "float16"),
      Case("bfloat", 800, 48, "gaussian", "bfloat16"),
      Case("subsampled", 3000, 40, "power:1", "float32", {{"max_samples", 1000}}),
  });
  for (const testing::ReferenceMatrix& m : testing::GenerateReference(cases)) {
    INFO(m.name);
    MemoryRowStream stream = m.Stream();
    RankmeOptions options;
    if (m.selected) options.max_samples = static_cast<std::int64_t>(m.selected->size());
    const RankmeResult result = ComputeRankme(stream, options);
    REQUIRE(result.centered.computed);
    CheckAll(SpectrumMetrics(result, options.eps), m.metrics, m.dtype, m.name == "flat");
  }
}

TEST_CASE("Centred metrics of equal rows are degenerate, with the uncentred ones defined",
          "[metrics][sister]") {
  std::vector<double> values(50 * 8);
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = 0.1 * double(i % 8 + 1);
  MemoryRowStream stream(values, 50, 8, "equal rows");
  const RankmeResult result = ComputeRankme(stream);
  CHECK(result.status == SpectrumStatus::kOk);
  CHECK(result.centered.status == SpectrumStatus::kDegenerate);
  for (const MetricValue& v : SpectrumMetrics(result, 1e-7)) {
    INFO(v.name);
    const bool centred = v.name != "rankme" && v.name != "stable_rank";
    CHECK(v.degenerate == centred);
    CHECK(std::isnan(v.value) == centred);
  }
}

TEST_CASE("Sister metrics of the real sweep match its float64 references", "[metrics][sister]") {
  const std::string root = std::string(RANKME_TEST_DATA_DIR) + "/real_sweep_small/";
  std::ifstream truth_file(root + "ground_truth.json");
  const json truth = json::parse(truth_file);
  int checked = 0;
  for (const json& record : truth) {
    for (const std::string tensor : {"embeddings", "representations"}) {
      std::string spec = root + record["files"][tensor].get<std::string>();
      if (spec.find('#') == std::string::npos && spec.find(".npy") == std::string::npos) {
        spec += "#" + tensor;
      }
      auto stream = io::OpenEmbeddings(spec, {});
      const RankmeResult result = ComputeRankme(*stream);
      INFO(spec);
      json want = record["metrics_" + tensor];
      CheckAll(SpectrumMetrics(result, 1e-7), want, DType::kFloat16);
      ++checked;
    }
  }
  CHECK(checked == 48);
}

}  // namespace
}  // namespace rankme::metrics

namespace rankme::metrics {
namespace {

// Without the centred spectrum the Gram tiers' one eigenvalue problem takes every BLAS thread
// (with it, the two run on a thread each): the two may round differently, far inside the
// contract.
TEST_CASE("RankMe is the same, to rounding, with and without the centred spectrum",
          "[metrics][sister]") {
  const nlohmann::json cases = nlohmann::json::array({
      Case("gram32_tier", 2000, 64, "gaussian", "float32"),
      Case("gram64_tier", 2000, 96, "power:1", "float32"),
      Case("exact_tier", 800, 64, "rank:5", "float32"),
      Case("wide_exact", 40, 120, "rank:3", "float64"),
  });
  for (const testing::ReferenceMatrix& m : testing::GenerateReference(cases)) {
    INFO(m.name);
    MemoryRowStream both_stream = m.Stream();
    MemoryRowStream plain_stream = m.Stream();
    RankmeOptions plain;
    plain.centered = false;
    const RankmeResult both = ComputeRankme(both_stream);
    const RankmeResult alone = ComputeRankme(plain_stream, plain);
    CHECK(both.centered.computed);
    CHECK_FALSE(alone.centered.computed);
    CHECK(std::fabs(alone.value - both.value) <= 1e-13 * both.value);
    CHECK(alone.method_used == both.method_used);
    REQUIRE(alone.singular_values.size() == both.singular_values.size());
    for (std::size_t k = 0; k < both.singular_values.size(); ++k) {
      CHECK(std::fabs(alone.singular_values[k] - both.singular_values[k]) <=
            1e-12 * both.singular_values.front());
    }
  }
}

}  // namespace
}  // namespace rankme::metrics

namespace rankme::metrics {
namespace {

TEST_CASE("Sister metrics of every 2-D tensor of the format fixtures agree with numpy",
          "[metrics][sister]") {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(RANKME_TEST_DATA_DIR) / "formats";
  testing::TempDir tmp;
  json listing = json::array();
  std::vector<std::pair<std::string, RankmeResult>> scored;
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir)) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  for (const fs::path& file : files) {
    const std::string name = file.filename().string();
    if (name.starts_with("hostile_") || name == "manifest.json") continue;
    for (const io::TensorEntry& entry : io::ListTensors(file.string())) {
      if (entry.shape.size() != 2 || entry.shape[0] < 2 || entry.shape[1] < 1) continue;
      const std::string spec =
          entry.name.empty() ? file.string() : file.string() + "#" + entry.name;
      auto stream = io::OpenEmbeddings(spec, {});
      const MatrixInfo& info = stream->info();
      std::vector<double> values(static_cast<std::size_t>(info.rows * info.cols));
      stream->ReadRows(0, info.rows, values.data());
      const std::string bin = tmp.File(std::to_string(scored.size()) + ".bin");
      testing::WriteFile(bin, std::string(reinterpret_cast<const char*>(values.data()),
                                          values.size() * sizeof(double)));
      listing.push_back({{"bin", bin}, {"rows", info.rows}, {"cols", info.cols}});
      auto again = io::OpenEmbeddings(spec, {});
      scored.emplace_back(spec, ComputeRankme(*again));
    }
  }
  REQUIRE(scored.size() >= 20);
  testing::WriteFile(tmp.path() / "listing.json", listing.dump());
  // The reference script's own definitions, applied to the values as read.
  const std::string script = std::string(R"(
import json, sys
import numpy as np
sys.path.insert(0, ")") + RANKME_SOURCE_DIR +
                             R"(/scripts")
from rankme_reference import sister_metrics
out = []
for item in json.load(open(sys.argv[1])):
    z = np.fromfile(item["bin"], dtype="<f8").reshape(item["rows"], item["cols"])
    largest = np.abs(z).max()
    scaled = np.ldexp(z, -int(np.frexp(largest)[1])) if largest > 0 else z
    out.append(sister_metrics(z, np.linalg.svd(scaled, compute_uv=False), 1e-7))
json.dump(out, open(sys.argv[2], "w"))
)";
  testing::WriteFile(tmp.path() / "ref.py", script);
  REQUIRE(testing::RunCommand("/usr/bin/python3 " + tmp.File("ref.py") + " " +
                              tmp.File("listing.json") + " " + tmp.File("ref.json")) == 0);
  std::ifstream ref_file(tmp.File("ref.json"));
  const json reference = json::parse(ref_file);
  REQUIRE(reference.size() == scored.size());
  for (std::size_t i = 0; i < scored.size(); ++i) {
    INFO(scored[i].first);
    // Values as read are float64 or exact in float64: the float32-source contract (1e-6) for all.
    CheckAll(SpectrumMetrics(scored[i].second, 1e-7), reference[i], DType::kFloat32);
  }
}

}  // namespace
}  // namespace rankme::metrics
