// Ingest run again on a sweep that changed (or did not): what is read, rescored, kept, retried.
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "app/ingest_test_support.h"
#include "rankme/app/ingest.h"

namespace fs = std::filesystem;
using rankme::testing::AgeFile;
using rankme::testing::AgeTree;
using rankme::testing::IngestOptionsFor;
using rankme::testing::MakeSweep;
using rankme::testing::QueryInt;
using rankme::testing::QueryText;
using rankme::testing::RelativeError;
using rankme::testing::StoredScores;
using rankme::testing::TempDir;

namespace {

std::string ReadBytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Overwrites a file in place (same inode), as a training job rewriting its dump would.
void Overwrite(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

// A generated plain-layout sweep (2 runs × 2 checkpoints × 2 .npy tensors), aged an hour so a
// failing file counts as failed rather than not ready, already ingested once.
struct IngestedSweep {
  TempDir dir;
  std::string root = (dir.path() / "sweep").string();
  std::string db = dir.File("rankme.db");
  nlohmann::json truth = MakeSweep(root, "--layout plain --runs 2 --checkpoints 2");
  rankme::app::IngestSummary first;

  IngestedSweep() {
    root = fs::canonical(root).string();
    AgeTree(root, 3600);
    first = rankme::app::Ingest(IngestOptionsFor(root, db));
  }
  fs::path File(const std::string& relative) const { return fs::path(root) / relative; }
  rankme::app::IngestSummary Again(double settle_seconds = 30) const {
    auto options = IngestOptionsFor(root, db);
    options.settle_seconds = settle_seconds;
    return rankme::app::Ingest(options);
  }
  // Rows of `table`; of scores and spectra, RankMe's and the uncentred spectrum's (a matrix has a
  // score per metric and two spectra).
  std::int64_t Count(const std::string& table) const {
    if (table == "scores") return QueryInt(db, "SELECT count(*) FROM scores WHERE metric = 'rankme'");
    if (table == "spectra") {
      return QueryInt(db, "SELECT count(*) FROM spectra WHERE kind = 'singular_values'");
    }
    return QueryInt(db, "SELECT count(*) FROM " + table);
  }
};

const char* kFile = "run_00/embeddings_step_100.npy";

}  // namespace

TEST_CASE("Ingest of an unchanged sweep reads nothing and changes nothing", "[ingest]") {
  IngestedSweep sweep;
  REQUIRE(sweep.first.scored == 8);
  REQUIRE(sweep.first.files_read == 8);
  const auto scores = sweep.Count("scores");
  const auto tensors = sweep.Count("tensors");
  const auto spectra = sweep.Count("spectra");
  const std::string updated = QueryText(sweep.db, "SELECT max(updated_at) FROM tensors");
  const auto start = std::chrono::steady_clock::now();
  const auto again = sweep.Again();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  CHECK(again.files_read == 0);
  CHECK(again.scored == 0);
  CHECK(again.reused == 0);
  CHECK(again.touched == 0);
  CHECK(again.unchanged == 8);
  CHECK(again.sources == 8);
  CHECK(again.failed + again.not_ready + again.missing == 0);
  CHECK(seconds < 1.0);
  CHECK(sweep.Count("scores") == scores);
  CHECK(sweep.Count("tensors") == tensors);
  CHECK(sweep.Count("spectra") == spectra);
  CHECK(QueryText(sweep.db, "SELECT max(updated_at) FROM tensors") == updated);
}

TEST_CASE("Ingest reads a touched file, finds the same bytes and does not rescore", "[ingest]") {
  IngestedSweep sweep;
  const std::string old_stat =
      QueryText(sweep.db, "SELECT stat_key FROM tensors WHERE files_json LIKE '%" +
                              std::string(kFile) + "%'");
  AgeFile(sweep.File(kFile), 60);  // new mtime, same bytes
  const auto again = sweep.Again();
  CHECK(again.files_read == 1);
  CHECK(again.touched == 1);
  CHECK(again.scored == 0);
  CHECK(again.reused == 1);
  CHECK(again.unchanged == 7);
  CHECK(sweep.Count("scores") == 8);
  // The new stat is remembered: the next ingest reads nothing.
  CHECK(QueryText(sweep.db, "SELECT stat_key FROM tensors WHERE files_json LIKE '%" +
                                std::string(kFile) + "%'") != old_stat);
  CHECK(sweep.Again().files_read == 0);
}

TEST_CASE("Ingest rescores a changed file and keeps the old score under the old content",
          "[ingest]") {
  IngestedSweep sweep;
  TempDir other_dir;
  const std::string other = (other_dir.path() / "sweep").string();
  const auto other_truth = MakeSweep(other, "--layout plain --runs 2 --checkpoints 2 --seed 7");
  const std::string old_hash =
      QueryText(sweep.db, "SELECT content_hash FROM tensors WHERE files_json LIKE '%" +
                              std::string(kFile) + "%'");
  Overwrite(sweep.File(kFile), ReadBytes(fs::path(other) / kFile));
  AgeFile(sweep.File(kFile), 1800);
  const auto again = sweep.Again();
  CHECK(again.files_read == 1);
  CHECK(again.scored == 1);
  CHECK(again.touched == 0);
  CHECK(sweep.Count("scores") == 9);
  // The old score stays, keyed by the old content; the view shows the new one only.
  CHECK(QueryInt(sweep.db, "SELECT count(*) FROM scores WHERE metric = 'rankme' AND content_hash = '" + old_hash + "'") ==
        1);
  double want = 0;
  for (const auto& record : other_truth) {
    if (record.at("files").at(0) == kFile) want = record.at("rankme").get<double>();
  }
  REQUIRE(want > 0);
  const auto stored = StoredScores(sweep.db, sweep.root);
  CHECK(stored.size() == 8);
  CHECK(RelativeError(*stored.at({kFile, "embeddings"}).value, want) <= 1e-6);
}

TEST_CASE("Ingest with new settings adds scores beside the old ones", "[ingest]") {
  IngestedSweep sweep;
  auto options = IngestOptionsFor(sweep.root, sweep.db);
  options.rankme.eps = 1e-5;
  const auto again = rankme::app::Ingest(options);
  CHECK(again.scored == 8);
  CHECK(again.files_read == 8);  // read (no score for these settings yet), same bytes
  CHECK(again.touched == 0);     // touched = read and nothing scored
  CHECK(sweep.Count("scores") == 16);
  CHECK(sweep.Count("tensors") == 8);
  // Same rows: the spectra are shared by both settings.
  CHECK(sweep.Count("spectra") == 8);
  const auto old_scores = StoredScores(sweep.db, sweep.root, "\"eps\":1e-07");
  const auto new_scores = StoredScores(sweep.db, sweep.root, "\"eps\":1e-05");
  REQUIRE(old_scores.size() == 8);
  REQUIRE(new_scores.size() == 8);
  for (const auto& record : sweep.truth) {
    const std::pair<std::string, std::string> key{record.at("files").at(0), record.at("tensor")};
    INFO(key.first);
    CHECK(RelativeError(*old_scores.at(key).value, record.at("rankme").get<double>()) <= 1e-6);
    CHECK(RelativeError(*new_scores.at(key).value, record.at("rankme_eps_1e-5").get<double>()) <=
          1e-6);
  }
  // And both settings are now known: nothing to read.
  CHECK(rankme::app::Ingest(options).files_read == 0);
  CHECK(sweep.Again().files_read == 0);
}

TEST_CASE("Ingest stores a corrupt file with its reason and scores it once fixed", "[ingest]") {
  IngestedSweep sweep;
  const std::string good = ReadBytes(sweep.File(kFile));
  Overwrite(sweep.File(kFile), "this is not a numpy file at all");
  AgeFile(sweep.File(kFile), 600);
  const auto broken = sweep.Again();
  CHECK(broken.failed == 1);
  CHECK(broken.scored == 0);
  CHECK(QueryInt(sweep.db, "SELECT count(*) FROM failures") == 1);
  CHECK(QueryText(sweep.db, "SELECT status || ' ' || kind || ' ' || attempts FROM failures") ==
        "failed format 1");
  CHECK(QueryText(sweep.db, "SELECT message FROM failures").find(kFile) != std::string::npos);
  // The score of the old content stays; the view no longer shows this checkpoint's tensor.
  CHECK(sweep.Count("scores") == 8);
  CHECK(StoredScores(sweep.db, sweep.root).size() == 7);

  // Retried every time, even with the same stat.
  const auto retried = sweep.Again();
  CHECK(retried.files_read == 1);
  CHECK(retried.failed == 1);
  CHECK(QueryInt(sweep.db, "SELECT attempts FROM failures") == 2);

  Overwrite(sweep.File(kFile), good);
  AgeFile(sweep.File(kFile), 300);
  const auto fixed = sweep.Again();
  CHECK(fixed.failed == 0);
  CHECK(fixed.files_read == 1);
  CHECK(fixed.scored == 0);  // the same bytes as before: the old score is reused
  CHECK(fixed.reused == 1);
  CHECK(QueryInt(sweep.db, "SELECT count(*) FROM failures") == 0);
  CHECK(QueryInt(sweep.db, "SELECT max(attempts) FROM tensors") == 0);
  CHECK(QueryInt(sweep.db, "SELECT count(*) FROM tensors WHERE status = 'ok' AND tensor <> ''") ==
        8);
  CHECK(StoredScores(sweep.db, sweep.root).size() == 8);
}

TEST_CASE("Ingest calls a fresh truncated file not ready, then scores it once complete",
          "[ingest]") {
  // Regression: a file whose header was complete but whose data was short failed inside the
  // per-tensor scoring, which stored it as failed (format) even while freshly written.
  IngestedSweep sweep;
  const std::string whole = ReadBytes(sweep.File(kFile));
  // Half the file, just written (mtime now): a dump still being written.
  Overwrite(sweep.File(kFile), whole.substr(0, whole.size() / 2));
  const auto writing = sweep.Again(/*settle_seconds=*/30);
  CHECK(writing.not_ready == 1);
  CHECK(writing.failed == 0);
  CHECK(QueryText(sweep.db, "SELECT status || ' ' || kind FROM failures") == "not_ready not_ready");

  // With no settle time the same truncated file is a failure.
  const auto impatient = sweep.Again(/*settle_seconds=*/0);
  CHECK(impatient.failed == 1);
  CHECK(impatient.not_ready == 0);
  CHECK(QueryText(sweep.db, "SELECT status FROM failures") == "failed");

  Overwrite(sweep.File(kFile), whole);
  const auto complete = sweep.Again(/*settle_seconds=*/30);
  CHECK(complete.not_ready == 0);
  CHECK(complete.failed == 0);
  CHECK(QueryInt(sweep.db, "SELECT count(*) FROM failures") == 0);
  CHECK(StoredScores(sweep.db, sweep.root).size() == 8);
}

TEST_CASE("Ingest marks a vanished file missing and a returning one present again", "[ingest]") {
  IngestedSweep sweep;
  const std::string bytes = ReadBytes(sweep.File(kFile));
  fs::remove(sweep.File(kFile));
  const auto gone = sweep.Again();
  CHECK(gone.missing == 1);
  CHECK(gone.sources == 7);
  CHECK(QueryText(sweep.db, "SELECT status FROM failures") == "missing");
  CHECK(StoredScores(sweep.db, sweep.root).size() == 7);
  CHECK(sweep.Count("scores") == 8);  // kept: the bytes may come back

  Overwrite(sweep.File(kFile), bytes);
  AgeFile(sweep.File(kFile), 600);
  const auto back = sweep.Again();
  CHECK(back.missing == 0);
  CHECK(back.scored == 0);
  CHECK(back.reused == 1);
  CHECK(QueryInt(sweep.db, "SELECT count(*) FROM failures") == 0);
  CHECK(StoredScores(sweep.db, sweep.root).size() == 8);
}
