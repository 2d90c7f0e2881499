#include "rankme/metrics/subsample.h"

#include <algorithm>
#include <numeric>
#include <unordered_map>

#include "rankme/core/error.h"

namespace rankme::metrics {

namespace {

class SplitMix64 {
 public:
  explicit SplitMix64(std::uint64_t seed) : state_(seed) {}
  std::uint64_t Next() {
    state_ += 0x9E3779B97F4A7C15ULL;
    std::uint64_t z = state_;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }

 private:
  std::uint64_t state_;
};

}  // namespace

std::vector<std::int64_t> SubsampleRows(std::uint64_t seed, std::int64_t n_total,
                                        std::int64_t n_keep) {
  RANKME_CHECK(n_total >= 0 && n_keep >= 0);
  if (n_keep >= n_total) {
    std::vector<std::int64_t> all(static_cast<std::size_t>(n_total));
    std::iota(all.begin(), all.end(), std::int64_t{0});
    return all;
  }
  // Slots of the virtual array a that differ from their index.
  std::unordered_map<std::int64_t, std::int64_t> moved;
  moved.reserve(static_cast<std::size_t>(2 * n_keep));
  auto value_at = [&moved](std::int64_t index) {
    auto it = moved.find(index);
    return it == moved.end() ? index : it->second;
  };
  SplitMix64 rng(seed);
  std::vector<std::int64_t> kept(static_cast<std::size_t>(n_keep));
  for (std::int64_t i = 0; i < n_keep; ++i) {
    const auto span = static_cast<std::uint64_t>(n_total - i);
    const std::int64_t j = i + static_cast<std::int64_t>(rng.Next() % span);
    const std::int64_t a_i = value_at(i);
    const std::int64_t a_j = value_at(j);
    moved[j] = a_i;  // a[i] is never read again, so only a[j] needs storing
    kept[static_cast<std::size_t>(i)] = a_j;
  }
  std::sort(kept.begin(), kept.end());
  return kept;
}

}  // namespace rankme::metrics
