#pragma once

#include <cstdint>
#include <vector>

namespace rankme::metrics {

/// The rows of an n_total-row matrix that RankMe scores when it keeps only n_keep of them.
///
/// The choice depends only on (seed, n_total, n_keep), so every checkpoint of a sweep uses the
/// same rows, and it is simple enough to reproduce exactly elsewhere (scripts/rankme_reference.py
/// does it in numpy-free Python integers). With 64-bit unsigned wrap-around arithmetic:
///
///     state = seed
///     next():  state += 0x9E3779B97F4A7C15
///              z = state
///              z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
///              z = (z ^ (z >> 27)) * 0x94D049BB133111EB
///              return z ^ (z >> 31)                       # SplitMix64
///     a = [0, 1, ..., n_total - 1]                         # virtual; only swapped slots stored
///     for i in 0 .. n_keep - 1:                            # partial Fisher-Yates
///         j = i + next() % (n_total - i)
///         swap(a[i], a[j])
///     return sorted(a[0 .. n_keep - 1])
///
/// Memory is O(n_keep) whatever n_total. When n_keep >= n_total, returns every row
/// 0 .. n_total - 1 (no random numbers drawn). Requires n_total >= 0 and n_keep >= 0.
std::vector<std::int64_t> SubsampleRows(std::uint64_t seed, std::int64_t n_total,
                                        std::int64_t n_keep);

}  // namespace rankme::metrics
