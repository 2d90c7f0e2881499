#include "rankme/metrics/subsample.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <set>
#include <string>

#include "support/temp_dir.h"

namespace rankme::metrics {
namespace {

TEST_CASE("SubsampleRows is deterministic, sorted and unique", "[metrics]") {
  const auto a = SubsampleRows(42, 100000, 2000);
  CHECK(a == SubsampleRows(42, 100000, 2000));
  CHECK(a != SubsampleRows(43, 100000, 2000));
  REQUIRE(a.size() == 2000);
  CHECK(std::is_sorted(a.begin(), a.end()));
  CHECK(std::set<std::int64_t>(a.begin(), a.end()).size() == a.size());
  CHECK(a.front() >= 0);
  CHECK(a.back() < 100000);
}

TEST_CASE("SubsampleRows keeps every row when n_keep >= n_total", "[metrics]") {
  for (std::int64_t keep : {10, 11, 1000}) {
    const auto rows = SubsampleRows(5, 10, keep);
    REQUIRE(rows.size() == 10);
    for (std::int64_t i = 0; i < 10; ++i) CHECK(rows[i] == i);
  }
  CHECK(SubsampleRows(5, 10, 0).empty());
  CHECK(SubsampleRows(5, 0, 3).empty());
}

TEST_CASE("SubsampleRows equals the reference script's Python implementation", "[metrics]") {
  const std::string command =
      std::string("/usr/bin/python3 -c 'import sys; sys.path.insert(0, \"") + RANKME_SOURCE_DIR +
      "/scripts\"); import rankme_reference as r; print(\" \".join(map(str, "
      "r.subsample_rows(18446744073709551615, 1000003, 37))))'";
  std::string output;
  REQUIRE(testing::RunCommand(command, &output) == 0);
  std::string expected;
  for (std::int64_t row : SubsampleRows(UINT64_MAX, 1000003, 37)) {
    if (!expected.empty()) expected.push_back(' ');
    expected.append(std::to_string(row));
  }
  CHECK(output == expected + "\n");
}

}  // namespace
}  // namespace rankme::metrics
