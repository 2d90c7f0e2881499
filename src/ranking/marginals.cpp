#include "rankme/ranking/marginals.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <tuple>

namespace rankme::ranking {

namespace {

// Values in numeric order when both are numbers (1e-05 before 0.001), else as text.
bool ValueBefore(const std::string& a, const std::string& b) {
  char* end_a = nullptr;
  char* end_b = nullptr;
  const double x = std::strtod(a.c_str(), &end_a);
  const double y = std::strtod(b.c_str(), &end_b);
  const bool numbers = !a.empty() && !b.empty() && *end_a == '\0' && *end_b == '\0';
  if (numbers && x != y) return x < y;
  return a < b;
}

}  // namespace

std::vector<MarginalRow> Marginals(const Leaderboard& board) {
  using Slot = std::tuple<std::string, std::string, std::string>;  // group, key, value
  std::map<Slot, MarginalRow> slots;
  for (const ConfigurationRow& row : board.configurations) {
    if (row.summary.n == 0) continue;
    for (const std::string& key : board.varying_keys) {
      const auto it = row.hyperparameters.find(key);
      if (it == row.hyperparameters.end() || key == board.within) continue;
      MarginalRow& m = slots[{row.group, key, it->second}];
      const double mean = row.summary.mean;
      if (m.configurations == 0) {
        m = {row.group, key, it->second, 0, 0, 0, mean};
      }
      if (board.order.Better(mean, m.best)) m.best = mean;
      m.mean += mean;  // a sum until divided below
      m.configurations += 1;
      m.runs += row.summary.n;
    }
  }
  std::vector<MarginalRow> out;
  for (auto& [slot, m] : slots) {
    m.mean /= static_cast<double>(m.configurations);
    out.push_back(m);
  }
  std::stable_sort(out.begin(), out.end(), [](const MarginalRow& a, const MarginalRow& b) {
    if (a.group != b.group) return a.group < b.group;
    if (a.key != b.key) return a.key < b.key;
    return ValueBefore(a.value, b.value);
  });
  return out;
}

}  // namespace rankme::ranking
