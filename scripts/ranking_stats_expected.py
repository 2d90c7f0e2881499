#!/usr/bin/python3
"""Prints the expected values of tests/ranking/statistics_test.cpp, computed with scipy.stats
(spearmanr, kendalltau variant b, rankdata average). Needs python3-scipy; run it once when the
cases change and paste its output into the test's table."""
from scipy import stats

CASES = [
    ([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]),
    ([3.5, 1.0, 2.0, 2.0, 9.0, 4.0], [0.71, 0.60, 0.65, 0.70, 0.72, 0.61]),
    ([10, 20, 20, 30], [1, 1, 2, 3]),
    ([28.08, 10.41, 26.0, 22.71], [0.7345, 0.717, 0.61375, 0.72]),
    ([1, 2, 3], [3, 2, 1]),
    ([0.3, -1.2, 4.4, 4.4, 0.0, 2.5, 7.1], [2, 2, 5, 1, 0, 3, 3]),
]


def fmt(values):
    return "{" + ", ".join(repr(float(v)) for v in values) + "}"


for x, y in CASES:
    rho = stats.spearmanr(x, y).correlation
    tau = stats.kendalltau(x, y, variant="b").correlation
    print(f"    {{{fmt(x)}, {fmt(y)}, {fmt(stats.rankdata(x))}, {rho!r}, {tau!r}}},")
