#pragma once
// What the tests on tests/data/real_sweep_small share: where it is, its JSON files, and which
// configuration holds a run.
#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "rankme/ranking/leaderboard.h"

namespace rankme::testing {

inline const std::string kRealSweep = std::string(RANKME_TEST_DATA_DIR) + "/real_sweep_small";

/// tests/ranking/real_sweep_validation_expected.json (scripts/validate_expected.py, scipy).
inline const std::string kRealSweepExpected =
    std::string(RANKME_SOURCE_DIR) + "/tests/ranking/real_sweep_validation_expected.json";

inline nlohmann::json ReadJson(const std::string& path) {
  std::ifstream in(path);
  REQUIRE(in.good());
  return nlohmann::json::parse(in);
}

/// config_id of the configuration of `board` holding `run` (a run folder), or "".
inline std::string ConfigOf(const ranking::Leaderboard& board, const std::string& run) {
  for (const auto& row : board.configurations) {
    for (const auto& r : row.runs) {
      if (r.run == run) return row.config_id;
    }
  }
  return "";
}

}  // namespace rankme::testing
