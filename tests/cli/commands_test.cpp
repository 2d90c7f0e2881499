#include "cli/commands.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "cli/command_table.h"

namespace rankme::cli {
namespace {

// NamesBlasFreeCommand on a command line given as words (the program name first).
bool BlasFree(std::vector<std::string> words) {
  std::vector<char*> argv;
  for (std::string& word : words) argv.push_back(word.data());
  argv.push_back(nullptr);
  return NamesBlasFreeCommand(static_cast<int>(words.size()), argv.data());
}

TEST_CASE("NamesBlasFreeCommand is true for the commands that only query the database", "[cli]") {
  for (const char* name :
       {"runs", "show", "best", "leaderboard", "marginals", "validate", "report", "db"}) {
    INFO(name);
    CHECK(BlasFree({"rankme", name, "--db", "x.db"}));
  }
  // Options of the subcommand, even one whose value names a scoring command, do not matter.
  CHECK(BlasFree({"rankme", "best", "--tensor", "score"}));
  CHECK(BlasFree({"rankme", "--help", "leaderboard"}));
}

TEST_CASE("NamesBlasFreeCommand is false for scoring commands and lines that name no command",
          "[cli]") {
  CHECK_FALSE(BlasFree({"rankme", "score", "best.npy"}));
  CHECK_FALSE(BlasFree({"rankme", "ingest", "runs", "--db", "x.db"}));
  CHECK_FALSE(BlasFree({"rankme", "demo", "-o", "show"}));
  CHECK_FALSE(BlasFree({"rankme"}));
  CHECK_FALSE(BlasFree({"rankme", "--version"}));
  CHECK_FALSE(BlasFree({"rankme", "--help"}));
  CHECK_FALSE(BlasFree({"rankme", "", "best"}));
  CHECK_FALSE(BlasFree({"rankme", "Best"}));  // not a command: CLI11 rejects it, nothing skipped
}

TEST_CASE("Every registered command either scores or is named BLAS-free", "[cli]") {
  // The commands that reach the metrics module (score, ingest and demo score matrices); every
  // other registered command must take the cheap start, and no unregistered name may.
  const std::vector<std::string> scoring = {"score", "ingest", "demo"};
  std::size_t blas_free = 0;
  for (const Command& command : CommandTable()) {
    const std::string name = command.name;
    INFO(name);
    const bool scores = std::find(scoring.begin(), scoring.end(), name) != scoring.end();
    CHECK(BlasFree({"rankme", name}) == !scores);
    if (!scores) ++blas_free;
  }
  CHECK(blas_free == 8);
}

}  // namespace
}  // namespace rankme::cli
