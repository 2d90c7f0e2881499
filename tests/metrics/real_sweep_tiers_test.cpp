// The shared real sweep's copy (tests/data/real_sweep_small: 24 checkpoints of a PyTorch-trained
// SimCLR/VICReg sweep, embeddings and representations, 512 x 64 float16, in .npy, .safetensors
// and .pt files): every tensor is scored by a Gram tier, none by the exact path, because none is
// rank-deficient — numpy's matrix_rank is 64 of 64 for all 48 (checked below, so a fixture that
// gains a rank-deficient tensor names it). Real spectra decay too steeply for the float32 Gram's
// certificate; the float64 Gram certifies them (bounds about 1e-13).
#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "rankme/io/embedding_reader.h"
#include "rankme/metrics/rankme.h"
#include "support/temp_dir.h"

namespace rankme::metrics {
namespace {

using nlohmann::json;

TEST_CASE("The real sweep takes no exact path: none of its tensors is rank-deficient",
          "[metrics]") {
  const std::string root = std::string(RANKME_TEST_DATA_DIR) + "/real_sweep_small/";
  std::ifstream truth_file(root + "ground_truth.json");
  const json truth = json::parse(truth_file);
  testing::TempDir dir;
  // Every tensor's values (as scored: float64 of the float16 file) for numpy.
  std::vector<std::string> specs;
  json listing = json::array();
  for (const json& record : truth) {
    for (const std::string tensor : {"embeddings", "representations"}) {
      std::string spec = root + record["files"][tensor].get<std::string>();
      if (spec.find('#') == std::string::npos && spec.find(".npy") == std::string::npos) {
        spec += "#" + tensor;
      }
      auto stream = io::OpenEmbeddings(spec, {});
      const MatrixInfo& info = stream->info();
      std::vector<double> values(static_cast<std::size_t>(info.rows * info.cols));
      stream->ReadRows(0, info.rows, values.data());
      const std::string bin = dir.File(std::to_string(specs.size()) + ".bin");
      testing::WriteFile(bin, std::string(reinterpret_cast<const char*>(values.data()),
                                          values.size() * sizeof(double)));
      listing.push_back({{"bin", bin}, {"rows", info.rows}, {"cols", info.cols}});
      specs.push_back(spec);
    }
  }
  testing::WriteFile(dir.path() / "listing.json", listing.dump());
  const std::string script = R"(
import json, sys
import numpy as np
out = []
for item in json.load(open(sys.argv[1])):
    z = np.fromfile(item["bin"], dtype="<f8").reshape(item["rows"], item["cols"])
    s = np.linalg.svd(z, compute_uv=False)
    p = s / s.sum() + 1e-7
    out.append({"rankme": float(np.exp(-(p * np.log(p)).sum())),
                "rank": int(np.linalg.matrix_rank(z))})
json.dump(out, open(sys.argv[2], "w"))
)";
  testing::WriteFile(dir.path() / "ref.py", script);
  REQUIRE(testing::RunCommand("/usr/bin/python3 " + dir.File("ref.py") + " " +
                              dir.File("listing.json") + " " + dir.File("ref.json")) == 0);
  std::ifstream ref_file(dir.File("ref.json"));
  const json reference = json::parse(ref_file);
  REQUIRE(reference.size() == specs.size());
  REQUIRE(specs.size() == 48);

  int exact = 0;
  int rank_deficient = 0;
  for (std::size_t i = 0; i < specs.size(); ++i) {
    auto stream = io::OpenEmbeddings(specs[i], {});
    const RankmeResult result = ComputeRankme(*stream);
    const double want = reference[i]["rankme"].get<double>();
    const int rank = reference[i]["rank"].get<int>();
    INFO(specs[i] << ": " << result.method_used << ", bound " << result.error_bound << ", rank "
                  << rank);
    CHECK(std::fabs(result.value - want) <= 1e-6 * want);
    const bool full_rank = rank == std::min(result.rows_used, result.cols);
    if (!full_rank) ++rank_deficient;
    if (result.method_used == "qr") ++exact;
    // The exact path only for rank-deficient tensors.
    if (full_rank) CHECK(result.method_used != "qr");
  }
  CHECK(rank_deficient == 0);  // as the header says: update it if the fixture changes
  CHECK(exact == 0);
}

}  // namespace
}  // namespace rankme::metrics
