// Hostile sweep folders: a config that cannot be read makes its run its own flagged
// configuration; the tree walk survives loops, FIFOs and folders where files belong.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <set>
#include <string>

#include "rankme/discovery/config.h"
#include "rankme/discovery/sweep.h"
#include "support/temp_dir.h"

namespace fs = std::filesystem;
using namespace rankme::discovery;
using rankme::testing::TempDir;
using rankme::testing::WriteFile;

namespace {

const DiscoveredRun& FindRun(const Sweep& sweep, const std::string& relative_dir) {
  for (const auto& run : sweep.runs) {
    if (run.relative_dir == relative_dir) return run;
  }
  FAIL("no run " << relative_dir);
  throw;
}

void HydraRun(const fs::path& dir, const std::string& config) {
  WriteFile(dir / ".hydra/config.yaml", config);
  WriteFile(dir / "checkpoints/epoch_1/embeddings.npy", "");
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("Runs with unreadable configs are each their own flagged configuration", "[discovery]") {
  TempDir dir;
  HydraRun(dir.path() / "bad1", "x: &x [*x]\n");
  HydraRun(dir.path() / "bad2", "lr: [0.1\n");
  HydraRun(dir.path() / "bad3", "a.b: 1\na: {b: 100}\n");
  HydraRun(dir.path() / "good1", "lr: 0.1\nseed: 0\n");
  HydraRun(dir.path() / "good2", "lr: 0.1\nseed: 1\n");
  const Sweep sweep = DiscoverSweep(dir.path().string());
  REQUIRE(sweep.runs.size() == 5);
  std::set<std::string> bad_ids;
  for (const char* name : {"bad1", "bad2", "bad3"}) {
    const DiscoveredRun& run = FindRun(sweep, name);
    REQUIRE(run.config_error);
    CHECK(Contains(*run.config_error, run.config_file + ": "));
    CHECK(run.params.count(kConfigErrorKey) == 1);
    REQUIRE(run.warnings.size() == 1);
    CHECK(Contains(run.warnings[0], run.config_file));
    CHECK(Contains(run.warnings[0], "own configuration"));
    CHECK(run.checkpoints.size() == 1);
    bad_ids.insert(run.config_id);
  }
  CHECK(bad_ids.size() == 3);
  CHECK(Contains(*FindRun(sweep, "bad1").config_error, "alias refers to a node that contains it"));
  CHECK(Contains(*FindRun(sweep, "bad3").config_error, "keys collide"));
  const DiscoveredRun& good1 = FindRun(sweep, "good1");
  const DiscoveredRun& good2 = FindRun(sweep, "good2");
  CHECK(!good1.config_error);
  CHECK(good1.config_id == good2.config_id);  // seeds of one configuration
  CHECK(bad_ids.count(good1.config_id) == 0);
}

TEST_CASE("A folder, FIFO or link loop where a config belongs flags the run, no hang",
          "[discovery]") {
  TempDir dir;
  fs::create_directories(dir.path() / "folder/.hydra/config.yaml");
  WriteFile(dir.path() / "folder/e.npy", "");
  fs::create_directories(dir.path() / "fifo/.hydra");
  REQUIRE(::mkfifo((dir.path() / "fifo/.hydra/config.yaml").c_str(), 0600) == 0);
  WriteFile(dir.path() / "fifo/e.npy", "");
  fs::create_directories(dir.path() / "loop/.hydra");
  fs::create_symlink("config.yaml", dir.path() / "loop/.hydra/config.yaml");
  WriteFile(dir.path() / "loop/e.npy", "");
  fs::create_directories(dir.path() / "device/.hydra");
  fs::create_symlink("/dev/zero", dir.path() / "device/.hydra/config.yaml");
  WriteFile(dir.path() / "device/e.npy", "");
  const Sweep sweep = DiscoverSweep(dir.path().string());
  REQUIRE(sweep.runs.size() == 4);
  std::set<std::string> ids;
  for (const auto& run : sweep.runs) {
    INFO(run.relative_dir);
    REQUIRE(run.config_error);
    CHECK(run.checkpoints.size() == 1);
    ids.insert(run.config_id);
  }
  CHECK(ids.size() == 4);
  CHECK(Contains(*FindRun(sweep, "folder").config_error, "not a regular file"));
  CHECK(Contains(*FindRun(sweep, "fifo").config_error, "not a regular file"));
  CHECK(Contains(*FindRun(sweep, "device").config_error, "not a regular file"));
  CHECK(Contains(*FindRun(sweep, "loop").config_error, "cannot read"));
}

TEST_CASE("A config file beyond the size limit is not read", "[discovery]") {
  TempDir dir;
  HydraRun(dir.path() / "huge", "");
  fs::resize_file(dir.path() / "huge/.hydra/config.yaml", kMaxConfigFileBytes + 1);  // sparse
  const Sweep sweep = DiscoverSweep(dir.path().string());
  REQUIRE(sweep.runs.size() == 1);
  REQUIRE(sweep.runs[0].config_error);
  CHECK(Contains(*sweep.runs[0].config_error, "more than the limit of 16 MiB"));
}

TEST_CASE("Symlink loops in the sweep tree are walked once", "[discovery]") {
  TempDir dir;
  HydraRun(dir.path() / "run", "lr: 0.1\n");
  fs::create_directory_symlink(".", dir.path() / "run/again");
  fs::create_directory_symlink("..", dir.path() / "run/checkpoints/up");
  fs::create_symlink("self", dir.path() / "self");
  fs::create_symlink("b", dir.path() / "a");
  fs::create_symlink("a", dir.path() / "b");
  const Sweep sweep = DiscoverSweep(dir.path().string());
  REQUIRE(sweep.runs.size() == 1);
  CHECK(sweep.runs[0].checkpoints.size() == 1);
}

TEST_CASE("An overflowing step_NNN keeps its checkpoint, in order, with a warning", "[discovery]") {
  TempDir dir;
  WriteFile(dir.path() / "run/.hydra/config.yaml", "lr: 0.1\n");
  for (const char* step : {"step_5", "step_9223372036854775807", "step_99999999999999999999",
                           "step_100000000000000000000"}) {
    WriteFile(dir.path() / "run" / (std::string("embeddings_") + step + ".npy"), "");
  }
  const Sweep sweep = DiscoverSweep(dir.path().string());
  REQUIRE(sweep.runs.size() == 1);
  const DiscoveredRun& run = sweep.runs[0];
  REQUIRE(run.checkpoints.size() == 4);
  CHECK(run.checkpoints[0].step == 5);
  CHECK(run.checkpoints[1].step == INT64_MAX);
  CHECK(run.checkpoints[2].name == "step_99999999999999999999");
  CHECK(!run.checkpoints[2].step);
  CHECK(run.checkpoints[3].name == "step_100000000000000000000");
  for (const auto& checkpoint : run.checkpoints) {
    REQUIRE(checkpoint.files.size() == 1);
    CHECK(checkpoint.files[0].tensor == "embeddings");
  }
  int overflow_warnings = 0;
  for (const auto& warning : run.warnings) overflow_warnings += Contains(warning, "64 bits");
  CHECK(overflow_warnings == 2);
}
