#include "rankme/app/demo.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "rankme/core/error.h"
#include "rankme/io/npy_writer.h"
#include "rankme/metrics/rankme.h"
#include "rankme/metrics/synthetic.h"

namespace rankme::app {

namespace fs = std::filesystem;

namespace {

struct SpectrumSpec {
  const char* name;
  const char* description;
  std::vector<double> sigma;  // prescribed singular values (nonzero ones)
};

std::vector<SpectrumSpec> TourSpectra(std::int64_t d) {
  std::vector<double> flat(static_cast<std::size_t>(d), 1.0);
  std::vector<double> power;
  for (std::int64_t k = 1; k <= d; ++k) power.push_back(1.0 / static_cast<double>(k));
  std::vector<double> deficient(static_cast<std::size_t>(d / 4), 1.0);
  return {
      {"flat", "all singular values equal: the largest RankMe a matrix of this width can have",
       flat},
      {"power-law", "sigma_k = 1/k: a few directions dominate, as in partly collapsed training",
       power},
      {"rank-deficient", "only a quarter of the directions carry variance (rank D/4)", deficient},
      {"collapsed", "every sample on one line (rank 1): dimensional collapse", {1.0}},
  };
}

// Every std::filesystem call here takes an error_code: a folder the system refuses is an
// IoError naming it (exit 2), never a std::filesystem::filesystem_error (exit 70).
void MakeFolder(const fs::path& path) {
  std::error_code ec;
  fs::create_directories(path, ec);
  if (ec) throw IoError("cannot make the demo folder: " + ec.message(), path.string());
}

void WriteText(const fs::path& path, const std::string& text) {
  MakeFolder(path.parent_path());
  std::ofstream out(path, std::ios::trunc);
  out << text;
  if (!out) throw IoError("cannot write", path.string());
}

std::string DefaultDir() {
  std::error_code ec;
  const fs::path temp = fs::temp_directory_path(ec);
  if (ec) {
    const char* tmpdir = std::getenv("TMPDIR");
    throw IoError("no temporary folder for the demo (pass --dir): " + ec.message(),
                  tmpdir != nullptr ? std::string("TMPDIR=") + tmpdir : "/tmp");
  }
  std::string pattern = (temp / "rankme-demo-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw IoError("cannot create a temporary folder", pattern);
  }
  return pattern;
}

// The synthetic sweep: method × lr × seed, Hydra multirun layout. A run's spectrum decays like
// k^-alpha, alpha set by its hyperparameters (VICReg keeps rank better than SimCLR here; too
// large a learning rate collapses VICReg) and shrinking as training goes on; seeds jitter it.
void WriteSweep(const fs::path& root) {
  const std::vector<std::string> methods = {"simclr", "vicreg"};
  const std::vector<double> lrs = {0.0003, 0.001, 0.003};
  const std::vector<int> seeds = {0, 1};
  const std::vector<int> steps = {100, 200, 300};
  const std::int64_t n = 1024, d = 128;
  const fs::path base = root / "multirun" / "2026-01-01" / "12-00-00";
  int job = 0;
  for (const auto& method : methods) {
    for (double lr : lrs) {
      for (int seed : seeds) {
        const fs::path run = base / std::to_string(job);
        WriteText(run / ".hydra" / "config.yaml",
                  fmt::format("method: {}\noptim:\n  lr: {}\n  weight_decay: 1.0e-06\nseed: {}\n"
                              "data:\n  dir: /datasets/cifar10\n  batch_size: 256\n",
                              method, lr, seed));
        WriteText(run / ".hydra" / "overrides.yaml",
                  fmt::format("- method={}\n- optim.lr={}\n- seed={}\n", method, lr, seed));
        const bool collapses = method == "vicreg" && lr > 0.002;
        for (std::size_t s = 0; s < steps.size(); ++s) {
          double alpha = (method == "simclr" ? 1.1 : 0.7) + 0.25 * std::log10(lr / 0.001) * 0.5 -
                         0.1 * static_cast<double>(s) + 0.03 * seed;
          alpha = std::max(alpha, 0.2);
          const std::int64_t rank = collapses ? std::max<std::int64_t>(2, 12 >> s) : d;
          std::vector<double> sigma;
          for (std::int64_t k = 1; k <= rank; ++k) sigma.push_back(std::pow(k, -alpha));
          const auto values =
              metrics::MatrixWithSpectrum(n, d, sigma, static_cast<std::uint64_t>(1000 * job + s));
          const fs::path dir = run / "checkpoints" / fmt::format("step_{:06d}", steps[s]);
          MakeFolder(dir);
          io::WriteNpyFloat32((dir / "embeddings.npy").string(), values, n, d);
        }
        ++job;
      }
    }
  }
}

}  // namespace

DemoResult RunDemo(const DemoOptions& options) {
  DemoResult result;
  result.dir = options.dir.empty() ? DefaultDir() : options.dir;
  const fs::path dir = result.dir;
  std::error_code ec;
  fs::create_directories(dir / "spectra", ec);
  if (ec) throw IoError("cannot make the demo folder: " + ec.message(), result.dir);

  const std::int64_t n = 2048, d = 256;
  std::uint64_t seed = 1;
  for (const SpectrumSpec& spec : TourSpectra(d)) {
    DemoMatrix matrix;
    matrix.name = spec.name;
    matrix.description = spec.description;
    std::vector<double> padded = spec.sigma;
    padded.resize(static_cast<std::size_t>(d), 0.0);
    matrix.expected = metrics::RankmeFromSingularValues(padded, metrics::RankmeOptions{}.eps);
    const std::string path = (dir / "spectra" / (std::string(spec.name) + ".npy")).string();
    io::WriteNpyFloat32(path, metrics::MatrixWithSpectrum(n, d, spec.sigma, seed++), n, d);
    matrix.score = std::move(ScoreFiles({path}, {}).front());
    result.matrices.push_back(std::move(matrix));
  }

  result.sweep_dir = (dir / "sweep").string();
  WriteSweep(result.sweep_dir);
  result.db_path = (dir / "rankme.db").string();
  IngestOptions ingest;
  ingest.roots = {result.sweep_dir};
  ingest.db_path = result.db_path;
  ingest.jobs = options.jobs;
  result.ingest = Ingest(ingest);

  SelectionOptions selection;
  selection.db_path = result.db_path;
  selection.ranking.within = "method";  // RankMe compares runs of one method
  result.best = FindBest(selection);
  result.leaderboard = LoadLeaderboard(selection);
  ReportOptions report;
  report.within = "method";
  report.title = "rankme demo: synthetic sweep";
  result.report = WriteReport(result.db_path, (dir / "report.html").string(), report);
  return result;
}

}  // namespace rankme::app
